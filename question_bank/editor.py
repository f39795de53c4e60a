"""The question editor: one WTForms form per editable type, filled from a version and turned
back into a :class:`ParsedQuestion` (the format-neutral record the importers return, so the
editor and the importers share one set of checks, ``formats.questions``).

Editable: multiple choice (one or several right answers), true/false, short answer,
numerical, essay, description.  Matching, ordering and cloze are shown read-only (they are
written in GIFT/Moodle XML and imported).  Answer ids stay the same from version to
version, so a response saved against an older version still names the same option.
"""
import re
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, RadioField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

import labels
from question_bank import content as qc
from question_bank.formats import ParsedQuestion
from question_bank.formats.grades import parse_decimal
from question_bank.formats.questions import answer_id, check, finish
from question_bank.formats.model import Issues
from question_bank.formats.text import default_name, sanitise

_BLOCK = re.compile(r"<(p|div|ul|ol|li|table|pre|h[1-6]|blockquote)\b", re.I)
BLANK_ROWS = 2


def to_html(text: str | None) -> str:
    """Editor text → stored HTML: HTML is allowed and sanitised; in text without block
    tags a new line becomes ``<br>``.  Stored HTML comes back unchanged (sanitising is
    idempotent), so saving an untouched form changes nothing."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not _BLOCK.search(text):
        text = text.replace("\n", "<br>")
    return sanitise(text)


def parse_grade(text) -> str | None:
    """'1', '0,5', '50%', '1/3', '-1/3' → the fraction as text ('1/2' for '50%'); None if
    not a grade between -1 and 1."""
    raw = str(text or "").strip().replace(" ", "")
    try:
        if raw.endswith("%"):
            value = Fraction(parse_decimal(raw[:-1])) / 100
            raw = str(value)
        else:
            value = Fraction(raw.replace(",", "."))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return raw.replace(",", ".") if -1 <= value <= 1 else None


def _grade(form, field):
    if (field.data or "").strip() and parse_grade(field.data) is None:
        raise ValidationError(_l("A grade between -1 and 1: 1, 0.5, 1/3, 50%, -1/3."))


def _number(form, field):
    if (field.data or "").strip() and parse_decimal(field.data) is None:
        raise ValidationError(_l("A number, with a decimal comma or point."))


def _positive_mark(form, field):
    value = parse_decimal(field.data)
    if value is None or value < 0:
        raise ValidationError(_l("A mark of 0 or more, with a decimal comma or point."))


class ChoiceRow(Form):
    id = HiddenField()
    text = TextAreaField(_l("Option"), render_kw={"rows": 2})
    fraction = StringField(_l("Grade"), default="0", validators=[_grade])
    feedback = StringField(_l("Feedback"))


class TextRow(Form):
    id = HiddenField()
    text = StringField(_l("Accepted answer"))
    fraction = StringField(_l("Grade"), default="1", validators=[_grade])
    feedback = StringField(_l("Feedback"))


class NumberRow(Form):
    id = HiddenField()
    value = StringField(_l("Value"), validators=[Optional(), _number])
    tolerance = StringField(_l("Tolerance (±)"), default="0", validators=[Optional(), _number])
    fraction = StringField(_l("Grade"), default="1", validators=[_grade])
    feedback = StringField(_l("Feedback"))


class QuestionForm(FlaskForm):
    """The fields every type has; subclasses add ``payload()`` and their own fields."""

    qtype = ""
    category = SelectField(_l("Category"), coerce=int, validate_choice=False)
    new_category = StringField(_l("…or a new category"), validators=[Length(max=500)],
                               description=_l("A path such as “Luật Đấu thầu / Hợp đồng”; created when saved."))
    name = StringField(_l("Name"), validators=[Length(max=255)],
                       description=_l("Shown in the bank only; the start of the text when left empty."))
    text = TextAreaField(_l("Question text"), validators=[DataRequired()], render_kw={"rows": 5},
                         description=_l("HTML is allowed; a new line starts a new line."))
    default_mark = StringField(_l("Default mark"), default="1", validators=[_positive_mark])
    general_feedback = TextAreaField(_l("General feedback"), render_kw={"rows": 2})
    difficulty = SelectField(_l("Difficulty"), validate_choice=False)
    difficulty_value = StringField(_l("Difficulty (number)"), validators=[Optional(), _number],
                                   description=_l("Optional, e.g. a facility index from item analysis."))
    legal_reference = StringField(_l("Legal document"), validators=[Length(max=500)],
                                  description=_l("e.g. Luật Đấu thầu số 22/2023/QH15"))
    legal_article = StringField(_l("Article"), validators=[Length(max=255)], description=_l("e.g. Điều 5, khoản 2"))
    tags = StringField(_l("Tags"), validators=[Length(max=2000)], description=_l("Separated by commas."))
    submit = SubmitField(_l("Save as a new version"))

    ROWS: tuple = ()   # names of the FieldLists of answer rows

    def set_choices(self, categories, current_difficulty=None) -> None:
        self.category.choices = [(c.id, c.path) for c in categories]
        self.difficulty.choices = [("", "—")] + [(k, str(v)) for k, v in labels.DIFFICULTIES.items()]
        if current_difficulty and current_difficulty not in labels.DIFFICULTIES:
            self.difficulty.choices.append((current_difficulty, current_difficulty))

    @classmethod
    def data_of(cls, version, question=None) -> dict:
        """The form's initial data for ``version`` (with blank rows to add answers)."""
        data = {"name": version.name, "text": version.text, "default_mark": version.default_mark,
                "general_feedback": version.general_feedback, "difficulty": version.difficulty or "",
                "difficulty_value": "" if version.difficulty_value is None else f"{version.difficulty_value:g}",
                "legal_reference": version.legal_reference or "", "legal_article": version.legal_article or "",
                "tags": ", ".join(version.tags or [])}
        if question is not None:
            data["category"] = question.category_id
        data.update(cls.payload_data(version.payload or {}))
        for name in cls.ROWS:
            data[name] = list(data.get(name, [])) + [{} for _ in range(BLANK_ROWS)]
        return data

    @staticmethod
    def payload_data(payload: dict) -> dict:
        return {}

    def payload(self, previous: dict) -> dict:
        return {}

    def meta_fields(self) -> dict:
        value = parse_decimal(self.difficulty_value.data) if (self.difficulty_value.data or "").strip() else None
        return {"difficulty": self.difficulty.data or None, "difficulty_value": None if value is None else float(value),
                "legal_reference": (self.legal_reference.data or "").strip() or None,
                "legal_article": (self.legal_article.data or "").strip() or None}

    def parsed(self, previous=None) -> ParsedQuestion:
        """The form as a ParsedQuestion (``previous``: the version edited, whose penalty,
        idnumber and answer ids carry over)."""
        text = to_html(self.text.data)
        old = previous.payload if previous is not None and previous.qtype == self.qtype else {}
        return ParsedQuestion(
            qtype=self.qtype, name=" ".join((self.name.data or "").split()) or default_name(text), text=text,
            default_mark=(self.default_mark.data or "1").strip().replace(",", "."),
            general_feedback=to_html(self.general_feedback.data),
            penalty=previous.penalty if previous is not None else "0", payload=self.payload(old or {}),
            tags=tuple(qc.clean_tags((self.tags.data or "").split(","))),
            idnumber=previous.idnumber if previous is not None else None)

    def checked(self, previous=None):
        """(ParsedQuestion or None, problems, warnings): the importers' checks, NFC and the
        DECISIONS.md 14 rule (choices referring to others keep their order)."""
        parsed = self.parsed(previous)
        problems = [str(p) for p in check(parsed)]
        if problems:
            return None, problems, []
        issues = Issues()
        finish(parsed, issues)
        return parsed, [], [str(w.message) for w in issues.warnings]


def _rows(field, keys) -> list[dict]:
    """Filled rows of a FieldList, each with a stable id (kept, or the next free one)."""
    rows = [{k: (getattr(entry.form, k).data or "").strip() for k in ("id", *keys)} for entry in field]
    rows = [r for r in rows if any(r[k] for k in keys if k not in ("fraction", "tolerance"))]
    used = {r["id"] for r in rows if r["id"]}
    n = 0
    for row in rows:
        if not row["id"] or row["id"] in {x["id"] for x in rows if x is not row and x["id"] == row["id"]}:
            while answer_id(n) in used:
                n += 1
            row["id"] = answer_id(n)
            used.add(row["id"])
    return rows


class MultichoiceForm(QuestionForm):
    qtype = "multichoice"
    ROWS = ("answers",)
    single = BooleanField(_l("Only one answer may be chosen"), default=True)
    shuffle_answers = BooleanField(_l("Shuffle the options"), default=True)
    answer_numbering = SelectField(_l("Numbering"), default="abc", choices=[("abc", "a. b. c."), ("ABCD", "A. B. C."),
                                                             ("123", "1. 2. 3."), ("none", _l("none"))])
    answers = FieldList(FormField(ChoiceRow), min_entries=4, max_entries=26, label=_l("Options"))

    @staticmethod
    def payload_data(p):
        return {"single": p.get("single", True), "shuffle_answers": p.get("shuffle_answers", True),
                "answer_numbering": p.get("answer_numbering", "abc"), "answers": p.get("answers", [])}

    def payload(self, previous):
        rows = _rows(self.answers, ("text", "fraction", "feedback"))
        return {"single": bool(self.single.data), "shuffle_answers": bool(self.shuffle_answers.data),
                "answer_numbering": self.answer_numbering.data,
                "answers": [{"id": r["id"], "text": to_html(r["text"]), "fraction": parse_grade(r["fraction"]) or "0",
                             "feedback": to_html(r["feedback"])} for r in rows]}


class TruefalseForm(QuestionForm):
    qtype = "truefalse"
    correct = RadioField(_l("Right answer"), choices=[("true", _l("True")), ("false", _l("False"))],
                         validators=[DataRequired()])
    feedback_true = StringField(_l("Feedback for “True”"))
    feedback_false = StringField(_l("Feedback for “False”"))

    @staticmethod
    def payload_data(p):
        return {"correct": "true" if p.get("correct") else "false",
                "feedback_true": p.get("feedback_true", ""), "feedback_false": p.get("feedback_false", "")}

    def payload(self, previous):
        return {"correct": self.correct.data == "true", "feedback_true": to_html(self.feedback_true.data),
                "feedback_false": to_html(self.feedback_false.data)}


class ShortanswerForm(QuestionForm):
    qtype = "shortanswer"
    ROWS = ("answers",)
    case_sensitive = BooleanField(_l("Capitals matter"))
    answers = FieldList(FormField(TextRow), min_entries=1, max_entries=20, label=_l("Accepted answers"))

    @staticmethod
    def payload_data(p):
        return {"case_sensitive": p.get("case_sensitive", False), "answers": p.get("answers", [])}

    def payload(self, previous):
        rows = _rows(self.answers, ("text", "fraction", "feedback"))
        return {"case_sensitive": bool(self.case_sensitive.data),
                "answers": [{"text": r["text"], "fraction": parse_grade(r["fraction"]) or "0",
                             "feedback": to_html(r["feedback"])} for r in rows]}


class NumericalForm(QuestionForm):
    qtype = "numerical"
    ROWS = ("answers",)
    answers = FieldList(FormField(NumberRow), min_entries=1, max_entries=20, label=_l("Accepted answers"))

    @staticmethod
    def payload_data(p):
        return {"answers": p.get("answers", [])}

    def payload(self, previous):
        rows = _rows(self.answers, ("value", "tolerance", "fraction", "feedback"))
        return {"answers": [{"value": r["value"].replace(",", "."),
                             "tolerance": (r["tolerance"] or "0").replace(",", "."),
                             "fraction": parse_grade(r["fraction"]) or "0", "feedback": to_html(r["feedback"])}
                            for r in rows if r["value"]]}


class EssayForm(QuestionForm):
    qtype = "essay"
    response_format = SelectField(_l("Answer box"), default="editor", choices=[("editor", _l("Formatted text")),
                                                            ("plain", _l("Plain text"))])
    grader_info = TextAreaField(_l("Information for markers"), render_kw={"rows": 3})
    response_template = TextAreaField(_l("Answer template"), render_kw={"rows": 3})

    @staticmethod
    def payload_data(p):
        return {"response_format": p.get("response_format", "editor"), "grader_info": p.get("grader_info", ""),
                "response_template": p.get("response_template", "")}

    def payload(self, previous):
        return {**previous, "response_format": self.response_format.data, "grader_info": to_html(self.grader_info.data),
                "response_template": (self.response_template.data or "").replace("\r\n", "\n")}


class DescriptionForm(QuestionForm):
    qtype = "description"


EDITORS = {f.qtype: f for f in (MultichoiceForm, TruefalseForm, ShortanswerForm, NumericalForm, EssayForm,
                                DescriptionForm)}


def editor_for(qtype: str):
    """The form class editing ``qtype``, or None when the type is shown read-only."""
    return EDITORS.get(qtype)
