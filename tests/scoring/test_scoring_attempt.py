"""grade_attempt: totals, pass mark, essays awaiting a marker, manual overrides."""
from fractions import Fraction as F

import pytest

from scoring.grading import SlotInput, grade_attempt

TF_TRUE = {"correct": True}
MC = {"single": True, "answers": [{"id": "a", "fraction": "1"}, {"id": "b", "fraction": "1/3"}]}


def tf(value, mark=1):
    return SlotInput(mark=F(mark), qtype="truefalse", payload=TF_TRUE, response={"value": value})


def test_totals_and_pass_at_exactly_half():
    # marks 1 + 1 + 2 = 4; right, wrong, 1/3 × 2 = 2/3 → score 5/3, fraction 5/12 < 1/2
    slots = [tf(True), tf(False), SlotInput(mark=F(2), qtype="multichoice", payload=MC, response={"choice": "b"})]
    result = grade_attempt(slots)
    assert (result.score, result.max_score, result.fraction) == (F(5, 3), F(4), F(5, 12))
    assert result.passed is False
    assert result.slot_scores == (F(1), F(0), F(2, 3))
    assert [g.state for g in result.grades] == ["correct", "wrong", "partial"]
    # 30 of 60 one-point questions right: 30/60 = 1/2 ≥ 1/2, the pass mark is inclusive
    half = grade_attempt([tf(True)] * 30 + [tf(False)] * 30)
    assert (half.score, half.fraction, half.passed) == (30, F(1, 2), True)


def test_pass_fraction_setting():
    # 2 of 3 right = 2/3: passes at 2/3, fails at 7/10
    slots = [tf(True), tf(True), tf(False)]
    assert grade_attempt(slots, pass_fraction=F(2, 3)).passed is True
    assert grade_attempt(slots, pass_fraction=F(7, 10)).passed is False


def test_essay_awaiting_marker_then_marked():
    essay = SlotInput(mark=F(5), qtype="essay", payload={}, response={"text": "bài làm"})
    pending = grade_attempt([tf(True, 5), essay])
    # the essay counts 0 for now: 5 of 10, outcome unknown
    assert (pending.score, pending.max_score, pending.needs_grading, pending.passed) == (5, 10, 1, None)
    assert pending.slot_scores == (F(5), None)
    marked = grade_attempt([tf(True, 5), SlotInput(mark=F(5), qtype="essay", payload={},
                                                   response={"text": "bài làm"}, manual_fraction=F(3, 5))])
    # 5 + 3/5 × 5 = 8 of 10
    assert (marked.score, marked.fraction, marked.passed, marked.needs_grading) == (8, F(4, 5), True, 0)
    assert marked.grades[1].state == "partial"


def test_description_carries_no_mark_and_unanswered_counts_zero():
    desc = SlotInput(mark=F(1), qtype="description", payload={}, response=None)
    blank = SlotInput(mark=F(2), qtype="multichoice", payload=MC, response=None)
    result = grade_attempt([desc, tf(True), blank])
    # max = 1 (truefalse) + 2 (blank) = 3; the description's mark is not counted
    assert (result.score, result.max_score, result.fraction) == (1, 3, F(1, 3))
    assert [g.state for g in result.grades] == ["ungraded", "correct", "unanswered"]


def test_empty_attempt_and_invalid_input():
    assert grade_attempt([]).passed is None
    with pytest.raises(ValueError):
        grade_attempt([tf(True, -1)])
    with pytest.raises(ValueError):
        grade_attempt([tf(True)], pass_fraction=F(3, 2))
    with pytest.raises(ValueError):
        grade_attempt([SlotInput(mark=F(1), qtype="essay", payload={}, response={"text": "x"},
                                 manual_fraction=F(6, 5))])
