"""grade_response, one question type at a time, against values worked out by hand."""
from fractions import Fraction as F

import pytest

from scoring.grading import grade_response
from scoring.textmatch import parse_number

MC_SINGLE = {"single": True, "answers": [
    {"id": "a", "text": "A", "fraction": "1"},
    {"id": "b", "text": "B", "fraction": "0.5"},
    {"id": "c", "text": "C", "fraction": "-1/3"},
    {"id": "d", "text": "D", "fraction": "0"}]}

MC_MULTI = {"single": False, "answers": [
    {"id": "a", "text": "A", "fraction": "1/3"},
    {"id": "b", "text": "B", "fraction": "1/3"},
    {"id": "c", "text": "C", "fraction": "1/3"},
    {"id": "d", "text": "D", "fraction": "-1/2"},
    {"id": "e", "text": "E", "fraction": "-1"}]}


@pytest.mark.parametrize("choice, fraction, state", [
    ("a", F(1), "correct"),
    ("b", F(1, 2), "partial"),
    ("c", F(0), "wrong"),        # -1/3 clamps to 0
    ("d", F(0), "wrong"),
])
def test_multichoice_single(choice, fraction, state):
    grade = grade_response("multichoice", MC_SINGLE, {"choice": choice})
    assert (grade.fraction, grade.state) == (fraction, state)


@pytest.mark.parametrize("choices, fraction, state", [
    (["a", "b", "c"], F(1), "correct"),          # 1/3 + 1/3 + 1/3 = 1
    (["a", "b"], F(2, 3), "partial"),            # 1/3 + 1/3
    (["a", "b", "d"], F(1, 6), "partial"),       # 2/3 - 1/2 = 1/6
    (["a", "b", "c", "d"], F(1, 2), "partial"),  # 1 - 1/2
    (["a", "e"], F(0), "wrong"),                 # 1/3 - 1 < 0 → 0
    (["a", "a"], F(1, 3), "partial"),            # a duplicate pick counts once
])
def test_multichoice_multiple(choices, fraction, state):
    grade = grade_response("multichoice", MC_MULTI, {"choices": choices})
    assert (grade.fraction, grade.state) == (fraction, state)


def test_multichoice_sum_above_one_clamps():
    payload = {"single": False, "answers": [{"id": "a", "fraction": "0.6"}, {"id": "b", "fraction": "0.6"}]}
    assert grade_response("multichoice", payload, {"choices": ["a", "b"]}).fraction == 1  # 1.2 → 1


@pytest.mark.parametrize("response", [None, {}, {"choice": None}, {"choice": ""}])
def test_multichoice_single_unanswered(response):
    grade = grade_response("multichoice", MC_SINGLE, response)
    assert (grade.fraction, grade.state) == (0, "unanswered")


def test_multichoice_multiple_unanswered_and_unknown_id():
    assert grade_response("multichoice", MC_MULTI, {"choices": []}).state == "unanswered"
    with pytest.raises(ValueError, match="unknown answer id"):
        grade_response("multichoice", MC_SINGLE, {"choice": "z"})


def test_truefalse():
    payload = {"correct": False}
    assert grade_response("truefalse", payload, {"value": False}).state == "correct"
    assert grade_response("truefalse", payload, {"value": True}).fraction == 0
    assert grade_response("truefalse", payload, {"value": None}).state == "unanswered"
    with pytest.raises(ValueError):
        grade_response("truefalse", payload, {"value": "true"})


SHORT = {"case_sensitive": False, "answers": [
    {"text": "Luật Cán bộ, công chức", "fraction": "1"},
    {"text": "Luật*công chức", "fraction": "1/2"},
    {"text": "*", "fraction": "0"}]}


@pytest.mark.parametrize("text, fraction, state", [
    ("Luật Cán bộ, công chức", F(1), "correct"),
    ("  luật cán bộ, CÔNG CHỨC  ", F(1), "correct"),   # trimmed, case-insensitive
    ("Luật công chức", F(1, 2), "partial"),              # only the wildcard answer matches
    ("Luật Cán bộ, công chức 2025", F(0), "wrong"),      # the whole text must match
    ("Nghị định", F(0), "wrong"),                         # only the catch-all (0) matches
    ("   ", F(0), "unanswered"),
])
def test_shortanswer(text, fraction, state):
    grade = grade_response("shortanswer", SHORT, {"text": text})
    assert (grade.fraction, grade.state) == (fraction, state)


def test_shortanswer_best_match_not_first():
    payload = {"answers": [{"text": "Hà*", "fraction": "1/2"}, {"text": "Hà Nội", "fraction": "1"}]}
    assert grade_response("shortanswer", payload, {"text": "Hà Nội"}).fraction == 1


def test_shortanswer_nfc_and_case_sensitivity():
    decomposed = "Vi\u0301 du\u0323"        # "Ví dụ" in NFD
    payload = {"case_sensitive": True, "answers": [{"text": "Ví dụ", "fraction": "1"}]}
    assert grade_response("shortanswer", payload, {"text": decomposed}).state == "correct"
    assert grade_response("shortanswer", payload, {"text": "ví dụ"}).state == "wrong"


def test_shortanswer_escaped_star_and_regex_characters_are_literal():
    payload = {"answers": [{"text": "a\\*b", "fraction": "1"}, {"text": "(x+y).z", "fraction": "1"}]}
    assert grade_response("shortanswer", payload, {"text": "a*b"}).state == "correct"
    assert grade_response("shortanswer", payload, {"text": "aXb"}).state == "wrong"
    assert grade_response("shortanswer", payload, {"text": "(x+y).z"}).state == "correct"
    assert grade_response("shortanswer", payload, {"text": "xxy-z"}).state == "wrong"


NUMERICAL = {"answers": [
    {"value": "3.1415", "tolerance": "0.0005", "fraction": "1"},
    {"value": "3", "tolerance": "0.2", "fraction": "1/2"},
    {"value": "*", "fraction": "0"}]}


@pytest.mark.parametrize("text, fraction", [
    ("3,14", F(1, 2)),       # |3.14 - 3.1415| = 0.0015 > 0.0005; |3.14 - 3| = 0.14 ≤ 0.2
    ("3.141", F(1)),         # |3.141 - 3.1415| = 0.0005: the bound is inclusive
    ("3,1420", F(1)),        # 0.0005 again, decimal comma
    ("3.1409", F(1, 2)),     # 0.0006 misses the first answer
    ("2.8", F(1, 2)),        # |2.8 - 3| = 0.2 inclusive
    ("2,79", F(0)),          # only the catch-all
    ("−3", F(0)),            # U+2212 minus read as -3
    ("abc", F(0)),           # answered, not a number
    ("1.000,5", F(0)),       # thousands separators are refused
])
def test_numerical(text, fraction):
    assert grade_response("numerical", NUMERICAL, {"text": text}).fraction == fraction


@pytest.mark.parametrize("text, value", [
    ("3,14", F(314, 100)), (".5", F(1, 2)), ("−2,5", F(-5, 2)), ("1,5e3", F(1500)), ("+7", F(7)),
    ("1/3", None), ("3,1,4", None), ("", None), ("1 000", None)])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_numerical_unanswered_and_states():
    assert grade_response("numerical", NUMERICAL, {"text": ""}).state == "unanswered"
    assert grade_response("numerical", NUMERICAL, {"text": "abc"}).state == "wrong"


def test_essay():
    assert grade_response("essay", {}, {"text": "<p>Trả lời</p>"}).state == "needs_grading"
    assert grade_response("essay", {}, {"text": "<p>Trả lời</p>"}).fraction is None
    assert grade_response("essay", {}, {"text": "<p>&nbsp;</p>"}).state == "unanswered"


def test_description_is_ungraded():
    grade = grade_response("description", {}, None)
    assert (grade.fraction, grade.state) == (None, "ungraded")


MATCHING = {"subquestions": [
    {"id": "1", "text": "Luật 80/2025/QH15", "answer": "công chức"},
    {"id": "2", "text": "Nghị định 335/2025", "answer": "đánh giá"},
    {"id": "3", "text": "Nghị định 233/2026", "answer": "viên chức"},
    {"id": "4", "text": "", "answer": "kỷ luật"}]}       # distractor answer


def test_matching_equal_shares():
    # two of the three real subquestions right: 2/3
    response = {"pairs": {"1": "công chức", "2": "đánh giá", "3": "kỷ luật"}}
    assert grade_response("matching", MATCHING, response).fraction == F(2, 3)
    assert grade_response("matching", MATCHING, {"pairs": {"1": " công chức "}}).fraction == F(1, 3)
    assert grade_response("matching", MATCHING, {"pairs": {}}).state == "unanswered"


ORDERING = {"items": [{"id": "1"}, {"id": "2"}, {"id": "3"}, {"id": "4"}]}


def test_ordering_all_or_nothing_by_default():
    assert grade_response("ordering", ORDERING, {"order": ["1", "2", "3", "4"]}).state == "correct"
    assert grade_response("ordering", ORDERING, {"order": ["1", "2", "4", "3"]}).fraction == 0


def test_ordering_absolute_position_and_errors():
    payload = dict(ORDERING, grading="absolute_position")
    # positions 1 and 2 right, 3 and 4 swapped: 2/4
    assert grade_response("ordering", payload, {"order": ["1", "2", "4", "3"]}).fraction == F(1, 2)
    with pytest.raises(ValueError, match="permutation"):
        grade_response("ordering", ORDERING, {"order": ["1", "1", "2", "3"]})


CLOZE = {"parts": [
    {"id": "1", "qtype": "multichoice", "mark": "2", "payload": MC_SINGLE},
    {"id": "2", "qtype": "shortanswer", "mark": "1", "payload": SHORT},
    {"id": "3", "qtype": "numerical", "mark": "1", "payload": NUMERICAL}]}


def test_cloze_weighted_by_part_marks():
    # part 1: 1/2 × 2 = 1; part 2: 1 × 1 = 1; part 3 unanswered: 0 → 2 / 4 = 1/2
    response = {"parts": {"1": {"choice": "b"}, "2": {"text": "luật cán bộ, công chức"}}}
    grade = grade_response("cloze", CLOZE, response)
    assert (grade.fraction, grade.state) == (F(1, 2), "partial")


def test_cloze_unanswered_only_when_every_part_is():
    assert grade_response("cloze", CLOZE, {"parts": {}}).state == "unanswered"
    assert grade_response("cloze", CLOZE, {"parts": {"3": {"text": "9"}}}).state == "wrong"


def test_unknown_qtype_and_bad_response():
    with pytest.raises(ValueError, match="unknown qtype"):
        grade_response("calculated", {}, {})
    with pytest.raises(ValueError, match="must be a dict"):
        grade_response("truefalse", {"correct": True}, ["x"])
