"""Grading of attempts: one response per slot, totals, pass/fail.

``grade_response`` (re-exported from :mod:`scoring.qtypes`) grades one response;
``grade_attempt`` adds the slots up. Everything is exact (Fractions); a pass is
``score / max_score >= pass_fraction``, inclusive (RULES.md §6: pass mark 50%).
"""
from dataclasses import dataclass
from fractions import Fraction

from scoring.numbers import to_fraction
from scoring.qtypes import QTYPES, STATES, Grade, grade_response

__all__ = ["AttemptResult", "Grade", "QTYPES", "STATES", "SlotInput", "grade_attempt", "grade_response"]


@dataclass(frozen=True)
class SlotInput:
    """One attempt slot: its ``mark`` (points, ≥ 0), the question version's ``qtype`` and
    ``payload``, the stored ``response`` (None when never answered) and, when a marker
    has set it, ``manual_fraction`` in [0, 1], which overrides the automatic grade."""

    mark: Fraction
    qtype: str
    payload: dict
    response: dict | None = None
    manual_fraction: Fraction | None = None


@dataclass(frozen=True)
class AttemptResult:
    """Totals of one attempt, in points.

    ``score`` = Σ fraction × mark over graded slots; ``max_score`` = Σ mark over slots
    that carry a mark (description items excluded); ``fraction`` = score / max_score
    (None when max_score is 0); ``passed`` is None while ``needs_grading`` > 0 (an essay
    awaits its marker, so the outcome is not known yet) or when fraction is None.
    ``grades`` and ``slot_scores`` (fraction × mark, None if ungraded) follow slot order.
    """

    score: Fraction
    max_score: Fraction
    fraction: Fraction | None
    passed: bool | None
    needs_grading: int
    grades: tuple[Grade, ...]
    slot_scores: tuple[Fraction | None, ...]


def grade_slot(slot: SlotInput) -> Grade:
    """The slot's grade: the marker's ``manual_fraction`` when set, else the automatic one."""
    grade = grade_response(slot.qtype, slot.payload, slot.response)
    if slot.manual_fraction is None or grade.state == "ungraded":
        return grade
    return Grade.of(to_fraction(slot.manual_fraction, "manual_fraction"))


def grade_attempt(slots, pass_fraction: Fraction = Fraction(1, 2)) -> AttemptResult:
    """Grade every :class:`SlotInput` of ``slots`` and total them (see AttemptResult).

    Raises ValueError for a negative mark, a pass_fraction outside [0, 1], or any
    error of :func:`grade_response`.
    """
    pass_fraction = to_fraction(pass_fraction, "pass_fraction")
    if not 0 <= pass_fraction <= 1:
        raise ValueError(f"pass_fraction {pass_fraction} outside [0, 1]")
    slots = tuple(slots)
    marks = [to_fraction(s.mark, "mark") for s in slots]
    if any(m < 0 for m in marks):
        raise ValueError("a slot mark is negative")
    grades = tuple(grade_slot(s) for s in slots)
    scores = tuple(None if g.fraction is None else g.fraction * m for g, m in zip(grades, marks))
    score = sum((s for s in scores if s is not None), Fraction(0))
    max_score = sum((m for g, m in zip(grades, marks) if g.state != "ungraded"), Fraction(0))
    needs = sum(1 for g in grades if g.state == "needs_grading")
    fraction = score / max_score if max_score else None
    passed = None if needs or fraction is None else fraction >= pass_fraction
    return AttemptResult(score, max_score, fraction, passed, needs, grades, scores)
