"""GIFT export, as Moodle writes it (qformat_gift::writequestion, question/format/gift/format.php).

Texts are written with an ``[html]`` marker and GIFT's control characters escaped, so
:mod:`.gift` reads back exactly what was written.  GIFT cannot carry: default mark, penalty,
shuffling, answer numbering, case sensitivity, embedded files, weights outside Moodle's grade
list, ordering and cloze questions (these are left out with a comment line saying so).
"""
from __future__ import annotations

from fractions import Fraction

from .grades import decimal_str

_RESERVED = {"\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}", ":": "\\:",
             "\n": "\\n", "\r": ""}


def export_gift(questions) -> str:
    out, category = [], None
    for question in questions:
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: {category_line(category)}\n")
        out.append(_question(question))
    return "\n".join(out)


def category_line(path) -> str:
    return "/".join(["$course$", "top", *(p.replace("/", "//") for p in path)])


def escape(text: str) -> str:
    """Moodle's repchar: backslash and # = ~ { } : escaped, new lines as \\n."""
    return "".join(_RESERVED.get(c, c) for c in text or "")


def _question(q) -> str:
    writer = _WRITERS.get(q.qtype)
    if writer is None:
        return f"// «{q.name}»: a {q.qtype} question cannot be written in GIFT; left out.\n"
    head = _metadata(q) + f"::{escape(q.name)}::[html]{escape(q.text)}"
    return head + writer(q) + "\n"


def _metadata(q) -> str:
    items = ([f"[id:{q.idnumber}]"] if q.idnumber else []) + [f"[tag:{t}]" for t in q.tags]
    return f"// {' '.join(items)}\n" if items else ""


def _general(q, indent: str = "\t") -> str:
    if not q.general_feedback:
        return ""
    return f"{indent}####{escape(q.general_feedback)}" + ("\n" if indent else "")


def weight(fraction: str) -> str:
    """A fraction as GIFT's percentage: '1/3' → '33.33333', '-0.5' → '-50'."""
    percent = Fraction(fraction) * 100
    if percent.denominator == 1:
        return str(percent.numerator)
    return decimal_str(round(percent.numerator / percent.denominator, 5))


def _feedback(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def _multichoice(q) -> str:
    lines = ["{"]
    for answer in q.payload["answers"]:
        fraction = Fraction(answer["fraction"])
        if fraction == 1 and q.payload["single"]:
            mark = "="
        elif fraction == 0:
            mark = "~"
        else:
            mark = f"~%{weight(answer['fraction'])}%"
        lines.append(f"\t{mark}{escape(answer['text'])}{_feedback(answer['feedback'])}")
    return "\n".join(lines) + "\n" + _general(q) + "}"


def _truefalse(q) -> str:
    p = q.payload
    right, wrong = (p["feedback_true"], p["feedback_false"]) if p["correct"] else \
        (p["feedback_false"], p["feedback_true"])
    out = "{" + ("TRUE" if p["correct"] else "FALSE")
    if wrong or right:
        out += "#" + escape(wrong)
    if right:
        out += "#" + escape(right)
    return out + _general(q, "") + "}"


def _shortanswer(q) -> str:
    lines = ["{"] + [f"\t=%{weight(a['fraction'])}%{escape(a['text'])}{_feedback(a['feedback'])}"
                     for a in q.payload["answers"]]
    return "\n".join(lines) + "\n" + _general(q) + "}"


def _numerical(q) -> str:
    lines = ["{#"]
    for a in q.payload["answers"]:
        if a["value"] == "*":
            lines.append(f"\t~#{escape(a['feedback'])}")
        else:
            lines.append(f"\t=%{weight(a['fraction'])}%{a['value']}:{a['tolerance']}{_feedback(a['feedback'])}")
    return "\n".join(lines) + "\n" + _general(q) + "}"


def _essay(q) -> str:
    return "{" + _general(q, "") + "}"


def _description(q) -> str:
    return ""


def _matching(q) -> str:
    lines = ["{"] + [f"\t={escape(s['text'])} -> {escape(s['answer'])}"
                     for s in q.payload["subquestions"]]
    return "\n".join(lines) + "\n" + _general(q) + "}"


_WRITERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
            "numerical": _numerical, "essay": _essay, "description": _description,
            "matching": _matching}
