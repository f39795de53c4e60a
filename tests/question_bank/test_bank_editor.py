"""The editor: one form per type, every save a new version, attempts keep the version they
asked, metadata edits keep the approval, and the live preview renders the examinee's view."""
import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from exam import services as exam_services
from extensions import db
from question_bank import services
from question_bank.formats import parse
from question_bank.models import Category, Question, QuestionFile, QuestionStatus, QuestionVersion
from tests import factories as f


class _Fields(HTMLParser):
    """The values a browser would send for the form with id ``form_id`` (unchecked boxes
    and radios left out, like a browser)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data, self._textarea, self._select = form_id, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[a["name"]] = a.get("value", "y" if a.get("type") == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[self._textarea] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.data):
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            value = self.data[self._textarea]      # the line break after <textarea> is not the value
            self.data[self._textarea] = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(page, form_id="question-editor") -> dict:
    parser = _Fields(form_id)
    parser.feed(page.get_data(as_text=True))
    return parser.data


@pytest.fixture
def org(app):
    p = f.agency("P", kind="province")
    people = {"editor": f.user("editor", p, roles=[("bank_editor", p)]),
              "reviewer": f.user("reviewer", p, roles=[("reviewer", p)]),
              "student": f.user("student", p)}
    bank = f.bank(p, [f.mc(f"M{i}", key=1) for i in range(3)])
    db.session.commit()
    category = db.session.scalars(select(Category).where(Category.bank_id == bank.id)).one()
    return {"P": p, "bank": bank, "category": category, **people}


def says(page, message: str, **values) -> bool:
    """The page shows ``message`` (an English msgid) in English or in Vietnamese."""
    from flask_babel import force_locale, gettext

    shown = []
    for locale in ("en", "vi"):
        with force_locale(locale):
            shown.append(gettext(message, **values))
    return any(text in page for text in shown)


def _login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302
    return client


def _first(bank) -> Question:
    return db.session.scalars(select(Question).where(Question.bank_id == bank.id).order_by(Question.id)).first()


def _versions(question) -> list[int]:
    return list(db.session.scalars(select(QuestionVersion.version).where(QuestionVersion.question_id == question.id)
                                   .order_by(QuestionVersion.version)))


def test_untouched_form_makes_no_version(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    assert data["answers-1-fraction"] == "1" and data["answers-1-id"] == "b" and data["answers-4-text"] == ""
    response = editor.post(f"/bank/question/{question.id}/edit", data=data, follow_redirects=True)
    assert says(html.unescape(response.get_data(as_text=True)), "Nothing changed; no new version was made.")
    assert _versions(question) == [1]
    assert question.status == QuestionStatus.APPROVED


def test_edit_makes_a_new_version_and_the_old_attempt_keeps_its_own(app, org):
    category = org["category"]
    exam = f.exam(org["bank"], org["P"], [(category, 3, 1)], code="E1")
    attempt = exam_services.start_attempt(exam, org["student"])
    db.session.commit()
    slot = attempt.slots[0]
    question, old_id, old_text = slot.version.question, slot.version_id, slot.version.text

    editor = _login(app, "editor")
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["text"] = "Câu hỏi đã sửa: Luật Đấu thầu áp dụng cho ai?"
    data["answers-0-fraction"], data["answers-1-fraction"] = "1", "0"        # the key moves from b to a
    assert editor.post(f"/bank/question/{question.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    new = question.current_version
    assert (new.version, _versions(question)) == (2, [1, 2])
    assert new.text == "Câu hỏi đã sửa: Luật Đấu thầu áp dụng cho ai?"
    assert [(a["id"], a["fraction"]) for a in new.payload["answers"]] == [("a", "1"), ("b", "0"), ("c", "0"),
                                                                          ("d", "0")]
    assert question.status == QuestionStatus.DRAFT          # changed content: a new review first
    assert db.session.get(type(slot), slot.id).version_id == old_id

    # The examinee's page still shows what was asked, never the edited text.
    student = _login(app, "student")
    page = student.get(f"/exam/attempt/{attempt.id}").get_data(as_text=True)
    assert old_text in page and "đã sửa" not in page

    # Approved by the reviewer, version 2 is what the next draw takes.
    reviewer = _login(app, "reviewer")
    assert editor.post(f"/bank/question/{question.id}/status/submit").status_code == 302
    assert reviewer.post(f"/bank/question/{question.id}/status/approve").status_code == 302
    from question_bank.queries import approved_versions
    assert new.id in [v.id for v in approved_versions(category)]
    old_page = editor.get(f"/bank/question/{question.id}?version=1").get_data(as_text=True)
    assert says(html.unescape(old_page), "an older version; the current one is %(n)d", n=2)


def test_metadata_only_edit_keeps_the_approval(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    question.current_version.approved_by_id = org["reviewer"].id
    db.session.commit()
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data.update({"tags": "Đấu thầu, hợp đồng, đấu thầu", "difficulty": "hard", "difficulty_value": "0,35",
                 "legal_reference": "Luật Đấu thầu số 22/2023/QH15", "legal_article": "Điều 5, khoản 2"})
    assert editor.post(f"/bank/question/{question.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    v = question.current_version
    assert (v.version, question.status) == (2, QuestionStatus.APPROVED)
    assert (v.tags, v.difficulty, v.difficulty_value) == (["Đấu thầu", "hợp đồng"], "hard", 0.35)
    assert v.legal_citation == "Luật Đấu thầu số 22/2023/QH15, Điều 5, khoản 2"
    assert v.approved_by_id == org["reviewer"].id
    assert sorted(t.key for t in question.tag_rows) == ["dau thau", "hop dong"]


def test_answer_ids_stay_stable_across_versions(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["answers-2-text"] = ""                       # drop option c
    data["answers-4-text"], data["answers-4-fraction"] = "Phương án mới", "0"
    assert editor.post(f"/bank/question/{question.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    answers = db.session.get(Question, question.id).current_version.payload["answers"]
    assert [a["id"] for a in answers] == ["a", "b", "d", "c"]       # the new row takes the first free id
    assert answers[3]["text"] == "Phương án mới"


def test_editor_refuses_what_the_importers_refuse(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["answers-1-fraction"] = "0"
    page = html.unescape(editor.post(f"/bank/question/{question.id}/edit", data=data).get_data(as_text=True))
    assert says(page, "No choice is marked correct.")
    data["answers-1-fraction"] = "2"
    page = html.unescape(editor.post(f"/bank/question/{question.id}/edit", data=data).get_data(as_text=True))
    assert says(page, "A grade between -1 and 1: 1, 0.5, 1/3, 50%, -1/3.")
    assert _versions(question) == [1]


def test_option_referring_to_others_turns_shuffling_off(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["answers-3-text"] = "Tất cả các phương án trên"
    response = editor.post(f"/bank/question/{question.id}/edit", data=data, follow_redirects=True)
    assert says(html.unescape(response.get_data(as_text=True)), "Choice %(ids)s refers to other choices, so the "
                "choices keep their order (shuffling turned off).", ids="D")
    db.session.expire_all()
    assert db.session.get(Question, question.id).current_version.payload["shuffle_answers"] is False


CASES = {
    "truefalse": ({"correct": "false", "feedback_true": "Sai", "feedback_false": ""},
                  {"correct": False, "feedback_true": "Sai", "feedback_false": ""}),
    "shortanswer": ({"answers-0-text": "Bộ Tài chính", "answers-0-fraction": "100%", "answers-1-text": "BTC",
                     "answers-1-fraction": "0,5"},
                    {"case_sensitive": False, "answers": [
                        {"text": "Bộ Tài chính", "fraction": "1", "feedback": ""},
                        {"text": "BTC", "fraction": "0.5", "feedback": ""}]}),
    "numerical": ({"answers-0-value": "3,14", "answers-0-tolerance": "0,01", "answers-0-fraction": "1"},
                  {"answers": [{"value": "3.14", "tolerance": "0.01", "fraction": "1", "feedback": ""}]}),
    "essay": ({"response_format": "plain", "grader_info": "Nêu đủ 3 ý", "response_template": "Ý 1:\r\nÝ 2:"},
              {"response_format": "plain", "grader_info": "Nêu đủ 3 ý", "response_template": "Ý 1:\nÝ 2:"}),
    "description": ({}, {}),
    "multichoice": ({"single": "", "answers-0-text": "A", "answers-0-fraction": "1/2", "answers-1-text": "B",
                     "answers-1-fraction": "50%", "answers-2-text": "C", "answers-2-fraction": "-1"},
                    {"single": False, "shuffle_answers": False, "answer_numbering": "abc", "answers": [
                        {"id": "a", "text": "A", "fraction": "1/2", "feedback": ""},
                        {"id": "b", "text": "B", "fraction": "1/2", "feedback": ""},
                        {"id": "c", "text": "C", "fraction": "-1", "feedback": ""}]}),
}


@pytest.mark.parametrize("qtype", list(CASES))
def test_new_question_of_each_editable_type(app, org, qtype):
    editor = _login(app, "editor")
    sent, payload = CASES[qtype]
    data = {"category": org["category"].id, "text": "Nội dung <b>câu hỏi</b>\r\ndòng hai", "default_mark": "2,5",
            "difficulty": "medium", **sent}
    response = editor.post(f"/bank/{org['bank'].id}/new?qtype={qtype}", data=data)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[-3000:]
    question = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    v = question.current_version
    mark = "0" if qtype == "description" else "2.5"          # a description carries no mark
    assert (v.qtype, v.text, v.default_mark, v.difficulty) == (qtype, "Nội dung <b>câu hỏi</b><br>dòng hai", mark,
                                                                "medium")
    assert v.payload == payload
    assert (question.status, v.created_by_id, v.name) == (QuestionStatus.DRAFT, org["editor"].id,
                                                          "Nội dung câu hỏi dòng hai")


def test_new_question_in_a_new_category(app, org):
    editor = _login(app, "editor")
    data = {"new_category": "Luật Đấu thầu / Hợp đồng", "text": "Đúng hay sai?", "default_mark": "1",
            "correct": "true"}
    assert editor.post(f"/bank/{org['bank'].id}/new?qtype=truefalse", data=data).status_code == 302
    question = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    assert (question.category.path, question.category.parent.name) == ("Luật Đấu thầu / Hợp đồng", "Luật Đấu thầu")


def test_an_imported_matching_question_opens_in_the_editor(app, org):
    bank = org["bank"]
    result = parse("::Nối:: Nối cơ quan với việc {=Bộ Tài chính -> ngân sách =Bộ Nội vụ -> công chức}".encode(),
                   "m.gift")
    question = services.add_question(bank, result.questions[0])
    db.session.commit()
    editor = _login(app, "editor")
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    assert (data["pairs-0-text"], data["pairs-0-answer"], data["pairs-1-id"]) == ("Bộ Tài chính", "ngân sách", "2")
    response = editor.post(f"/bank/question/{question.id}/edit", data=data, follow_redirects=True)
    assert says(html.unescape(response.get_data(as_text=True)), "Nothing changed; no new version was made.")
    assert _versions(question) == [1]
    assert editor.get(f"/bank/{bank.id}/new?qtype=matching").status_code == 200
    assert editor.get(f"/bank/{bank.id}/new?qtype=hotspot").status_code == 404


def test_live_preview_renders_the_examinee_view(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["text"] = "Xem trước <img src=\"@@PLUGINFILE@@/so-do.png\"> <script>alert(1)</script>"
    response = editor.post(f"/bank/question/{question.id}/preview", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "Xem trước" in body and "<script>" not in body
    assert f'src="/bank/file/{question.current_version_id}/so-do.png"' in body
    assert len(re.findall(r'<input type="radio" id="preview-[a-d]" name="preview"', body)) == 4
    assert _versions(question) == [1]                 # a preview never saves

    data["answers-1-fraction"] = "0"
    body = html.unescape(editor.post(f"/bank/question/{question.id}/preview", data=data).get_data(as_text=True))
    assert says(body, "This cannot be saved yet:") and says(body, "No choice is marked correct.")

    new = editor.post(f"/bank/{org['bank'].id}/preview?qtype=truefalse", data={"text": "Đúng không?"})
    assert new.status_code == 200 and 'name="preview" value="true"' in new.get_data(as_text=True)


def test_editor_page_uses_the_script_file_and_no_inline_script(app, org):
    editor = _login(app, "editor")
    page = editor.get(f"/bank/question/{_first(org['bank']).id}/edit").get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", page)
    assert any("js/question_editor.js" in s for s in scripts)
    assert all("src=" in s for s in scripts)
    assert 'data-preview-url="/bank/question/' in page
    with app.test_client().get("/static/js/question_editor.js") as script:
        assert script.status_code == 200 and b"previewUrl" in script.data


def test_images_are_stored_and_carried_to_the_next_version(app, org):
    from conftest import shared_path

    path = shared_path("corpus", "public", "moodle-xml", "qas-editor_multichoice.xml")
    report = services.import_file(org["bank"], path.read_bytes(), path.name, user=org["editor"])
    db.session.commit()
    assert report.written
    question = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    names = sorted(db.session.scalars(select(QuestionFile.name).where(
        QuestionFile.version_id == question.current_version_id)))
    assert len(names) == 2
    editor = _login(app, "editor")
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["tags"] = "ảnh"
    assert editor.post(f"/bank/question/{question.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.current_version.version == 2
    assert sorted(fl.name for fl in question.current_version.files) == names


def test_moving_to_another_category_makes_no_version(app, org):
    editor = _login(app, "editor")
    question = _first(org["bank"])
    data = form_data(editor.get(f"/bank/question/{question.id}/edit"))
    data["new_category"] = "Chung / Lưu trữ"
    response = editor.post(f"/bank/question/{question.id}/edit", data=data, follow_redirects=True)
    assert says(html.unescape(response.get_data(as_text=True)), "The question is now in “%(path)s”.",
                path="Chung / Lưu trữ")
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert (question.category.path, _versions(question), question.status) == ("Chung / Lưu trữ", [1],
                                                                               QuestionStatus.APPROVED)

