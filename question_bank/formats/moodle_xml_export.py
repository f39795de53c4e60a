"""Moodle XML export, in the shape qformat_xml writes (question/format/xml/format.php,
https://docs.moodle.org/en/Moodle_XML_format): category records when the category changes,
HTML texts, ``<file encoding="base64">`` for embedded images, grades as percentages.
Everything :mod:`.moodle_xml` reads is written, so an import → export → import round trip
gives the same questions.
"""
from __future__ import annotations

import base64
import posixpath
import re
from fractions import Fraction
from xml.etree.ElementTree import Element, SubElement, tostring

from .gift_export import category_line, weight

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def export_moodle_xml(questions, categories=None) -> bytes:
    info = {c.path: c for c in categories or []}
    quiz, category = Element("quiz"), None
    for question in questions:
        if question.category != category:
            category = question.category
            _category(quiz, category, info.get(category))
        _question(quiz, question)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="unicode").encode() + b"\n"


def _text(parent, tag: str, text: str, fmt: str | None = "html", files=None) -> Element:
    element = SubElement(parent, tag, {"format": fmt} if fmt else {})
    SubElement(element, "text").text = _ILLEGAL.sub("", text or "")
    for name, data in (files or {}).items():
        folder, base = posixpath.split(name)
        SubElement(element, "file", {"name": base, "path": f"/{folder}/" if folder else "/",
                                     "encoding": "base64"}).text = base64.b64encode(data).decode()
    return element


def _value(parent, tag: str, value) -> None:
    SubElement(parent, tag).text = _ILLEGAL.sub("", str(value))


def _category(quiz, path, record) -> None:
    element = SubElement(quiz, "question", {"type": "category"})
    _text(element, "category", category_line(path), None)
    _text(element, "info", record.info if record else "")
    _value(element, "idnumber", (record.idnumber or "") if record else "")


def _question(quiz, q) -> None:
    element = SubElement(quiz, "question", {"type": q.qtype})
    _text(element, "name", q.name, None)
    text = _cloze_text(q) if q.qtype == "cloze" else q.text
    _text(element, "questiontext", text, files=q.files)
    _text(element, "generalfeedback", q.general_feedback)
    _value(element, "defaultgrade", q.default_mark)
    _value(element, "penalty", _decimal(q.penalty))
    _value(element, "hidden", 0)
    _value(element, "idnumber", q.idnumber or "")
    _WRITERS[q.qtype](element, q.payload)
    if q.tags:
        tags = SubElement(element, "tags")
        for tag in q.tags:
            SubElement(SubElement(tags, "tag"), "text").text = _ILLEGAL.sub("", tag)


def _decimal(fraction: str) -> str:
    value = Fraction(fraction)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.7f}"


def _answer(parent, fraction: str, text: str, feedback: str, fmt="html", extra=None) -> Element:
    answer = _text(parent, "answer", text, fmt)
    answer.set("fraction", weight(fraction))
    for tag, value in (extra or {}).items():
        _value(answer, tag, value)
    _text(answer, "feedback", feedback)
    return answer


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _multichoice(element, p) -> None:
    _value(element, "single", _flag(p["single"]))
    _value(element, "shuffleanswers", _flag(p["shuffle_answers"]))
    _value(element, "answernumbering", p["answer_numbering"])
    for a in p["answers"]:
        _answer(element, a["fraction"], a["text"], a["feedback"])


def _truefalse(element, p) -> None:
    _answer(element, "1" if p["correct"] else "0", "true", p["feedback_true"], "moodle_auto_format")
    _answer(element, "0" if p["correct"] else "1", "false", p["feedback_false"], "moodle_auto_format")


def _shortanswer(element, p) -> None:
    _value(element, "usecase", int(p["case_sensitive"]))
    for a in p["answers"]:
        _answer(element, a["fraction"], a["text"], a["feedback"], "moodle_auto_format")


def _numerical(element, p) -> None:
    for a in p["answers"]:
        _answer(element, a["fraction"], a["value"], a["feedback"], "moodle_auto_format",
                {"tolerance": a["tolerance"]})


def _essay(element, p) -> None:
    _value(element, "responseformat", p["response_format"])
    _text(element, "graderinfo", p["grader_info"])
    _text(element, "responsetemplate", p["response_template"])


def _matching(element, p) -> None:
    _value(element, "shuffleanswers", _flag(p["shuffle_answers"]))
    for s in p["subquestions"]:
        sub = _text(element, "subquestion", s["text"])
        _text(sub, "answer", s["answer"], None)


def _ordering(element, p) -> None:
    for position, item in enumerate(p["items"], start=1):
        _text(element, "answer", item["text"]).set("fraction", str(position))


def _nothing(element, p) -> None:
    return None


_WRITERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
            "numerical": _numerical, "essay": _essay, "matching": _matching,
            "ordering": _ordering, "cloze": _nothing, "description": _nothing}


# --- cloze ----------------------------------------------------------------------------------

def _cloze_text(q) -> str:
    parts = {p["id"]: p for p in q.payload["parts"]}
    return re.sub(r"\{#(\d+)\}", lambda m: _gap(parts[m.group(1)]) if m.group(1) in parts else m.group(0),
                  q.text)


def _gap(part) -> str:
    p, kind = part["payload"], part["qtype"]
    if kind == "multichoice":
        code = _mc_code(part)
        alternatives = [(a["fraction"], a["text"], a["feedback"]) for a in p["answers"]]
    elif kind == "shortanswer":
        code = "SHORTANSWER_C" if p["case_sensitive"] else "SHORTANSWER"
        alternatives = [(a["fraction"], a["text"], a["feedback"]) for a in p["answers"]]
    else:
        code = "NUMERICAL"
        alternatives = [(a["fraction"], a["value"] if a["value"] == "*" else f"{a['value']}:{a['tolerance']}",
                         a["feedback"]) for a in p["answers"]]
    body = "~".join(_alternative(*a) for a in alternatives)
    return "{%s:%s:%s}" % (part.get("mark", "1"), code, body)


def _mc_code(part) -> str:
    p = part["payload"]
    base = "MULTICHOICE" if p["single"] else "MULTIRESPONSE"
    display = {"vertical": "_V", "horizontal": "_H"}.get(part.get("display", "dropdown"), "")
    if not p["single"]:
        display = "_H" if display == "_H" else ""
    suffix = display + ("S" if p["shuffle_answers"] else "")
    return base + (suffix if suffix.startswith("_") else ("_" + suffix if suffix else ""))


def _alternative(fraction: str, text: str, feedback: str) -> str:
    value = Fraction(fraction)
    mark = "=" if value == 1 else ("" if value == 0 else f"%{weight(fraction)}%")
    return mark + _escape(text) + (f"#{_escape(feedback)}" if feedback else "")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("}", "\\}").replace("~", "\\~").replace("#", "\\#")
