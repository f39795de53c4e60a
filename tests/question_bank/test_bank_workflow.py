"""The review workflow: draft → in review → approved → retired, four eyes, audit, bulk
approval (DECISIONS.md 11, 15) and deletion of questions never used."""
import html

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

import labels
from accounts.models import AuditLog
from exam import services as exam_services
from exam.models import ExamState
from extensions import db
from question_bank import queries, services
from question_bank.formats import parse
from question_bank.models import Category, Question, QuestionBank, QuestionStatus, QuestionVersion
from tests import factories as f

GIFT = """$CATEGORY: $course$/top/Luật Đấu thầu

::Q1:: Luật Đấu thầu số 22/2023/QH15 có hiệu lực từ ngày nào? {=01/01/2024 ~01/07/2023 ~01/01/2025}

::Q2:: Hồ sơ mời thầu do bên mời thầu lập. {T}

::Q3:: Thời gian chuẩn bị hồ sơ dự thầu tối thiểu (ngày) đối với đấu thầu trong nước? {#20}
"""


@pytest.fixture
def org(app):
    p = f.agency("P", kind="province")
    other = f.agency("X", kind="province")
    people = {
        "editor": f.user("editor", p, roles=[("bank_editor", p)]),
        "reviewer": f.user("reviewer", p, roles=[("reviewer", p)]),
        "both": f.user("both", p, roles=[("bank_editor", p), ("reviewer", p)]),
        "outsider": f.user("outsider", other, roles=[("bank_editor", other), ("reviewer", other)]),
        "student": f.user("student", p),
    }
    bank = QuestionBank(code="LDT", name="Luật Đấu thầu", agency=p)
    db.session.add(bank)
    db.session.commit()
    return {"P": p, "bank": bank, **people}


def _import(org, author="editor"):
    report = services.import_file(org["bank"], GIFT.encode(), "ldt.gift", user=org[author])
    db.session.commit()
    return report


def says(page, message: str, plural: str | None = None, **values) -> bool:
    """The page shows ``message`` (an English msgid; ``plural`` with ``num`` for an
    ngettext message) in English or in Vietnamese."""
    from flask_babel import force_locale, gettext, ngettext

    def render():
        return ngettext(message, plural, values["num"]) if plural else gettext(message, **values)

    shown = []
    for locale in ("en", "vi"):
        with force_locale(locale):
            shown.append(render())
    return any(text in page for text in shown)


def _login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302
    return client


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _question(name) -> Question:
    return db.session.scalars(select(Question).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
                              .where(QuestionVersion.name == name)).one()


def _actions(obj) -> list[tuple[str, dict, dict]]:
    rows = db.session.scalars(select(AuditLog).where(AuditLog.object_type == type(obj).__name__,
                                                     AuditLog.object_id == str(obj.id)).order_by(AuditLog.id))
    return [(r.action, r.before, r.after) for r in rows]


def test_imports_land_as_drafts_and_are_not_drawn(org):
    report = _import(org)
    assert (report.imported, report.written) == (3, True)
    statuses = db.session.scalars(select(Question.status)).all()
    assert statuses == [QuestionStatus.DRAFT] * 3
    category = db.session.scalars(select(Category).where(Category.name == "Luật Đấu thầu")).one()
    assert queries.approved_versions(category) == []


def test_submit_then_approve_by_another_person_audited(app, org):
    _import(org, author="both")
    q1 = _question("Q1")
    both, reviewer = _login(app, "both"), _login(app, "reviewer")

    assert both.post(f"/bank/question/{q1.id}/status/submit").status_code == 302
    db.session.refresh(q1)
    assert q1.status == QuestionStatus.IN_REVIEW

    # The author holds the reviewer role too, yet may not approve their own version.
    page = both.post(f"/bank/question/{q1.id}/status/approve", follow_redirects=True)
    assert says(_text(page), "You wrote this version, so someone else must approve it.")
    db.session.refresh(q1)
    assert q1.status == QuestionStatus.IN_REVIEW

    assert reviewer.post(f"/bank/question/{q1.id}/status/approve", data={"reason": "Đúng luật"}).status_code == 302
    db.session.refresh(q1)
    assert q1.status == QuestionStatus.APPROVED
    assert (q1.current_version.approved_by_id, q1.current_version.created_by_id) == (org["reviewer"].id, org["both"].id)
    assert _actions(q1) == [
        ("question.submit", {"status": "draft"}, {"status": "in_review", "version": 1}),
        ("question.approve", {"status": "in_review"}, {"status": "approved", "version": 1}),
    ]
    category = q1.category
    assert [v.id for v in queries.approved_versions(category)] == [q1.current_version_id]


def test_each_step_only_from_its_states(app, org):
    _import(org)
    q2 = _question("Q2")
    editor, reviewer = _login(app, "editor"), _login(app, "reviewer")
    # A draft cannot be approved one by one: it goes to review first.
    page = reviewer.post(f"/bank/question/{q2.id}/status/approve", follow_redirects=True)
    labels_of_draft = []
    for locale in ("en", "vi"):
        with force_locale(locale):
            labels_of_draft.append(str(labels.QUESTION_STATUSES["draft"]))
    assert any(says(_text(page), "This question is %(status)s; it cannot be changed that way.", status=label)
               for label in labels_of_draft)
    steps = [(editor, "submit", "in_review"), (reviewer, "return", "draft"), (editor, "retire", "retired"),
             (editor, "reinstate", "draft"), (editor, "submit", "in_review"), (reviewer, "approve", "approved"),
             (reviewer, "retire", "retired")]
    for client, action, status in steps:
        assert client.post(f"/bank/question/{q2.id}/status/{action}").status_code == 302
        db.session.refresh(q2)
        assert q2.status.value == status, action
    assert [a for a, _b, _a in _actions(q2)] == [f"question.{a}" for _c, a, _s in steps]
    assert editor.post(f"/bank/question/{q2.id}/status/explode").status_code == 404


def test_roles_and_scope(app, org):
    _import(org)
    q1 = _question("Q1")
    editor, outsider, student = _login(app, "editor"), _login(app, "outsider"), _login(app, "student")
    assert editor.post(f"/bank/question/{q1.id}/status/submit").status_code == 302
    assert editor.post(f"/bank/question/{q1.id}/status/approve").status_code == 403      # not a reviewer
    assert editor.post(f"/bank/{org['bank'].id}/approve-all").status_code == 403
    assert outsider.post(f"/bank/question/{q1.id}/status/approve").status_code == 404    # another province
    assert outsider.post(f"/bank/{org['bank'].id}/approve-all").status_code == 404
    assert student.get(f"/bank/question/{q1.id}").status_code == 403
    db.session.refresh(q1)
    assert q1.status == QuestionStatus.IN_REVIEW


def test_approve_all_leaves_the_reviewers_own_questions(app, org):
    _import(org)                                          # 3 questions written by "editor"
    services.import_result(org["bank"], parse(b"::Own:: Cau hoi rieng? {T}", "own.gift"), user=org["both"])
    db.session.commit()
    both = _login(app, "both")
    response = both.post(f"/bank/{org['bank'].id}/approve-all", follow_redirects=True)
    text = _text(response)
    assert says(text, "%(num)d question approved.", "%(num)d questions approved.", num=3)
    assert says(text, "%(num)d question you wrote was left for another reviewer.",
                "%(num)d questions you wrote were left for another reviewer.", num=1)
    assert _question("Own").status == QuestionStatus.DRAFT
    assert {_question(n).status for n in ("Q1", "Q2", "Q3")} == {QuestionStatus.APPROVED}
    record = db.session.scalars(select(AuditLog).where(AuditLog.action == "questions.approve_all")).one()
    assert record.actor_id == org["both"].id
    assert record.before == {"statuses": {"draft": 3}}
    assert record.after["questions"] == sorted(_question(n).id for n in ("Q1", "Q2", "Q3"))


def test_approve_all_limited_to_a_category(app, org):
    services.import_file(org["bank"], (GIFT + "\n$CATEGORY: $course$/top/Khác\n\n::K1:: Khác? {T}\n").encode(),
                         "two.gift", user=org["editor"])
    db.session.commit()
    other = db.session.scalars(select(Category).where(Category.name == "Khác")).one()
    reviewer = _login(app, "reviewer")
    assert reviewer.post(f"/bank/{org['bank'].id}/approve-all", data={"category": other.id}).status_code == 302
    assert _question("K1").status == QuestionStatus.APPROVED
    assert _question("Q1").status == QuestionStatus.DRAFT


def test_submit_all_sends_drafts_for_review(app, org):
    _import(org)
    editor = _login(app, "editor")
    assert editor.post(f"/bank/{org['bank'].id}/submit-all").status_code == 302
    assert set(db.session.scalars(select(Question.status))) == {QuestionStatus.IN_REVIEW}


def test_a_draft_never_used_can_be_deleted(app, org):
    _import(org)
    q3 = _question("Q3")
    qid, vid = q3.id, q3.current_version_id
    editor = _login(app, "editor")
    assert editor.post(f"/bank/question/{qid}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, qid) is None and db.session.get(QuestionVersion, vid) is None
    record = db.session.scalars(select(AuditLog).where(AuditLog.action == "question.delete")).one()
    assert record.before == {"status": "draft", "version": 1, "name": "Q3", "category": "Luật Đấu thầu"}


def test_a_question_used_in_an_official_exam_is_retired_not_deleted(app, org):
    bank = f.bank(org["P"], [f.mc(f"M{i}") for i in range(3)], code="B2")       # approved at once (factory)
    category = db.session.scalars(select(Category).where(Category.bank_id == bank.id)).one()
    exam = f.exam(bank, org["P"], [(category, 3, 1)])
    attempt = exam_services.start_attempt(exam, org["student"])
    db.session.commit()
    asked = db.session.get(QuestionVersion, attempt.slots[0].version_id).question
    editor = _login(app, "editor")

    page = _text(editor.post(f"/bank/question/{asked.id}/delete", follow_redirects=True))
    assert says(page, "This question was asked in %(n)d test attempt(s), so it cannot be deleted; retire it instead.",
                n=1)
    assert db.session.get(Question, asked.id) is not None
    assert editor.post(f"/bank/question/{asked.id}/status/retire").status_code == 302
    db.session.refresh(asked)
    assert asked.status == QuestionStatus.RETIRED

    # An approved question nobody was asked yet, in the pool of the open official exam.
    exam.state = ExamState.OPEN
    new = services.add_question(bank, f.mc("M9"))
    db.session.commit()
    page = _text(editor.post(f"/bank/question/{new.id}/delete", follow_redirects=True))
    assert says(page, "The official exam “%(title)s” draws from this question's category, so it cannot be deleted; "
                "retire it instead.", title="Exam E1")
    assert db.session.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank.id)) == 4
