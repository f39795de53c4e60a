"""Grading of one response against one question payload, dispatched by qtype.

The registry ``QTYPES`` maps Moodle's type names to grader functions (CTFd's
``FLAG_CLASSES`` pattern): adding a type means registering one function, never editing
an ``if`` chain. Payload and response shapes are those of docs/question-payload.md;
fractions in payloads are strings that ``fractions.Fraction`` accepts.

States of a :class:`Grade`:

- ``correct`` (fraction 1), ``partial`` (strictly between 0 and 1), ``wrong`` (0);
- ``unanswered``: no response, or an empty one; fraction 0;
- ``needs_grading``: an essay with text; fraction None until a marker sets it;
- ``ungraded``: a description item; fraction None, carries no mark.
"""
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from scoring.numbers import to_fraction
from scoring.textmatch import matches_pattern, parse_number

STATES = ("correct", "partial", "wrong", "unanswered", "needs_grading", "ungraded")


@dataclass(frozen=True)
class Grade:
    """The outcome for one response: ``fraction`` of the mark in [0, 1] (or None) and a state."""

    fraction: Fraction | None
    state: str

    @classmethod
    def of(cls, fraction: Fraction) -> "Grade":
        """A scored grade; the state follows from ``fraction`` (must lie in [0, 1])."""
        if not 0 <= fraction <= 1:
            raise ValueError(f"grade fraction {fraction} outside [0, 1]")
        state = "correct" if fraction == 1 else "wrong" if fraction == 0 else "partial"
        return cls(Fraction(fraction), state)


UNANSWERED = Grade(Fraction(0), "unanswered")
NEEDS_GRADING = Grade(None, "needs_grading")
UNGRADED = Grade(None, "ungraded")

QTYPES: dict = {}


def register(name: str):
    """Class-free registry decorator: ``@register("truefalse")`` adds a grader to QTYPES."""
    def add(grader):
        QTYPES[name] = grader
        return grader
    return add


def grade_response(qtype: str, payload: dict, response: dict | None) -> Grade:
    """Grade ``response`` (the examinee's JSON, or None) against ``payload`` of type ``qtype``.

    Raises ValueError for an unknown qtype, a response that is not a dict, or a response
    naming ids the payload lacks (the delivery layer validates, grading refuses to guess).
    """
    grader = QTYPES.get(qtype)
    if grader is None:
        raise ValueError(f"unknown qtype {qtype!r}")
    if qtype == "description":
        return UNGRADED
    if response is None:
        return UNANSWERED
    if not isinstance(response, dict):
        raise ValueError(f"{qtype}: response must be a dict, got {type(response).__name__}")
    return grader(payload, response)


def _clamp(value: Fraction) -> Fraction:
    return min(max(value, Fraction(0)), Fraction(1))


def _answer_fraction(fractions: dict, answer_id) -> Fraction:
    if answer_id not in fractions:
        raise ValueError(f"response names unknown answer id {answer_id!r}")
    return fractions[answer_id]


@register("multichoice")
def grade_multichoice(payload: dict, response: dict) -> Grade:
    """Single: the chosen answer's fraction, negatives clamped to 0. Multiple: the sum
    of the chosen answers' fractions (Moodle's negative marks for wrong picks), clamped
    to [0, 1]. Response ``{"choice": id}`` or ``{"choices": [ids]}``."""
    fractions = {a["id"]: to_fraction(a["fraction"], "answer fraction") for a in payload["answers"]}
    if payload.get("single", True):
        choice = response.get("choice")
        if choice in (None, ""):
            return UNANSWERED
        return Grade.of(_clamp(_answer_fraction(fractions, choice)))
    chosen = set(response.get("choices") or ())
    if not chosen:
        return UNANSWERED
    return Grade.of(_clamp(sum((_answer_fraction(fractions, c) for c in chosen), Fraction(0))))


@register("truefalse")
def grade_truefalse(payload: dict, response: dict) -> Grade:
    """1 when ``response["value"]`` (a bool) equals ``payload["correct"]``, else 0."""
    value = response.get("value")
    if value is None:
        return UNANSWERED
    if not isinstance(value, bool):
        raise ValueError(f"truefalse: value must be a bool, got {value!r}")
    return Grade.of(Fraction(int(value == bool(payload["correct"]))))


def _clean_text(response: dict) -> str:
    text = response.get("text") or ""
    return unicodedata.normalize("NFC", text).strip()


@register("shortanswer")
def grade_shortanswer(payload: dict, response: dict) -> Grade:
    """Best fraction among the answers whose pattern matches the trimmed NFC text
    (``*`` = any run of characters, ``\\*`` a literal star; case-insensitive unless
    ``case_sensitive``); 0 when none matches."""
    text = _clean_text(response)
    if not text:
        return UNANSWERED
    case_sensitive = bool(payload.get("case_sensitive", False))
    hits = [to_fraction(a["fraction"], "answer fraction") for a in payload["answers"]
            if matches_pattern(text, a["text"], case_sensitive)]
    return Grade.of(_clamp(max(hits, default=Fraction(0))))


@register("numerical")
def grade_numerical(payload: dict, response: dict) -> Grade:
    """Best fraction among answers with |response − value| ≤ tolerance (inclusive);
    ``"*"`` matches any number. "3,14" and "3.14" are both read exactly; text that is
    not a number is answered but wrong."""
    text = _clean_text(response)
    if not text:
        return UNANSWERED
    number = parse_number(text)
    if number is None:
        return Grade.of(Fraction(0))
    hits = [to_fraction(a["fraction"], "answer fraction") for a in payload["answers"]
            if _within(number, a)]
    return Grade.of(_clamp(max(hits, default=Fraction(0))))


def _within(number: Fraction, answer: dict) -> bool:
    if str(answer["value"]).strip() == "*":
        return True
    value = to_fraction(answer["value"], "numerical value")
    tolerance = abs(to_fraction(answer.get("tolerance") or "0", "tolerance"))
    return abs(number - value) <= tolerance


_TAG = re.compile(r"<[^>]*>")


@register("essay")
def grade_essay(payload: dict, response: dict) -> Grade:
    """``needs_grading`` (fraction None) when the text has content beyond tags and
    spaces; a blank essay is ``unanswered`` (0) and goes to no marker."""
    visible = _TAG.sub("", response.get("text") or "").replace("&nbsp;", " ").strip()
    return NEEDS_GRADING if visible else UNANSWERED


@register("description")
def grade_description(payload: dict, response) -> Grade:
    """Not a question: fraction None, state ``ungraded``, carries no mark."""
    return UNGRADED


@register("matching")
def grade_matching(payload: dict, response: dict) -> Grade:
    """Each subquestion with non-empty text is an equal share; a pair is right when its
    answer text equals the key (NFC, trimmed). Empty-text subquestions are distractors."""
    subs = [s for s in payload["subquestions"] if (s.get("text") or "").strip()]
    if not subs:
        raise ValueError("matching: no subquestion with text")
    pairs = response.get("pairs") or {}
    if not isinstance(pairs, dict):
        raise ValueError(f"matching: pairs must be a dict, got {type(pairs).__name__}")
    given = {k: _norm(v) for k, v in pairs.items() if v not in (None, "")}
    if not given:
        return UNANSWERED
    right = sum(1 for s in subs if given.get(s["id"]) == _norm(s["answer"]))
    return Grade.of(Fraction(right, len(subs)))


def _norm(text) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


@register("ordering")
def grade_ordering(payload: dict, response: dict) -> Grade:
    """``payload["grading"]``: ``all_or_nothing`` (default: 1 only for the exact order)
    or ``absolute_position`` (equal share per item in its right place). The response
    must be a permutation of the item ids (ValueError otherwise)."""
    key = [item["id"] for item in payload["items"]]
    if not isinstance(response.get("order") or [], list):
        raise ValueError("ordering: order must be a list of item ids")
    order = list(response.get("order") or ())
    if not order:
        return UNANSWERED
    if sorted(order) != sorted(key):
        raise ValueError("ordering: response is not a permutation of the item ids")
    mode = payload.get("grading", "all_or_nothing")
    if mode == "all_or_nothing":
        return Grade.of(Fraction(int(order == key)))
    if mode == "absolute_position":
        return Grade.of(Fraction(sum(a == b for a, b in zip(order, key)), len(key)))
    raise ValueError(f"ordering: unknown grading {mode!r}")


CLOZE_PART_TYPES = ("multichoice", "shortanswer", "numerical")


@register("cloze")
def grade_cloze(payload: dict, response: dict) -> Grade:
    """Σ part fraction × part mark / Σ part marks; parts are graded by their own
    qtype (multichoice, shortanswer or numerical). Unanswered only if every part is."""
    answers = response.get("parts") or {}
    if not isinstance(answers, dict):
        raise ValueError(f"cloze: parts must be a dict, got {type(answers).__name__}")
    total = weighted = Fraction(0)
    states = []
    for part in payload["parts"]:
        if part["qtype"] not in CLOZE_PART_TYPES:
            raise ValueError(f"cloze: part type {part['qtype']!r} not allowed")
        mark = to_fraction(part["mark"], "cloze part mark")
        grade = grade_response(part["qtype"], part["payload"], answers.get(part["id"]))
        total, weighted = total + mark, weighted + mark * grade.fraction
        states.append(grade.state)
    if total <= 0:
        raise ValueError("cloze: parts carry no mark")
    if all(state == "unanswered" for state in states):
        return UNANSWERED
    return Grade.of(weighted / total)
