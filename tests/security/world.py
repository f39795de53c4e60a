"""A small province for the access matrix: agency A (the roles' own agency, with division A1)
and agency B (another agency), one person per role held at A, a peer in A1, a stranger in B,
and for each person an attempt, a task with a product report and an evidence file; a bank,
an exam and an image question in A and in B.

Built once per module (about a second), on in-memory SQLite.
"""
from dataclasses import dataclass, field
from datetime import date

from accounts.models import Role, User
from exam import services as exam_services
from extensions import db
from performance import services as perf_services
from performance.models import Task
from question_bank.models import QuestionFile, QuestionVersion
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLES = [r.value for r in Role]  # examinee is held by everyone; its user holds nothing else


@dataclass
class World:
    P: object = None
    A: object = None
    A1: object = None
    B: object = None
    users: dict = field(default_factory=dict)     # role name → user holding it at A
    peer: User = None
    stranger: User = None
    bank_a: object = None
    bank_b: object = None
    exam_a: object = None
    exam_b: object = None
    attempts: dict = field(default_factory=dict)  # user id → attempt
    tasks: dict = field(default_factory=dict)     # user id → task
    reports: dict = field(default_factory=dict)   # user id → product report
    evidence: dict = field(default_factory=dict)  # user id → evidence file
    image_version: dict = field(default_factory=dict)  # "a"/"b" → question version with an image
    question: dict = field(default_factory=dict)  # "a"/"b" → question
    records: dict = field(default_factory=dict)   # user id → {"row", "achievement", "quiz", "change": id}
    shared: dict = field(default_factory=dict)    # "a"/"b" → {"catalogue", "late", "job": id}


def _image_question(bank, key):
    parsed = factories.mc(f"Image question {key}", category=("Hình ảnh",))
    parsed.text = '<p>Look: <img src="@@PLUGINFILE@@/img.png" alt="x"></p>'
    from question_bank.services import add_question

    question = add_question(bank, parsed)
    version = db.session.get(QuestionVersion, question.current_version_id)
    db.session.add(QuestionFile(version_id=version.id, name="img.png", mime="image/png", data=PNG))
    return question, version


def build() -> World:
    w = World()
    w.P = factories.agency("P", kind="province")
    w.A = factories.agency("A", w.P, rating_unit=True)
    w.A1 = factories.agency("A1", w.A, kind="division")
    w.B = factories.agency("B", w.P, rating_unit=True)
    for role in ROLES:
        roles = [] if role == "examinee" else [(role, w.A)]
        w.users[role] = factories.user(f"r.{role}", w.A, roles=roles, leader=role in ("head", "supervisor"))
    w.peer = factories.user("peer", w.A1)
    w.stranger = factories.user("stranger", w.B)
    chung = [factories.mc(f"Q{i}") for i in range(3)]
    w.bank_a = factories.bank(w.A, chung, code="BA")
    w.bank_b = factories.bank(w.B, [factories.mc(f"R{i}") for i in range(3)], code="BB")
    for key, bank in (("a", w.bank_a), ("b", w.bank_b)):
        w.question[key], w.image_version[key] = _image_question(bank, key)
    from question_bank.models import Category
    from sqlalchemy import select

    cat = lambda bank: db.session.scalars(select(Category).where(Category.bank_id == bank.id,  # noqa: E731
                                                                  Category.path == "Chung")).one()
    w.exam_a = factories.exam(w.bank_a, w.A, [(cat(w.bank_a), 2, 1)], code="EA")
    w.exam_a.audience[0].agency = w.P  # everyone may sit the exam of A
    w.exam_b = factories.exam(w.bank_b, w.B, [(cat(w.bank_b), 2, 1)], code="EB")  # only B's people
    db.session.flush()
    boss = w.users["supervisor"]
    for person in [*w.users.values(), w.peer, w.stranger]:
        w.attempts[person.id] = exam_services.start_attempt(w.exam_a, person)
        task = Task(year=2026, period="2026-Q1", assigner_id=boss.id, assignee_id=person.id, title="Task",
                    target=4, deadline=date(2026, 3, 25))
        db.session.add(task)
        db.session.flush()
        report = perf_services.report_product(task, person, 4, "Done", date(2026, 3, 20), ("proof.png", PNG))
        w.tasks[person.id], w.reports[person.id] = task, report
        w.evidence[person.id] = report.evidence[0]
    other_attempt = exam_services.start_attempt(w.exam_b, w.stranger)
    _records(w, other_attempt)
    db.session.commit()
    return w


def _records(w: World, other_attempt) -> None:
    """Rows of the other features' workflows, per person (own / same agency / other agency)."""
    from classification.models import Achievement, AchievementKind, YearlyClassification
    from exam.models import LateSave, PracticeQuiz, RegradeJob
    from performance.models import CatalogueItem, CommitmentChange

    people = [*w.users.values(), w.peer, w.stranger]
    kind = next(iter(AchievementKind))
    for person in people:
        rows = {
            "row": YearlyClassification(user_id=person.id, year=2026, profile="nd335", level_before_quota="GOOD",
                                        level="GOOD"),
            "achievement": Achievement(user_id=person.id, year=2026, kind=kind, reference="QĐ 1/2026"),
            "quiz": PracticeQuiz(user_id=person.id, bank_id=w.bank_a.id, items=[w.image_version["a"].id]),
            "change": CommitmentChange(user_id=person.id, year=2026, reason="Đổi chỉ tiêu"),
        }
        db.session.add_all(rows.values())
        db.session.flush()
        w.records[person.id] = {k: v.id for k, v in rows.items()}
    for key, agency, attempt, exam, bank in (("a", w.A, w.attempts[w.peer.id], w.exam_a, w.bank_a),
                                             ("b", w.B, other_attempt, w.exam_b, w.bank_b)):
        rows = {"catalogue": CatalogueItem(agency_id=agency.id, code=f"SP-{key}", title="Sản phẩm"),
                "late": LateSave(attempt_id=attempt.id, position=1, seq=99),
                "job": RegradeJob(exam_id=exam.id, question_id=w.question[key].id, kind="key", reason="Sửa đáp án")}
        db.session.add_all(rows.values())
        db.session.flush()
        w.shared[key] = {k: v.id for k, v in rows.items()}
    _background_jobs(w)


def _background_jobs(w: World) -> None:
    """Finished background jobs (jobs/): one of each person's own (``records[id]["bgjob"]``),
    and per agency A/B a regrade and a rating run queued by the peer / the stranger
    (``shared[key]["bgjob_exam"|"bgjob_rating"]``)."""
    from jobs.models import Job, JobState

    def job(kind, person, agency, key):
        params = ({"regrade_id": w.shared[key]["job"], "exam_id": (w.exam_a if key == "a" else w.exam_b).id,
                   "actor_id": person.id} if kind == "exam.regrade" else
                  {"agency_id": agency.id, "year": 2026, "actor_id": person.id})
        row = Job(kind=kind, params=params, state=JobState.DONE, result={}, created_by_id=person.id,
                  agency_id=agency.id)
        db.session.add(row)
        db.session.flush()
        return row.id

    for person in [*w.users.values(), w.peer, w.stranger]:
        key = "b" if person is w.stranger else "a"
        w.records[person.id]["bgjob"] = job("exam.regrade", person, w.B if key == "b" else w.A, key)
    for key, person, agency in (("a", w.peer, w.A), ("b", w.stranger, w.B)):
        w.shared[key].update(bgjob_exam=job("exam.regrade", person, agency, key),
                             bgjob_rating=job("rating.run", person, agency, key))
