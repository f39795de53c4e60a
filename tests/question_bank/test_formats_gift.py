"""GIFT import (docs.moodle.org/en/GIFT_format): one behaviour per test, no app needed."""
from __future__ import annotations

from pathlib import Path

import pytest

from question_bank.formats import parse

DATA = Path(__file__).parent / "data"


def gift(text: str):
    return parse(text.encode(), "t.gift")


@pytest.fixture(scope="module")
def sample():
    return parse((DATA / "all_types.gift").read_bytes(), "all_types.gift")


def by_name(result, name):
    return next(q for q in result.questions if q.name == name)


def test_every_type_is_read_with_its_category(sample):
    assert not sample.errors
    assert [q.qtype for q in sample.questions] == [
        "multichoice", "multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay",
        "description", "multichoice"]
    assert {q.category for q in sample.questions} == {("Luật Đấu thầu", "Mua sắm hàng hóa")}


def test_metadata_comments_give_idnumber_and_tags(sample):
    question = by_name(sample, "Phạm vi")
    assert question.idnumber == "LDT-001" and question.tags == ("luật", "2023")
    assert question.general_feedback == "<p>Điều 1 Luật Đấu thầu 2023.</p>"
    assert question.payload["answers"][0]["feedback"] == "Đúng."


def test_choice_referring_to_others_turns_shuffling_off(sample):
    assert by_name(sample, "Phạm vi").payload["shuffle_answers"] is False
    assert by_name(sample, "Nhiều đáp án").payload["shuffle_answers"] is True
    assert any("refers to other choices" in str(w.message) for w in sample.warnings)


def test_weights_make_a_multiple_response_question(sample):
    payload = by_name(sample, "Nhiều đáp án").payload
    assert payload["single"] is False
    assert [a["fraction"] for a in payload["answers"]] == ["0.5", "0.5", "-1"]


def test_true_false_feedback_follows_moodle(sample):
    """{FALSE#wrong#right}: the first feedback is for the wrong answer (here: True)."""
    payload = by_name(sample, "Đúng sai").payload
    assert payload == {"correct": False, "feedback_true": "Sai rồi.", "feedback_false": "Đúng: không bắt buộc."}
    assert by_name(sample, "Đúng sai").penalty == "1"


def test_missing_word_and_partial_short_answers(sample):
    question = by_name(sample, "Trả lời ngắn")
    assert question.text == "Thủ đô của Việt Nam là _____."
    assert [(a["text"], a["fraction"]) for a in question.payload["answers"]] == [("Hà Nội", "1"), ("Ha Noi", "0.5")]


def test_numerical_tolerance_range_and_catch_all(sample):
    answers = by_name(sample, "Số").payload["answers"]
    assert [(a["value"], a["tolerance"], a["fraction"]) for a in answers] == [
        ("3.1416", "0.0001", "1"), ("3.145", "0.005", "0.5"), ("*", "0", "0")]


def test_matching_keeps_the_distractor(sample):
    subquestions = by_name(sample, "Ghép đôi").payload["subquestions"]
    assert subquestions[-1] == {"id": "3", "text": "", "answer": "Không ai"}


def test_markdown_and_escapes(sample):
    assert by_name(sample, "Mô tả").text == "<p><strong>Phần 2</strong>: câu hỏi tình huống</p>"
    escaped = by_name(sample, "Thoát ký tự")
    assert escaped.text == "Ký tự { } = ~ # : và \\ trong câu"
    assert [a["text"] for a in escaped.payload["answers"]] == ["a=b", "c~d"]


def test_every_bad_question_is_reported_with_its_line():
    result = gift("Q1 {=a ~b}\n\nQ2 {~%33%a ~b}\n\nQ3 {=a ~b\n\nQ4 {#abc}\n\nQ5 {=x -> }\n\nQ6 {~only}\n\nQ7 {=ok ~no}\n")
    assert [q.line for q in result.questions] == [1, 13]
    assert [(e.line, e.question) for e in result.errors] == [
        (3, "Q2"), (5, "Q3"), (7, "Q4"), (9, "Q5"), (11, "Q6")]
    messages = [str(e.message) for e in result.errors]
    assert "33%" in messages[0] and "brace" in messages[1] and "not a number" in messages[2]
    assert "at least 2 choices" in messages[4]


def test_html_is_sanitised_and_nfc():
    decomposed = "Lu\u00e2\u0323t"  # â + combining dot below
    result = gift(f"::x::[html]<p onclick='x()'>{decomposed}<script>alert(1)</script></p>{{=a ~b}}")
    assert result.questions[0].text == "<p>Luật</p>"


def test_data_image_kept_but_not_data_links():
    png = "data:image/png;base64,iVBORw0KGgo="
    result = gift(f'::x::[html]<img src\\="{png}"><a href\\="data\\:text/html,x">y</a>{{=a ~b}}')
    text = result.questions[0].text
    assert f'src="{png}"' in text and "data:text" not in text


def test_category_with_escaped_slash():
    result = gift("$CATEGORY: $course$/top/Hàng hóa//dịch vụ/Con\n\n::q::x{=a ~b}")
    assert result.questions[0].category == ("Hàng hóa/dịch vụ", "Con")


def test_crlf_and_bom_are_reported():
    result = parse("\ufeff::q::x{=a ~b}\r\n".encode(), "t.gift")
    assert len(result.questions) == 1
    assert {"BOM" in str(w.message) or "CRLF" in str(w.message) for w in result.warnings} == {True}
