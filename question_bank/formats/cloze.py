"""Moodle "embedded answers" (cloze, qtype_multianswer) text: ``{1:MULTICHOICE:=a#ok~b#no}``.

Syntax and regular expressions from question/type/multianswer/questiontype.php and
https://docs.moodle.org/en/Embedded_Answers_(Cloze)_question_type: ``{mark:TYPE:alternatives}``,
alternatives split by ``~``, each ``=`` (right) or ``%n%`` (weight), the answer, ``#feedback``.
Types: MULTICHOICE/MC (drop-down), _V/_H (radio list), _S shuffled; MULTIRESPONSE/MR (check
boxes); SHORTANSWER/SA/MW (SAC/MWC case-sensitive); NUMERICAL/NM (``value:tolerance``).
The stored text holds ``{#1}``, ``{#2}`` … where the gaps were (docs/question-payload.md).
"""
from __future__ import annotations

import html as html_lib
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from .grades import decimal_str, fraction_str, moodle_grade
from .questions import multichoice_payload
from .text import sanitise

_TYPES = {
    "MULTICHOICE": ("multichoice", "dropdown", False), "MC": ("multichoice", "dropdown", False),
    "MULTICHOICE_V": ("multichoice", "vertical", False), "MCV": ("multichoice", "vertical", False),
    "MULTICHOICE_H": ("multichoice", "horizontal", False), "MCH": ("multichoice", "horizontal", False),
    "MULTICHOICE_S": ("multichoice", "dropdown", True), "MCS": ("multichoice", "dropdown", True),
    "MULTICHOICE_VS": ("multichoice", "vertical", True), "MCVS": ("multichoice", "vertical", True),
    "MULTICHOICE_HS": ("multichoice", "horizontal", True), "MCHS": ("multichoice", "horizontal", True),
    "MULTIRESPONSE": ("multiresponse", "vertical", False), "MR": ("multiresponse", "vertical", False),
    "MULTIRESPONSE_H": ("multiresponse", "horizontal", False), "MRH": ("multiresponse", "horizontal", False),
    "MULTIRESPONSE_S": ("multiresponse", "vertical", True), "MRS": ("multiresponse", "vertical", True),
    "MULTIRESPONSE_HS": ("multiresponse", "horizontal", True),
    "MRHS": ("multiresponse", "horizontal", True),
    "SHORTANSWER": ("shortanswer", "", False), "SA": ("shortanswer", "", False),
    "MW": ("shortanswer", "", False), "SHORTANSWER_C": ("shortanswer_c", "", False),
    "SAC": ("shortanswer_c", "", False), "MWC": ("shortanswer_c", "", False),
    "NUMERICAL": ("numerical", "", False), "NM": ("numerical", "", False),
}
_TYPE_NAMES = "|".join(sorted(_TYPES, key=len, reverse=True))
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = rf"(?:{_FRACTION})?(?:{_ANSWER})(?:#(?:{_FEEDBACK}))?"
GAP = re.compile(rf"\{{([0-9]*):({_TYPE_NAMES}):((?:{_ALTERNATIVE})(?:~(?:{_ALTERNATIVE}))*)\}}", re.S)
_ONE = re.compile(rf"~?(?:({_FRACTION}))?({_ANSWER})(?:#({_FEEDBACK}))?", re.S)
_NUMBER = re.compile(r"^\s*(-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?)"
                     r"(?::(-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?))?\s*$")


class ClozeError(Exception):
    """A gap that cannot be read; ``args[0]`` is the lazy message."""


def extract(text: str) -> tuple[str, list[dict]]:
    """(text with ``{#n}`` placeholders, parts) from cloze source text (not yet sanitised)."""
    parts: list[dict] = []

    def replace(match: re.Match) -> str:
        parts.append(_part(str(len(parts) + 1), match))
        return "{#%d}" % len(parts)

    return GAP.sub(replace, text), parts


def _part(part_id: str, match: re.Match) -> dict:
    kind, display, shuffle = _TYPES[match.group(2)]
    alternatives = [_alternative(m) for m in _ONE.finditer(match.group(3)) if m.group(0)]
    if kind == "numerical":
        payload = _numerical(alternatives)
    elif kind.startswith("shortanswer"):
        payload = {"case_sensitive": kind == "shortanswer_c",
                   "answers": [{"text": html_lib.unescape(a), "fraction": f, "feedback": fb}
                               for f, a, fb in alternatives]}
    else:
        payload = multichoice_payload([(sanitise(a), f, fb) for f, a, fb in alternatives],
                                      single=kind == "multichoice", shuffle=shuffle, numbering="none")
    part = {"id": part_id, "qtype": "multichoice" if kind == "multiresponse" else kind.split("_")[0],
            "mark": match.group(1) or "1", "payload": payload}
    if display:
        part["display"] = display
    return part


def _alternative(match: re.Match) -> tuple[str, str, str]:
    """(fraction, answer text, feedback HTML) of one ``~``-separated alternative."""
    weight, percent, answer, feedback = match.group(1), match.group(2), match.group(3), match.group(4)
    if weight == "=":
        fraction = Fraction(1)
    elif percent is not None:
        fraction = Fraction(Decimal(percent.replace(",", "."))) / 100
        snapped = moodle_grade(fraction)   # 33.33333 % is Moodle's 1/3, as in GIFT
        fraction = snapped if snapped is not None else fraction
    else:
        fraction = Fraction(0)
    return fraction_str(fraction), _unescape(answer.strip()), sanitise(_unescape(feedback or ""))


def _unescape(text: str) -> str:
    text = text.replace("\\\\", "\ue05c")
    for escaped in ("\\}", "\\~", "\\#", "\\/", '\\"'):
        text = text.replace(escaped, escaped[1])
    return text.replace("\ue05c", "\\")


def _numerical(alternatives) -> dict:
    answers = []
    for fraction, text, feedback in alternatives:
        value, tolerance = ("*", "0") if text == "*" else _number(html_lib.unescape(text))
        answers.append({"value": value, "tolerance": tolerance, "fraction": fraction, "feedback": feedback})
    return {"answers": answers}


def _number(text: str) -> tuple[str, str]:
    match = _NUMBER.match(text)
    if not match:
        raise ClozeError(_l("“%(answer)s” in a NUMERICAL gap is not a number or number:tolerance.",
                            answer=text[:40]))
    try:
        value = Decimal(match.group(1).replace(",", "."))
        tolerance = Decimal((match.group(2) or "0").replace(",", "."))
    except InvalidOperation:
        raise ClozeError(_l("“%(answer)s” is not a number.", answer=text[:40])) from None
    return decimal_str(value), decimal_str(abs(tolerance))


def parse_parts(text: str) -> tuple[str, list[dict]]:
    """Like :func:`extract`, raising :class:`ClozeError` for a gap that is not numeric."""
    try:
        return extract(text)
    except (ValueError, ArithmeticError) as exc:
        raise ClozeError(_l("A gap cannot be read (%(error)s).", error=exc)) from None
