"""The editor for matching, ordering, embedded answers (cloze) and description: what each
form stores, the clear errors it gives, versions (an untouched save makes none, an edit
makes one and needs a new review) and the live preview drawn with the examinee's macros."""
import html
import re

import pytest
from sqlalchemy import select

from conftest import shared_path
from extensions import db
from question_bank import services
from question_bank.editor import cloze_source, grade_rules, parse_cloze, parse_grade
from question_bank.formats import parse
from question_bank.models import Question, QuestionStatus
from tests.question_bank.test_bank_editor import _login, _versions, form_data, org, says  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("english")   # messages compared in English


def _new(client, org, qtype, **fields):
    data = {"category": org["category"].id, "default_mark": "1", **fields}
    return client.post(f"/bank/{org['bank'].id}/new?qtype={qtype}", data=data)


def _newest() -> Question:
    return db.session.scalars(select(Question).order_by(Question.id.desc())).first()


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _edit(client, question, change=None):
    data = form_data(client.get(f"/bank/question/{question.id}/edit"))
    if change:
        change(data)
    response = client.post(f"/bank/question/{question.id}/edit", data=data, follow_redirects=True)
    db.session.expire_all()
    return _page(response), db.session.get(Question, question.id)


# ---- matching ----------------------------------------------------------------------------

MATCHING = {"text": "Nối cơ quan với nhiệm vụ", "default_mark": "2",
            "pairs-0-text": "Bộ Tài chính", "pairs-0-answer": "ngân sách",
            "pairs-1-text": "Bộ Nội vụ", "pairs-1-answer": "công chức",
            "pairs-2-text": "Bộ Kế hoạch và Đầu tư", "pairs-2-answer": "đấu thầu",
            "distractors-0-answer": "quốc phòng"}


def test_matching_is_created_edited_and_reviewed(app, org):
    editor = _login(app, "editor")
    response = _new(editor, org, "matching", **MATCHING)
    assert response.status_code == 302, _page(response)[-2000:]
    question = _newest()
    v = question.current_version
    assert (v.qtype, v.default_mark, question.status) == ("matching", "2", QuestionStatus.DRAFT)
    assert v.payload == {"shuffle_answers": False, "subquestions": [
        {"id": "1", "text": "Bộ Tài chính", "answer": "ngân sách"},
        {"id": "2", "text": "Bộ Nội vụ", "answer": "công chức"},
        {"id": "3", "text": "Bộ Kế hoạch và Đầu tư", "answer": "đấu thầu"},
        {"id": "4", "text": "", "answer": "quốc phòng"}]}      # (the unticked box sends nothing: no shuffling)

    page, question = _edit(editor, question)
    assert says(page, "Nothing changed; no new version was made.") and _versions(question) == [1]

    def change(data):
        data["pairs-1-answer"] = "cán bộ, công chức"
        data["pairs-3-text"], data["pairs-3-answer"] = "Bộ Tư pháp", "hộ tịch"     # a blank row filled
        data["distractors-1-answer"] = "ngoại giao"
    page, question = _edit(editor, question, change)
    subs = question.current_version.payload["subquestions"]
    assert [(s["id"], s["text"], s["answer"]) for s in subs] == [
        ("1", "Bộ Tài chính", "ngân sách"), ("2", "Bộ Nội vụ", "cán bộ, công chức"),
        ("3", "Bộ Kế hoạch và Đầu tư", "đấu thầu"), ("4", "", "quốc phòng"),
        ("5", "Bộ Tư pháp", "hộ tịch"), ("6", "", "ngoại giao")]
    assert _versions(question) == [1, 2] and question.status == QuestionStatus.DRAFT

    # The review workflow: the author cannot approve, another person can.
    assert editor.post(f"/bank/question/{question.id}/status/submit").status_code == 302
    reviewer = _login(app, "reviewer")
    assert reviewer.post(f"/bank/question/{question.id}/status/approve").status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.status == QuestionStatus.APPROVED
    assert question.current_version.approved_by_id == org["reviewer"].id


def test_matching_errors_name_the_pair(app, org):
    editor = _login(app, "editor")
    page = _page(_new(editor, org, "matching", text="Nối", **{"pairs-0-text": "A", "pairs-0-answer": "1"}))
    assert says(page, "A matching question needs at least 2 pairs; it has %(n)s.", n=1)
    page = _page(_new(editor, org, "matching", text="Nối", **{
        "pairs-0-text": "A", "pairs-0-answer": "1", "pairs-1-text": "B", "pairs-1-answer": "",
        "pairs-2-text": "", "pairs-2-answer": "3", "pairs-3-text": "a", "pairs-3-answer": "4"}))
    assert says(page, "Pair %(n)d: write the answer that matches this item.", n=2)
    assert says(page, "Pair %(n)d: write the item, or put this answer under the extra wrong answers.", n=3)
    assert says(page, "Pairs %(a)d and %(b)d have the same item; the examinee could not tell them apart.", a=1, b=4)
    assert db.session.scalars(select(Question).where(Question.qtype == "matching")).first() is None


# ---- ordering ----------------------------------------------------------------------------

ORDERING = {"text": "Sắp xếp các bước lựa chọn nhà thầu", "grading": "absolute_position",
            "items-0-text": "Chuẩn bị", "items-1-text": "Tổ chức", "items-2-text": "Đánh giá",
            "items-3-text": "Trình, thẩm định, phê duyệt"}


def test_ordering_is_created_and_reordered(app, org):
    editor = _login(app, "editor")
    assert _new(editor, org, "ordering", **ORDERING).status_code == 302
    question = _newest()
    assert question.current_version.payload == {"grading": "absolute_position", "items": [
        {"id": "1", "text": "Chuẩn bị"}, {"id": "2", "text": "Tổ chức"}, {"id": "3", "text": "Đánh giá"},
        {"id": "4", "text": "Trình, thẩm định, phê duyệt"}]}
    page, question = _edit(editor, question)
    assert _versions(question) == [1]

    def swap(data):             # what ▲ on the third row does: the values change rows, ids with them
        for key in ("id", "text"):
            data[f"items-1-{key}"], data[f"items-2-{key}"] = data[f"items-2-{key}"], data[f"items-1-{key}"]
        data["grading"] = "all_or_nothing"
    page, question = _edit(editor, question, swap)
    assert question.current_version.payload == {"grading": "all_or_nothing", "items": [
        {"id": "1", "text": "Chuẩn bị"}, {"id": "3", "text": "Đánh giá"}, {"id": "2", "text": "Tổ chức"},
        {"id": "4", "text": "Trình, thẩm định, phê duyệt"}]}
    assert _versions(question) == [1, 2]


def test_ordering_without_a_grading_key_keeps_it_out(app, org):
    """An imported ordering question has no "grading" (all or nothing): saved untouched it
    stays so, and a new one written with the default gets none either."""
    editor = _login(app, "editor")
    assert _new(editor, org, "ordering", text="Thứ tự", **{"items-0-text": "Một", "items-1-text": "Hai",
                                                           "grading": "all_or_nothing"}).status_code == 302
    question = _newest()
    assert question.current_version.payload == {"items": [{"id": "1", "text": "Một"}, {"id": "2", "text": "Hai"}]}
    page, question = _edit(editor, question)
    assert says(page, "Nothing changed; no new version was made.")


def test_ordering_errors(app, org):
    editor = _login(app, "editor")
    page = _page(_new(editor, org, "ordering", text="Thứ tự", **{"items-0-text": "Một"}))
    assert says(page, "An ordering question needs at least 2 items; it has %(n)s.", n=1)
    page = _page(_new(editor, org, "ordering", text="Thứ tự", **{"items-0-text": "Một", "items-1-text": "Hai",
                                                                 "items-2-text": " một "}))
    assert says(page, "Items %(a)d and %(b)d have the same text; the examinee could not tell them apart.", a=1, b=3)
    assert db.session.scalars(select(Question).where(Question.qtype == "ordering")).first() is None


# ---- embedded answers (cloze) --------------------------------------------------------------

CLOZE = ("Thủ đô là {1:MULTICHOICE:=Hà Nội#Đúng~Huế~Đà Nẵng}, cơ quan {2:SHORTANSWER:=Bộ Tài chính~%50%BTC} "
         "quản lý ngân sách; Luật Đấu thầu năm {1:NUMERICAL:=2023:0} và {1:MULTIRESPONSE:%33.33333%A~"
         "%33.33333%B~%33.33333%C~%-100%D}")


def test_cloze_is_parsed_stored_and_edited(app, org):
    editor = _login(app, "editor")
    response = _new(editor, org, "cloze", text=CLOZE, default_mark="3")
    assert response.status_code == 302, _page(response)[-2000:]
    question = _newest()
    v = question.current_version
    assert v.text == "Thủ đô là {#1}, cơ quan {#2} quản lý ngân sách; Luật Đấu thầu năm {#3} và {#4}"
    assert v.name == "Thủ đô là ___, cơ quan ___ quản lý ngân sách; Luật Đấu thầu…"      # ≤ 60 characters
    parts = v.payload["parts"]
    assert [(p["id"], p["qtype"], p["mark"]) for p in parts] == [
        ("1", "multichoice", "1"), ("2", "shortanswer", "2"), ("3", "numerical", "1"), ("4", "multichoice", "1")]
    assert [(a["id"], a["text"], a["fraction"], a["feedback"]) for a in parts[0]["payload"]["answers"]] == [
        ("a", "Hà Nội", "1", "Đúng"), ("b", "Huế", "0", ""), ("c", "Đà Nẵng", "0", "")]
    assert parts[0]["payload"]["single"] is True
    assert parts[1]["payload"] == {"case_sensitive": False, "answers": [
        {"text": "Bộ Tài chính", "fraction": "1", "feedback": ""}, {"text": "BTC", "fraction": "0.5", "feedback": ""}]}
    assert parts[2]["payload"] == {"answers": [{"value": "2023", "tolerance": "0", "fraction": "1", "feedback": ""}]}
    # 33.33333 % is Moodle's rounding of a third: stored exactly, so the three add up to 1.
    assert parts[3]["payload"]["single"] is False
    assert [a["fraction"] for a in parts[3]["payload"]["answers"]] == ["1/3", "1/3", "1/3", "-1"]

    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    assert data["text"] == ("Thủ đô là {1:MULTICHOICE:=Hà Nội#Đúng~Huế~Đà Nẵng}, cơ quan {2:SHORTANSWER:=Bộ Tài "
                            "chính~%50%BTC} quản lý ngân sách; Luật Đấu thầu năm {1:NUMERICAL:=2023:0} và "
                            "{1:MULTIRESPONSE:%33.33333%A~%33.33333%B~%33.33333%C~%-100%D}")
    page, question = _edit(editor, question)
    assert says(page, "Nothing changed; no new version was made.") and _versions(question) == [1]

    def change(data):
        data["text"] = data["text"].replace("{1:NUMERICAL:=2023:0}", "{1:NUMERICAL:=2023:1}")
    page, question = _edit(editor, question, change)
    assert _versions(question) == [1, 2]
    assert question.current_version.payload["parts"][2]["payload"]["answers"][0]["tolerance"] == "1"
    assert question.current_version.payload["parts"][:2] == parts[:2]


def test_an_imported_cloze_question_saved_untouched_makes_no_version(app, org):
    xml = """<?xml version="1.0"?><quiz><question type="cloze"><name><text>Điền</text></name><questiontext>
<text>Thủ đô {1:SA:=Hà Nội#Đúng~%50%Ha Noi} có {2:NM:=1000:10} năm và {1:MCS:=a~b} và {1:MR:%33.33333%x~%66.66667%y}
</text></questiontext></question></quiz>""".encode()
    result = parse(xml, "c.xml")
    assert not result.errors
    question = services.add_question(org["bank"], result.questions[0])
    db.session.commit()
    editor = _login(app, "editor")
    page, question = _edit(editor, question)
    assert says(page, "Nothing changed; no new version was made.") and _versions(question) == [1]


@pytest.mark.parametrize("text, message, values", [
    ("Thủ đô {1:MULTICHOICE:=Hà Nội~Huế} và {1:MULTICHOICE:Hà Nội~Huế}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 2, "gap": "{1:MULTICHOICE:Hà Nội~Huế}", "problem": "No choice is marked correct."}),
    ("Năm {1:NUMERIC:=2023}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 1, "gap": "{1:NUMERIC:=2023}", "problem": ("“%(kind)s” is not a type of gap; write MULTICHOICE (MC), "
                                                     "MULTIRESPONSE (MR), SHORTANSWER (SA) or NUMERICAL (NM), in "
                                                     "capitals.", {"kind": "NUMERIC"})}),
    ("Năm {1:NUMERICAL:=hai nghìn}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 1, "gap": "{1:NUMERICAL:=hai nghìn}", "problem": ("“%(answer)s” in a NUMERICAL gap is not a number or "
                                                            "number:tolerance.", {"answer": "hai nghìn"})}),
    ("Chọn {1:MR:%50%A~%40%B~C}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 1, "gap": "{1:MR:%50%A~%40%B~C}", "problem": ("The positive grades add up to %(total)s; they must add up "
                                                        "to 1 (full marks) when several options are right.",
                                                        {"total": "0.9"})}),
    ("Ai {1:SA:%50%Bộ Tài chính}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 1, "gap": "{1:SA:%50%Bộ Tài chính}", "problem": ("One answer must have the grade 1 (full marks), so that "
                                                           "a full mark is possible; the best now gives %(best)s.",
                                                           {"best": "0.5"})}),
    ("Ai {1:SA:=Bộ Tài chính} và {2:MC:=a~b", "Gap %(n)d “%(gap)s”: it is not closed with “}”.",
     {"n": 2, "gap": "{2:MC:=a~b"}),
    ("Ai {0:SA:=Bộ Tài chính}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 1, "gap": "{0:SA:=Bộ Tài chính}", "problem": "its weight (the number before the first colon) must be 1 "
                                                        "or more."}),
    ("Ai là người {1:SA:}", "Gap %(n)d “%(gap)s”: %(problem)s",
     {"n": 1, "gap": "{1:SA:}", "problem": "it has no answers."}),
    ("Không có chỗ trống nào", "Write at least one embedded answer (gap) in the text, such as %(example)s.",
     {"example": "{1:MULTICHOICE:=right~wrong}"}),
])
def test_cloze_errors_name_the_gap(app, org, text, message, values):
    from flask_babel import force_locale, gettext

    editor = _login(app, "editor")
    page = _page(_new(editor, org, "cloze", text=text))
    for locale in ("en", "vi"):                 # the message, in the language the page is shown in
        with force_locale(locale):
            resolved = dict(values)
            if isinstance(resolved.get("problem"), tuple):
                resolved["problem"] = gettext(resolved["problem"][0], **resolved["problem"][1])
            elif "problem" in resolved:
                resolved["problem"] = gettext(resolved["problem"])
            if gettext(message, **resolved) in page:
                break
    else:
        pytest.fail(f"{message % values!r} not on the page")
    assert db.session.scalars(select(Question).where(Question.qtype == "cloze")).first() is None


def test_parse_cloze_keeps_text_and_numbers_gaps_in_order():
    text, parts, problems = parse_cloze("A {1:SA:=x} B {1:BAD:=y} C {3:MC:=p~q}")
    assert text == "A {#1} B {1:BAD:=y} C {#3}"      # a bad gap stays as written in the preview
    assert [(p["id"], p["mark"]) for p in parts] == [("1", "1"), ("3", "3")]
    assert len(problems) == 1 and "Gap 2" in str(problems[0])
    assert cloze_source(text, {"parts": parts}) == "A {1:SHORTANSWER:=x} B {1:BAD:=y} C {3:MULTICHOICE:=p~q}"


def test_grade_rules_and_exact_grades():
    assert (parse_grade("33,33333%"), parse_grade("0.3333333"), parse_grade("0.33"), parse_grade("50%")) == \
        ("1/3", "1/3", "0.33", "1/2")
    multi = {"single": False, "answers": [{"fraction": "1/3"}, {"fraction": "1/3"}, {"fraction": "1/3"},
                                          {"fraction": "-1"}]}
    assert grade_rules("multichoice", multi) == []
    multi["answers"][0]["fraction"] = "0.5"
    assert [str(m) for m in grade_rules("multichoice", multi)] == [
        "The positive grades add up to 7/6; they must add up to 1 (full marks) when several options are right."]
    single = {"single": True, "answers": [{"fraction": "0.5"}, {"fraction": "0"}]}
    assert "the best now gives 0.5" in str(grade_rules("multichoice", single)[0])
    assert grade_rules("multichoice", {"single": True, "answers": [{"fraction": "0"}]}) == []   # the importers' check
    assert grade_rules("shortanswer", {"answers": [{"fraction": "1"}, {"fraction": "0.5"}]}) == []


def test_multichoice_grade_rules_in_the_editor(app, org):
    editor = _login(app, "editor")
    base = {"text": "Chọn", "answers-0-text": "A", "answers-1-text": "B", "answers-2-text": "C"}
    page = _page(_new(editor, org, "multichoice", single="y", **base, **{"answers-0-fraction": "0.5"}))
    assert says(page, "One answer must have the grade 1 (full marks), so that a full mark is possible; the best now "
                "gives %(best)s.", best="0.5")
    page = _page(_new(editor, org, "multichoice", **base, **{"answers-0-fraction": "50%", "answers-1-fraction": "1/3"}))
    assert says(page, "The positive grades add up to %(total)s; they must add up to 1 (full marks) when several "
                "options are right.", total="5/6")
    response = _new(editor, org, "multichoice", **base, **{"answers-0-fraction": "33.33333%",
                                                           "answers-1-fraction": "1/3", "answers-2-fraction": "1/3"})
    assert response.status_code == 302
    assert [a["fraction"] for a in _newest().current_version.payload["answers"]] == ["1/3", "1/3", "1/3"]


# ---- description -------------------------------------------------------------------------

def test_description_has_no_answer_and_no_mark(app, org):
    editor = _login(app, "editor")
    page = editor.get(f"/bank/{org['bank'].id}/new?qtype=description").get_data(as_text=True)
    assert 'name="default_mark"' not in page
    assert _new(editor, org, "description", text="Đọc tình huống sau rồi trả lời các câu 1–3.").status_code == 302
    v = _newest().current_version
    assert (v.qtype, v.default_mark, v.penalty, v.payload) == ("description", "0", "0", {})
    page, question = _edit(editor, _newest())
    assert says(page, "Nothing changed; no new version was made.")


# ---- the live preview --------------------------------------------------------------------

def _preview(client, org, qtype, **fields) -> str:
    response = client.post(f"/bank/{org['bank'].id}/preview?qtype={qtype}", data={"category": org["category"].id,
                                                                                 "default_mark": "1", **fields})
    assert response.status_code == 200
    return _page(response)


def test_preview_shows_each_type_as_the_examinee_sees_it(app, org):
    editor = _login(app, "editor")
    body = _preview(editor, org, "matching", **MATCHING)
    selects = re.findall(r'<select id="preview-s(\d)" name="preview-s\d" data-sub="\d"', body)
    assert selects == ["1", "2", "3"]                               # one per item, none for the extra answer
    first = body[body.index('id="preview-s1"'):body.index("</select>", body.index('id="preview-s1"'))]
    assert re.findall(r'<option value="([^"]*)"', first) == ["", "công chức", "ngân sách", "quốc phòng", "đấu thầu"]

    body = _preview(editor, org, "ordering", **ORDERING)
    assert re.findall(r'<li data-id="(\d)"', body) == ["2", "3", "4", "1"]      # never the right order
    assert says(body, "In a test the items are shown in a random order. Nothing you do here is saved.")

    body = _preview(editor, org, "cloze", text=CLOZE)
    assert body.count('class="cloze-ref"') == 4
    assert re.findall(r'data-part="(\d)" data-part-kind="(\w+)"', body) == [
        ("1", "choice"), ("2", "text"), ("3", "text"), ("4", "choices")]
    assert '<option value="a">Hà Nội</option>' in body and 'inputmode="decimal"' in body

    body = _preview(editor, org, "cloze", text="Năm {1:NUMERIC:=2023} và {1:SA:=x}")
    assert says(body, "This cannot be saved yet:") and "Gap 1" in body
    assert re.findall(r'data-part="(\d)"', body) == ["2"]            # the good gap is previewed meanwhile

    body = _preview(editor, org, "description", text="Đọc tình huống")
    assert "Đọc tình huống" in body and "<input" not in body and "<select" not in body
    assert 'class="qmark"' not in body


def test_the_editor_page_of_each_new_type(app, org):
    editor = _login(app, "editor")
    for qtype, expected in [("matching", ['name="pairs-2-answer"', 'name="distractors-0-answer"']),
                            ("ordering", ['name="items-3-text"', 'data-row-move="up"', 'name="grading"']),
                            ("cloze", ['id="cloze-syntax"', "{1:NUMERICAL:=3.14:0.01}"])]:
        page = editor.get(f"/bank/{org['bank'].id}/new?qtype={qtype}").get_data(as_text=True)
        assert all(e in page for e in expected), qtype
    bank_page = editor.get(f"/bank/{org['bank'].id}").get_data(as_text=True)
    for qtype in ("matching", "ordering", "cloze", "description"):
        assert f"/bank/{org['bank'].id}/new?qtype={qtype}" in bank_page


def test_the_corpus_questions_of_the_new_types_open_in_the_editor_unchanged(app, org):
    """The cloze, matching, ordering and description questions of the public corpus (GIFT,
    Moodle XML, QTI) open in the editor and, saved untouched, make no new version."""
    from question_bank.formats import FormatError

    folder = shared_path("corpus", "public")
    editor = _login(app, "editor")
    checked = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".gift", ".txt", ".xml", ".zip")):
        try:
            result = parse(path.read_bytes(), path.name)
        except FormatError:
            continue
        for parsed in result.questions:
            if parsed.qtype not in ("cloze", "matching", "ordering", "description") or \
                    checked.get(parsed.qtype, 0) >= 3:
                continue
            question = services.add_question(org["bank"], parsed)
            db.session.commit()
            page, question = _edit(editor, question)
            assert _versions(question) == [1], (path.name, parsed.name, page[page.find("alert"):][:600])
            checked[parsed.qtype] = checked.get(parsed.qtype, 0) + 1
    assert set(checked) == {"cloze", "matching", "ordering", "description"}, checked
