"""Matching, ordering and cloze grading: partial credit worked by hand, and responses of the
wrong shape refused with ValueError (never an AttributeError from deep inside)."""
from fractions import Fraction as F

import pytest

from scoring.grading import SlotInput, grade_attempt, grade_response

MATCHING = {"shuffle_answers": True, "subquestions": [
    {"id": "1", "text": "Bộ Tài chính", "answer": "ngân sách"}, {"id": "2", "text": "Bộ Nội vụ", "answer": "công chức"},
    {"id": "3", "text": "Bộ Tư pháp", "answer": "hộ tịch"}, {"id": "4", "text": "Bộ Y tế", "answer": "công chức"},
    {"id": "5", "text": "", "answer": "quốc phòng"}]}
ORDERING = {"grading": "absolute_position", "items": [{"id": str(i), "text": t} for i, t in
                                                      enumerate(["A", "B", "C", "D", "E"], start=1)]}
CLOZE = {"parts": [
    {"id": "1", "qtype": "multichoice", "mark": "1", "payload": {"single": False, "answers": [
        {"id": "a", "text": "A", "fraction": "1/3"}, {"id": "b", "text": "B", "fraction": "1/3"},
        {"id": "c", "text": "C", "fraction": "1/3"}, {"id": "d", "text": "D", "fraction": "-1"}]}},
    {"id": "2", "qtype": "shortanswer", "mark": "3", "payload": {"case_sensitive": False, "answers": [
        {"text": "Bộ Tài chính", "fraction": "1"}, {"text": "BTC", "fraction": "0.5"}]}},
    {"id": "3", "qtype": "numerical", "mark": "2", "payload": {"answers": [
        {"value": "2023", "tolerance": "0", "fraction": "1"},
        {"value": "2023", "tolerance": "1", "fraction": "0.5"}]}}]}


def test_matching_shares_and_the_shared_answer():
    # 4 items (the distractor is none): 2 and 4 both match "công chức"; 1 wrong, 3 unanswered.
    grade = grade_response("matching", MATCHING, {"pairs": {"1": "quốc phòng", "2": "công chức", "4": "công chức"}})
    assert (grade.fraction, grade.state) == (F(2, 4), "partial")


def test_ordering_absolute_position():
    # A B C D E answered as A C B D E: A, D, E in place → 3/5.
    assert grade_response("ordering", ORDERING, {"order": ["1", "3", "2", "4", "5"]}).fraction == F(3, 5)
    all_or_nothing = {"items": ORDERING["items"]}
    assert grade_response("ordering", all_or_nothing, {"order": ["1", "3", "2", "4", "5"]}).fraction == 0


def test_cloze_weights_parts_and_their_partial_credit():
    # Part 1 (weight 1): a + b = 2/3.  Part 2 (weight 3): "btc" = 1/2.  Part 3 (weight 2):
    # 2024 is within the ±1 answer = 1/2.  (1 × 2/3 + 3 × 1/2 + 2 × 1/2) / 6 = (2/3 + 5/2) / 6 = 19/36.
    response = {"parts": {"1": {"choices": ["a", "b"]}, "2": {"text": "btc"}, "3": {"text": "2024"}}}
    assert grade_response("cloze", CLOZE, response).fraction == F(19, 36)
    # a + b + d: 2/3 - 1 → clamped to 0; the others as before: (0 + 3/2 + 1) / 6 = 5/12.
    response["parts"]["1"] = {"choices": ["a", "b", "d"]}
    assert grade_response("cloze", CLOZE, response).fraction == F(5, 12)


def test_an_attempt_of_the_three_types():
    slots = [SlotInput(F(2), "matching", MATCHING, {"pairs": {"1": "ngân sách", "2": "công chức", "3": "hộ tịch",
                                                               "4": "hộ tịch"}}),
             SlotInput(F(1), "ordering", ORDERING, {"order": ["2", "1", "3", "4", "5"]}),
             SlotInput(F(3), "cloze", CLOZE, {"parts": {"2": {"text": "Bộ Tài chính"}}}),
             SlotInput(F(0), "description", {}, None)]
    result = grade_attempt(slots)
    # 2 × 3/4 + 1 × 3/5 + 3 × (3 × 1)/6 = 3/2 + 3/5 + 3/2 = 18/5 of 6 → 3/5.
    assert (result.score, result.max_score, result.fraction, result.passed) == (F(18, 5), F(6), F(3, 5), True)
    assert [g.state for g in result.grades] == ["partial", "partial", "partial", "ungraded"]


@pytest.mark.parametrize("qtype, payload, response", [
    ("matching", MATCHING, {"pairs": ["ngân sách"]}),
    ("ordering", ORDERING, {"order": "12345"}),
    ("ordering", ORDERING, {"order": ["1", "2", "3", "4", "9"]}),
    ("cloze", CLOZE, {"parts": [{"text": "x"}]}),
    ("cloze", CLOZE, {"parts": {"1": {"choices": ["z"]}}}),
])
def test_responses_of_the_wrong_shape_are_refused(qtype, payload, response):
    with pytest.raises(ValueError):
        grade_response(qtype, payload, response)
