"""The question editor: one WTForms form per editable type, filled from a version and turned
back into a :class:`ParsedQuestion` (the format-neutral record the importers return, so the
editor and the importers share one set of checks, ``formats.questions``).

Every type the bank holds is editable: multiple choice (one or several right answers),
true/false, short answer, numerical, essay, matching (pairs and extra wrong answers), ordering
(items in the right order), embedded answers (cloze, Moodle's ``{1:MULTICHOICE:=right~wrong}``
syntax) and description.  Answer ids stay the same from version to version, so a response
saved against an older version still names the same option; a form saved untouched gives the
very payload it was filled from, so it makes no new version.

Beyond the importers' checks the editor applies Moodle's form rules on grades: a question
with one right answer needs an answer worth 1 (full marks); the positive grades of a
multiple-response question add up to exactly 1 — for whole questions and for each gap.
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
from question_bank.formats import cloze as cloze_format
from question_bank.formats.grades import fraction_str, moodle_grade, parse_decimal
from question_bank.formats.moodle_xml_export import _gap as gap_source
from question_bank.formats.questions import _CHECKS, answer_id, check, finish
from question_bank.formats.model import Issues
from question_bank.formats.text import default_name, html_to_plain, sanitise

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
    not a grade between -1 and 1.  A rounded form of one of Moodle's grades ('33.33333%',
    '0.3333333') is read as the exact grade ('1/3'), so three of them add up to 1."""
    raw = str(text or "").strip().replace(" ", "")
    try:
        if raw.endswith("%"):
            value = Fraction(parse_decimal(raw[:-1])) / 100
            raw = str(value)
        else:
            value = Fraction(raw.replace(",", "."))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not -1 <= value <= 1:
        return None
    exact = moodle_grade(value)
    if exact is not None and exact != value:
        return fraction_str(exact)
    return raw.replace(",", ".")


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
    previous = None    # the version edited (set by the view), None for a new question

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


def _filled(field, keys) -> list[dict]:
    """The rows of a FieldList with something typed in them (a grade or a tolerance alone
    does not count: those fields have defaults), each with its 1-based ``row`` number."""
    rows = [{"row": n, **{k: (getattr(entry.form, k).data or "").strip() for k in ("id", *keys)}}
            for n, entry in enumerate(field, start=1)]
    return [r for r in rows if any(r[k] for k in keys if k not in ("fraction", "tolerance"))]


def _rows(field, keys) -> list[dict]:
    """Filled rows of a FieldList, each with a stable id (kept, or the next free one)."""
    rows = _filled(field, keys)
    used = {r["id"] for r in rows if r["id"]}
    n = 0
    for row in rows:
        if not row["id"] or row["id"] in {x["id"] for x in rows if x is not row and x["id"] == row["id"]}:
            while answer_id(n) in used:
                n += 1
            row["id"] = answer_id(n)
            used.add(row["id"])
    return rows


_KEPT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def _numbered(rows) -> list[dict]:
    """Stable ids "1", "2" … for matching pairs and ordering items (the importers' ids): a
    row keeps its id; a new row (or one whose id is repeated or malformed) takes the smallest
    free number."""
    used = {r["id"] for r in rows if _KEPT_ID.match(r["id"])}
    seen, n = set(), 1
    for row in rows:
        if not _KEPT_ID.match(row["id"]) or row["id"] in seen:
            while str(n) in used:
                n += 1
            row["id"] = str(n)
            used.add(row["id"])
        seen.add(row["id"])
    return rows


def _in_previous_order(rows, previous: list) -> list[dict]:
    """``rows`` with those that were in ``previous`` (a list of dicts with ids) in their old
    order, new ones after them, so an untouched form gives back the same list."""
    position = {item.get("id"): i for i, item in enumerate(previous or [])}
    return [r for _key, r in sorted(((position.get(r["id"], len(position) + i), r) for i, r in enumerate(rows)),
                                    key=lambda pair: pair[0])]


def grade_rules(qtype: str, payload: dict) -> list:
    """Moodle's form rules on grades, beyond the importers' checks (which refuse a question
    with no positive grade at all): one right answer worth 1 (full marks) for a question with
    one answer; positive grades adding up to exactly 1 for a multiple-response question."""
    try:
        fractions = [Fraction(str(a.get("fraction", "0"))) for a in payload.get("answers", [])]
    except (ValueError, ZeroDivisionError):
        return []
    positive = [f for f in fractions if f > 0]
    if not positive:
        return []
    if qtype == "multichoice" and not payload.get("single", True):
        total = sum(positive, Fraction(0))
        if total != 1:
            return [_l("The positive grades add up to %(total)s; they must add up to 1 (full marks) when several "
                       "options are right.", total=fraction_str(total))]
        return []
    if max(positive) != 1:
        return [_l("One answer must have the grade 1 (full marks), so that a full mark is possible; the best "
                   "now gives %(best)s.", best=fraction_str(max(positive)))]
    return []


def _raise_all(field, messages) -> None:
    """Put every message of ``messages`` on ``field`` (the last one raised, which fails it)."""
    if messages:
        field.errors.extend(str(m) for m in messages[:-1])
        raise ValidationError(messages[-1])


def _rows_have_errors(field) -> bool:
    return any(isinstance(e, dict) and e for e in field.errors)


class _GradedAnswers:
    """The grade rules (:func:`grade_rules`) on a form's table of answers."""

    def validate_answers(self, field):
        if not _rows_have_errors(field):
            _raise_all(field, grade_rules(self.qtype, self.payload({})))


class MultichoiceForm(_GradedAnswers, QuestionForm):
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


class ShortanswerForm(_GradedAnswers, QuestionForm):
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


class NumericalForm(_GradedAnswers, QuestionForm):
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


class PairRow(Form):
    id = HiddenField()
    text = TextAreaField(_l("Item"), render_kw={"rows": 2})
    answer = StringField(_l("Matching answer"), validators=[Length(max=255)])


class DistractorRow(Form):
    id = HiddenField()
    answer = StringField(_l("Extra wrong answer"), validators=[Length(max=255)])


def _has_item(sub: dict) -> bool:
    """A matching subquestion with an item (text or image); without one it is a wrong answer."""
    text = sub.get("text") or ""
    return bool(html_to_plain(text)) or "<img" in text


class MatchingForm(QuestionForm):
    """Pairs item → answer, and extra wrong answers (stored as pairs without an item, as
    Moodle does).  The examinee picks each item's answer from all the answers."""

    qtype = "matching"
    ROWS = ("pairs", "distractors")
    shuffle_answers = BooleanField(_l("Shuffle the answers"), default=True)
    pairs = FieldList(FormField(PairRow), min_entries=3, max_entries=30, label=_l("Pairs"))
    distractors = FieldList(FormField(DistractorRow), min_entries=1, max_entries=20,
                            label=_l("Extra wrong answers (optional)"))

    @staticmethod
    def payload_data(p):
        subs = p.get("subquestions", [])
        return {"shuffle_answers": p.get("shuffle_answers", True),
                "pairs": [s for s in subs if _has_item(s)], "distractors": [s for s in subs if not _has_item(s)]}

    def _subquestions(self, previous) -> list[dict]:
        rows = _filled(self.pairs, ("text", "answer")) + [
            {**r, "text": ""} for r in _filled(self.distractors, ("answer",))]
        rows = _in_previous_order(_numbered(rows), previous.get("subquestions"))
        return [{"id": r["id"], "text": to_html(r["text"]), "answer": r["answer"]} for r in rows]

    def payload(self, previous):
        return {**previous, "shuffle_answers": bool(self.shuffle_answers.data),
                "subquestions": self._subquestions(previous)}

    def validate_pairs(self, field):
        if _rows_have_errors(field):
            return
        problems, seen, pairs = [], {}, 0
        for row in _filled(field, ("text", "answer")):
            item = html_to_plain(to_html(row["text"])).casefold()
            if not item and "<img" not in row["text"]:
                problems.append(_l("Pair %(n)d: write the item, or put this answer under the extra wrong answers.",
                                   n=row["row"]))
                continue
            pairs += 1
            if not row["answer"]:
                problems.append(_l("Pair %(n)d: write the answer that matches this item.", n=row["row"]))
            if item and item in seen:
                problems.append(_l("Pairs %(a)d and %(b)d have the same item; the examinee could not tell them "
                                   "apart.", a=seen[item], b=row["row"]))
            seen.setdefault(item, row["row"])
        if pairs < 2:
            problems.insert(0, _l("A matching question needs at least 2 pairs; it has %(n)s.", n=pairs))
        _raise_all(field, problems)


class ItemRow(Form):
    id = HiddenField()
    text = TextAreaField(_l("Item"), render_kw={"rows": 2})


ORDERING_GRADING = [("all_or_nothing", _l("All or nothing")),
                    ("absolute_position", _l("A share for each item in its place"))]


class OrderingForm(QuestionForm):
    """Items in the right order; the examinee always gets them shuffled."""

    qtype = "ordering"
    ROWS = ("items",)
    grading = SelectField(_l("Grading"), default="all_or_nothing", choices=ORDERING_GRADING,
                          description=_l("All or nothing: the mark only for the exact order. A share for each item "
                                         "in its place: 3 of 4 items in their right places earn 3/4 of the mark."))
    items = FieldList(FormField(ItemRow), min_entries=4, max_entries=30,
                      label=_l("Items, in the right order (first at the top)"))

    @staticmethod
    def payload_data(p):
        return {"grading": p.get("grading", "all_or_nothing"), "items": p.get("items", [])}

    def payload(self, previous):
        rows = _numbered(_filled(self.items, ("text",)))
        payload = {**previous, "items": [{"id": r["id"], "text": to_html(r["text"])} for r in rows]}
        if self.grading.data != "all_or_nothing" or "grading" in previous:
            payload["grading"] = self.grading.data
        return payload

    def validate_items(self, field):
        if _rows_have_errors(field):
            return
        rows = _filled(field, ("text",))
        problems, seen = [], {}
        if len(rows) < 2:
            problems.append(_l("An ordering question needs at least 2 items; it has %(n)s.", n=len(rows)))
        for row in rows:
            text = html_to_plain(to_html(row["text"])).casefold()
            if text and text in seen:
                problems.append(_l("Items %(a)d and %(b)d have the same text; the examinee could not tell them "
                                   "apart.", a=seen[text], b=row["row"]))
            seen.setdefault(text, row["row"])
        _raise_all(field, problems)


# --- embedded answers (cloze) --------------------------------------------------------------

_GAP_START = re.compile(r"\{([0-9]*):([A-Za-z_]+):")
_PLACEHOLDER = re.compile(r"\{#(\d+)\}")


def _gap_end(source: str, start: int) -> int | None:
    """The index of the ``}`` closing the gap opened at ``start`` (``\\}`` is escaped); None
    when the gap is not closed before the text ends or another ``{`` opens."""
    i = start + 1
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "}":
            return i
        if source[i] == "{":
            return None
        i += 1
    return None


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _snap(payload: dict) -> dict:
    """A gap's grades as exact fractions: '%33.33333%' → '1/3' (Moodle's grade list)."""
    for answer in payload.get("answers", []):
        value = Fraction(answer["fraction"])
        exact = moodle_grade(value)
        if exact is not None and exact != value:
            answer["fraction"] = fraction_str(exact)
    return payload


def _read_gap(part_id: str, gap: str, start: re.Match):
    """(part, None) for a well-formed gap, or (None, the problem)."""
    match = cloze_format.GAP.fullmatch(gap)
    if match is None:
        kind = start.group(2)
        if kind not in cloze_format._TYPES:
            return None, _l("“%(kind)s” is not a type of gap; write MULTICHOICE (MC), MULTIRESPONSE (MR), "
                            "SHORTANSWER (SA) or NUMERICAL (NM), in capitals.", kind=kind)
        if not gap[start.end() - start.start():-1].strip():
            return None, _l("it has no answers.")
        return None, _l("its answers cannot be read (is one of them empty?); write them as "
                        "=right answer#feedback~wrong answer#feedback.")
    try:
        part = cloze_format._part(part_id, match)
    except cloze_format.ClozeError as exc:
        return None, exc.args[0]
    except (ValueError, ArithmeticError):
        return None, _l("a grade cannot be read; write =, or a percentage such as %(example)s.", example="%50%")
    if int(part["mark"]) == 0:
        return None, _l("its weight (the number before the first colon) must be 1 or more.")
    part["payload"] = _snap(part["payload"])
    answers = part["payload"].get("answers", [])
    if any(not -1 <= Fraction(a["fraction"]) <= 1 for a in answers):
        return None, _l("a grade is outside -100 … 100 percent.")
    problems = [*_CHECKS[part["qtype"]](part["payload"]), *grade_rules(part["qtype"], part["payload"])]
    return (None, problems[0]) if problems else (part, None)


def parse_cloze(source: str, previous_parts=()) -> tuple[str, list[dict], list]:
    """(text with ``{#n}`` placeholders, parts, problems) of the editor's cloze text.

    Gaps are numbered in the text's order and every problem names the gap: "Gap 2
    “{1:MULTICHOICE:=a~=b}”: …".  A gap written exactly as the previous version's gap of the
    same number keeps that part as it was (so an untouched save changes nothing)."""
    source = (source or "").replace("\r\n", "\n")
    previous = {p.get("id"): p for p in previous_parts or ()}
    out, parts, problems, pos, n = [], [], [], 0, 0
    while (start := _GAP_START.search(source, pos)) is not None:
        n += 1
        end = _gap_end(source, start.start())
        if end is None:
            problems.append(_l("Gap %(n)d “%(gap)s”: it is not closed with “}”.", n=n,
                               gap=_short(source[start.start():])))
            out.append(source[pos:start.end()])
            pos = start.end()
            continue
        gap = source[start.start():end + 1]
        out.append(source[pos:start.start()])
        pos = end + 1
        old = previous.get(str(n))
        if old is not None and _source_of_part(old) == gap:
            part, problem = old, None
        else:
            part, problem = _read_gap(str(n), gap, start)
        if problem is not None:
            problems.append(_l("Gap %(n)d “%(gap)s”: %(problem)s", n=n, gap=_short(gap), problem=problem))
            out.append(gap)
            continue
        parts.append(part)
        out.append("{#%d}" % n)
    out.append(source[pos:])
    if not parts and not problems:
        problems.append(_l("Write at least one embedded answer (gap) in the text, such as %(example)s.",
                           example="{1:MULTICHOICE:=right~wrong}"))
    return "".join(out), parts, problems


def _source_of_part(part: dict) -> str | None:
    try:
        return gap_source(part)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def cloze_source(text: str, payload: dict) -> str:
    """The editor's text of a stored cloze question: each ``{#n}`` back in Moodle's syntax."""
    parts = {p["id"]: p for p in payload.get("parts", [])}

    def gap(match):
        part = parts.get(match.group(1))
        return (_source_of_part(part) or match.group(0)) if part else match.group(0)

    return _PLACEHOLDER.sub(gap, text or "")


class ClozeForm(QuestionForm):
    """Embedded answers: the text holds the gaps in Moodle's syntax; the parts are read from it."""

    qtype = "cloze"
    text = TextAreaField(_l("Question text with embedded answers"), validators=[DataRequired()],
                         render_kw={"rows": 8, "spellcheck": "false"},
                         description=_l("Each gap is written {weight:TYPE:answers} in the text; see the syntax below."))

    @classmethod
    def data_of(cls, version, question=None):
        data = super().data_of(version, question)
        data["text"] = cloze_source(version.text, version.payload or {})
        return data

    def _cloze(self, previous: dict):
        text, parts, _problems = parse_cloze(self.text.data, previous.get("parts", []))
        return to_html(text), parts

    def payload(self, previous):
        return {**previous, "parts": self._cloze(previous)[1]}

    def parsed(self, previous=None):
        question = super().parsed(previous)
        old = previous.payload if previous is not None and previous.qtype == self.qtype else {}
        question.text = self._cloze(old or {})[0]
        if not " ".join((self.name.data or "").split()):
            question.name = default_name(_PLACEHOLDER.sub("___", question.text))
        return question

    def validate_text(self, field):
        previous = getattr(self, "previous", None)
        old = previous.payload.get("parts", []) if previous is not None and previous.qtype == self.qtype else []
        if not field.errors:
            _raise_all(field, parse_cloze(field.data, old)[2])


class DescriptionForm(QuestionForm):
    """Text only: no answer, not graded, mark 0 (as the importers store it)."""

    qtype = "description"

    def parsed(self, previous=None):
        question = super().parsed(previous)
        question.default_mark, question.penalty = "0", "0"
        return question


EDITORS = {f.qtype: f for f in (MultichoiceForm, TruefalseForm, ShortanswerForm, NumericalForm, EssayForm,
                                MatchingForm, OrderingForm, ClozeForm, DescriptionForm)}


def editor_for(qtype: str):
    """The form class editing ``qtype`` (every type of labels.QTYPES), or None for another."""
    return EDITORS.get(qtype)
