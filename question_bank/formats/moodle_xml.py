"""Moodle XML import, following question/format/xml/format.php and
https://docs.moodle.org/en/Moodle_XML_format.

``<quiz>`` holds ``<question type="…">`` elements.  ``type="category"`` switches category
(``$course$/top/A/B``, ``//`` for a slash in a name) and carries ``<info>`` and ``<idnumber>``.
Every core type the payload contract knows is read: multichoice (single, shuffleanswers,
answernumbering), truefalse, shortanswer (usecase), numerical (tolerance), essay, matching,
ordering, cloze (multianswer), description.  Texts carry a format (html, moodle_auto_format,
plain_text, markdown) and ``<file name encoding="base64">`` images referenced as
``@@PLUGINFILE@@/name``; the Moodle 1.9 ``<image>``/``<image_base64>`` pair is read too.
Answer grades must be Moodle grades (:mod:`.grades`), as Moodle itself insists.  Other types
(plugins such as gapfill, or calculated/drag-and-drop) are refused by name.
"""
from __future__ import annotations

import base64
import binascii
from fractions import Fraction
from urllib.parse import unquote

from flask_babel import lazy_gettext as _l

from . import cloze
from .gift import category_path
from .grades import decimal_str, fraction_str, mark_str, moodle_grade, parse_decimal, parse_number, penalty_str
from .model import CategoryInfo, Issues, ParsedQuestion
from .questions import finish, multichoice_payload
from .text import clean_name, default_name, to_html
from .xmlsafe import XmlError, child, children, line_of, local, parse_xml, text_of

FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain",
           "markdown": "markdown", "moodle": "moodle", "plain": "plain"}
_NUMBERING = {"abc": "abc", "ABCD": "ABCD", "123": "123", "none": "none", "iii": "123", "IIII": "123"}
_UNSUPPORTED_CORE = {"calculated", "calculatedsimple", "calculatedmulti", "ddwtos", "ddimageortext",
                     "ddmarker", "gapselect", "randomsamatch", "random"}


class QuestionError(Exception):
    """Stops one question: (line, lazy message)."""


def parse_moodle_xml(data: bytes, issues: Issues) -> list:
    try:
        root = parse_xml(data)
    except XmlError as exc:
        issues.error(exc.line, exc.message)
        return []
    if local(root.tag) != "quiz":
        issues.error(line_of(root), _l("The root element is <%(root)s>; Moodle XML starts with <quiz>.",
                                       root=local(root.tag)))
        return []
    questions, category = [], ()
    for element in children(root, "question"):
        if element.get("type") == "category":
            category = _category(element, issues)
            continue
        question = _question(element, category, issues)
        if question is not None:
            questions.append(question)
    return questions


def _category(element, issues: Issues) -> tuple[str, ...]:
    path = category_path(text_of(element, "category", "text"))
    info = child(element, "info")
    issues.categories.append(CategoryInfo(
        path, formatted(info, {})[0] if info is not None else "",
        text_of(element, "idnumber").strip() or None))
    return path


def _question(element, category, issues: Issues) -> ParsedQuestion | None:
    qtype, line = element.get("type") or "", line_of(element)
    name = clean_name(text_of(element, "name", "text"))
    reader = _READERS.get(qtype)
    if reader is None:
        issues.error(line, _unsupported(qtype), name)
        return None
    try:
        question = _common(element, qtype, category, line)
        reader(element, question, issues)
    except QuestionError as exc:
        issues.error(exc.args[0] or line, exc.args[1], name)
        return None
    return finish(question, issues)


def _unsupported(qtype: str):
    if qtype in _UNSUPPORTED_CORE:
        return _l("The Moodle question type “%(qtype)s” is not supported by Sát hạch; the question "
                  "was skipped.", qtype=qtype)
    return _l("Unknown question type “%(qtype)s” (a Moodle plugin?); only multichoice, truefalse, "
              "shortanswer, numerical, essay, matching, ordering, cloze and description can be "
              "imported. The question was skipped.", qtype=qtype or "?")


def _common(element, qtype, category, line) -> ParsedQuestion:
    files: dict[str, bytes] = {}
    text = formatted(child(element, "questiontext"), files)[0] + _legacy_image(element, files)
    question = ParsedQuestion(
        qtype=_QTYPE_NAMES.get(qtype, qtype), name=clean_name(text_of(element, "name", "text")), text=text,
        category=category, default_mark=mark_str(text_of(element, "defaultgrade", default="1")),
        general_feedback=formatted(child(element, "generalfeedback"), files)[0],
        penalty=penalty_str(text_of(element, "penalty", default="0.3333333")),
        tags=_tags(element),
        idnumber=text_of(element, "idnumber").strip() or None, line=line, files=files)
    question.name = question.name or default_name(question.text)
    return question


def _tags(element) -> tuple[str, ...]:
    tags = child(element, "tags")
    found = (text_of(tag, "text").strip() for tag in children(tags, "tag")) if tags is not None else ()
    return tuple(t for t in found if t)


def formatted(element, files: dict, default: str = "moodle_auto_format") -> tuple[str, str]:
    """(sanitised HTML, format) of an element holding ``<text>`` and ``<file>`` children."""
    if element is None:
        return "", "moodle"
    fmt = FORMATS.get(element.get("format", default), "moodle")
    for item in children(element, "file"):
        _add_file(item, files)
    return to_html(text_of(element, "text"), fmt), fmt


def _add_file(element, files: dict) -> None:
    name = unquote(element.get("name") or "")
    folder = (element.get("path") or "/").strip("/")
    try:
        data = base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise QuestionError(line_of(element), _l("The embedded file “%(name)s” is not valid base64.",
                                                 name=name)) from None
    if name:
        files[f"{folder}/{name}" if folder else name] = data


def _legacy_image(element, files: dict) -> str:
    """Moodle 1.9 ``<image>name</image><image_base64>…`` → an embedded file and an <img>."""
    name, data = text_of(element, "image").strip(), text_of(element, "image_base64").strip()
    if not name or not data:
        return ""
    try:
        files[name.rsplit("/", 1)[-1]] = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise QuestionError(line_of(child(element, "image_base64")),
                            _l("The legacy image “%(name)s” is not valid base64.", name=name)) from None
    return f'<p><img src="@@PLUGINFILE@@/{name.rsplit("/", 1)[-1]}" alt=""></p>'


def _flag(element, name: str, default: bool) -> bool:
    value = text_of(element, name, default="").strip().lower()
    return default if value == "" else value in ("1", "true", "yes")


def _grade(answer) -> str:
    """The answer's fraction attribute (a percentage) as an exact Moodle grade."""
    raw = answer.get("fraction", "0")
    number = parse_number(raw)
    grade = moodle_grade(number / 100) if number is not None else None
    if grade is None:
        raise QuestionError(line_of(answer), _l(
            "The answer grade %(grade)s%% is not one of Moodle's grades (100, 90, 83.33333, 80, 75, "
            "70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, "
            "5, 0 or their negatives); Moodle refuses it too. The question was skipped.", grade=raw))
    return fraction_str(grade)


def _answers(element, question):
    """(answer element, text HTML, fraction, feedback HTML) for each <answer>."""
    for answer in children(element, "answer"):
        text = formatted(answer, question.files)[0]
        feedback = formatted(child(answer, "feedback"), question.files)[0]
        yield answer, text, _grade(answer), feedback


def _read_multichoice(element, question, issues) -> None:
    numbering = text_of(element, "answernumbering", default="abc").strip()
    if numbering not in _NUMBERING:
        issues.warn(question.line, _l("Answer numbering “%(value)s” is not known; “abc” is used.",
                                      value=numbering), question.name)
    items = [(text, fraction, feedback) for _, text, fraction, feedback in _answers(element, question)]
    question.payload = multichoice_payload(
        items, single=_flag(element, "single", True), shuffle=_flag(element, "shuffleanswers", True),
        numbering=_NUMBERING.get(numbering, "abc"))


def _read_truefalse(element, question, issues) -> None:
    found = {}
    for answer, _, fraction, feedback in _answers(element, question):
        value = text_of(answer, "text").strip().lower()
        if value not in ("true", "false"):
            raise QuestionError(line_of(answer), _l("A true/false answer must be “true” or “false”, "
                                                    "not “%(text)s”.", text=value[:20]))
        found[value] = (Fraction(fraction), feedback)
    if "true" not in found:
        raise QuestionError(question.line, _l("The true/false question has no “true” answer."))
    question.payload = {"correct": found["true"][0] == 1, "feedback_true": found["true"][1],
                        "feedback_false": found.get("false", (0, ""))[1]}


def _read_shortanswer(element, question, issues) -> None:
    answers = [{"text": text_of(a, "text").strip(), "fraction": fraction, "feedback": feedback}
               for a, _, fraction, feedback in _answers(element, question)]
    question.payload = {"case_sensitive": _flag(element, "usecase", False), "answers": answers}


def _read_numerical(element, question, issues) -> None:
    answers = []
    for answer, _, fraction, feedback in _answers(element, question):
        value = text_of(answer, "text").strip()
        number = parse_decimal(value)
        tolerance = parse_decimal(text_of(answer, "tolerance", default="0").strip() or "0")
        if (value != "*" and number is None) or tolerance is None:
            raise QuestionError(line_of(answer), _l("“%(value)s” is not a number.", value=value[:30]))
        answers.append({"value": value if value == "*" else decimal_str(number),
                        "tolerance": decimal_str(abs(tolerance)), "fraction": fraction,
                        "feedback": feedback})
    units = child(element, "units")
    if units is not None and children(units, "unit"):
        issues.warn(question.line, _l("Units are not supported; only the number is checked."),
                    question.name)
    question.payload = {"answers": answers}


def _read_essay(element, question, issues) -> None:
    response = text_of(element, "responseformat", default="editor").strip()
    question.payload = {
        "response_format": "plain" if response in ("plain", "monospaced") else "editor",
        "grader_info": formatted(child(element, "graderinfo"), question.files)[0],
        "response_template": text_of(element, "responsetemplate", "text")}


def _read_matching(element, question, issues) -> None:
    subquestions = []
    for index, sub in enumerate(children(element, "subquestion"), start=1):
        subquestions.append({"id": str(index), "text": formatted(sub, question.files)[0],
                             "answer": text_of(sub, "answer", "text").strip()})
    question.payload = {"shuffle_answers": _flag(element, "shuffleanswers", True),
                        "subquestions": subquestions}


def _read_ordering(element, question, issues) -> None:
    items = []
    for position, answer in enumerate(children(element, "answer")):
        order = parse_number(answer.get("fraction", "")) or position
        items.append((order, position, formatted(answer, question.files)[0]))
    question.payload = {"items": [{"id": str(i), "text": text}
                                  for i, (_, _, text) in enumerate(sorted(items), start=1)]}


def _read_cloze(element, question, issues) -> None:
    source = child(element, "questiontext")
    fmt = FORMATS.get(source.get("format", "moodle_auto_format"), "moodle") if source is not None else "moodle"
    try:
        text, parts = cloze.parse_parts(text_of(element, "questiontext", "text"))
    except cloze.ClozeError as exc:
        raise QuestionError(line_of(source), exc.args[0]) from None
    question.text = to_html(text, fmt) + _legacy_image(element, question.files)
    question.payload = {"parts": parts}


def _read_description(element, question, issues) -> None:
    question.default_mark, question.penalty, question.payload = "0", "0", {}


_READERS = {"multichoice": _read_multichoice, "truefalse": _read_truefalse,
            "shortanswer": _read_shortanswer, "numerical": _read_numerical, "essay": _read_essay,
            "matching": _read_matching, "match": _read_matching, "ordering": _read_ordering,
            "cloze": _read_cloze, "multianswer": _read_cloze, "description": _read_description}
_QTYPE_NAMES = {"match": "matching", "multianswer": "cloze"}
