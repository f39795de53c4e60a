"""``flask demo load``: the demo province with its bank, an open test, finished attempts,
verified products and general-criteria points, rated once so every page has data.

Idempotent: a second run finds the province and does nothing.
"""
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from sqlalchemy import select

from accounts.models import Agency, AgencyKind, DisciplineForm, DisciplineRecord, Role, RoleAssignment, StaffCategory, User
from accounts.queries import direct_manager
from classification.models import GeneralAssessment, RatingSettings
from db_types import utcnow
from demo.answers import right_response, wrong_response
from demo.data import AGENCIES, DEMO_YEAR, DISCIPLINE, PASSWORD, STAFF
from exam import services as exam_services
from exam.models import AttemptState, BlueprintRule, Exam, ExamAudience, ExamState
from extensions import db
from performance.models import ProductReport, Task, Verification
from question_bank.formats import parse
from question_bank.models import Category, QuestionBank, QuestionStatus
from question_bank.services import add_question, approve_all

BANK_FILE = Path(__file__).resolve().parent.parent / "question_bank" / "demo" / "ngan-hang-demo.gift"
DEADLINES = {"Q1": date(DEMO_YEAR, 3, 25), "Q2": date(DEMO_YEAR, 6, 25), "Q3": date(DEMO_YEAR, 9, 25),
             "Q4": date(DEMO_YEAR, 12, 10)}
FULL = {"I.1": "5", "I.2": "5", "II.1": "5/2", "II.2": "5/2", "II.3": "5/2", "II.4": "5/2",
        "III.1": "5/2", "III.2": "5/2", "III.3": "5/2", "III.4": "5/2"}
# General-criteria points per pattern: the full form minus these deductions.
DEDUCT = {"excellent": {"III.1": "1/2"}, "excellent2": {"III.1": "1/2", "III.4": "1/2"},
          "good": {"I.1": "1/2", "I.2": "1/2", "II.2": "1/2", "II.3": "1/2", "II.4": "1/2", "III.1": "1/2",
                   "III.2": "1/2", "III.3": "1", "III.4": "1"},
          "completed": {"I.1": "1", "I.2": "1", "II.2": "1", "II.3": "1", "II.4": "1", "III.1": "1",
                        "III.2": "1", "III.3": "3/2", "III.4": "3/2"},
          "poor": {"I.1": "2", "I.2": "2", "II.2": "3/2", "II.3": "3/2", "II.4": "3/2", "III.1": "3/2",
                   "III.2": "3/2", "III.3": "3/2", "III.4": "3/2"}}


def general_points(pattern: str) -> dict[str, str]:
    deduct = DEDUCT.get(pattern, DEDUCT["good"])
    return {k: str(Fraction(v) - Fraction(deduct.get(k, "0"))) for k, v in FULL.items()}


def load() -> bool:
    """Create the demo data; returns False when it is already there."""
    if db.session.scalars(select(Agency).where(Agency.code == "PT")).first():
        return False
    agencies = _agencies()
    users = _staff(agencies)
    bank = _bank(agencies["SNV"], users["nganhang"], users["khaothi"])
    exam = _exam(bank, agencies, users["khaothi"])
    _attempts(exam, users)
    _tasks(users)
    _cascade(users, agencies)
    _discipline(users)
    db.session.add(RatingSettings(year=DEMO_YEAR))
    db.session.flush()
    from classification.services import run_rating
    run_rating(agencies["PT"], DEMO_YEAR, users["nhansu"])
    db.session.commit()
    return True


def _agencies() -> dict[str, Agency]:
    out = {}
    for code, name, kind, parent, rating_unit in AGENCIES:
        agency = Agency(code=code, name=name, kind=AgencyKind(kind), parent=out.get(parent),
                        is_rating_unit=rating_unit)
        db.session.add(agency)
        db.session.flush()
        agency.set_path()
        out[code] = agency
    return out


def _staff(agencies) -> dict[str, User]:
    users = {}
    for username, name, agency, position, category, leader, roles, perf, _test in STAFF:
        user = User(username=username, full_name=name, agency=agencies[agency], position=position,
                    staff_category=StaffCategory(category), is_leader=leader, rated=perf is not None,
                    quota_group="lanh-dao" if leader else "chuyen-vien")
        user.set_password(PASSWORD)
        user.roles = [RoleAssignment(role=Role(r), agency=agencies[a]) for r, a in roles]
        db.session.add(user)
        users[username] = user
    db.session.flush()
    return users


def _bank(owner: Agency, editor: User, reviewer: User) -> QuestionBank:
    """The demo bank, written by the project (DECISIONS.md 26); essays go to their own
    category so that the multiple-choice test never draws them.  Imported as drafts by
    ``editor`` and approved by ``reviewer``, a second person (DECISIONS.md 15)."""
    bank = QuestionBank(code="DEMO-CBCC", name="Ngân hàng minh họa: Luật Cán bộ, công chức và thủ tục hành chính",
                        field="Quản lý nhà nước", agency=owner)
    db.session.add(bank)
    db.session.flush()
    result = parse(BANK_FILE.read_bytes(), BANK_FILE.name)
    if result.errors:
        raise RuntimeError(f"demo bank does not parse: {result.errors[:3]}")
    for parsed in result.questions:
        if parsed.qtype in ("essay", "description"):
            parsed.category = ("Tự luận (không dùng trong đề trắc nghiệm)",)
        add_question(bank, parsed, editor, QuestionStatus.DRAFT)
    approve_all(bank, reviewer)
    return bank


def _exam(bank, agencies, admin) -> Exam:
    now = utcnow().replace(second=0, microsecond=0)
    exam = Exam(code=f"SH-{DEMO_YEAR}", title=f"Sát hạch kiến thức chuyên môn, nghiệp vụ năm {DEMO_YEAR}",
                year=DEMO_YEAR, agency=agencies["PT"], bank=bank, duration_minutes=60,
                window_start=now - timedelta(days=14), window_end=now + timedelta(days=30),
                state=ExamState.OPEN, created_by_id=admin.id)
    exam.audience.append(ExamAudience(agency=agencies["PT"]))
    tops = db.session.scalars(select(Category).where(Category.bank_id == bank.id, Category.parent_id.is_(None))
                              .order_by(Category.path)).all()
    counts = {"Luật Cán bộ, công chức 2025": 30, "Thủ tục hành chính": 20, "Đánh giá, xếp loại chất lượng": 10}
    for i, cat in enumerate(c for c in tops if c.name in counts):
        exam.rules.append(BlueprintRule(position=i, category=cat, count=counts[cat.name], mark=Fraction(1)))
    db.session.add(exam)
    db.session.flush()
    return exam


def _attempts(exam, users) -> None:
    for username, *_rest, test in STAFF:
        if test is None:
            continue
        user = users[username]
        attempt = exam_services.start_attempt(exam, user)
        right = round(test * len(attempt.slots))
        for i, slot in enumerate(attempt.slots):
            maker = right_response if i < right else wrong_response
            slot.response, slot.saved_seq = maker(slot.version.qtype, slot.version.payload), i + 1
        db.session.flush()
        exam_services.finish_attempt(attempt, AttemptState.SUBMITTED, actor=user)


def assessor(user: User, users) -> User:
    """Who assigns, verifies and reviews ``user``'s work: the direct manager; for a head of
    agency with nobody above in the tree (a director of a department, the chair of a ward),
    the level above is the province, represented by its HR officer (hr_officer at the root),
    never the person themself."""
    boss = direct_manager(user)
    if boss is not None:
        return boss
    return next(u for u in users.values() if u.id != user.id and any(
        r.role == Role.HR_OFFICER and r.agency.parent_id is None for r in u.roles))


def _tasks(users) -> None:
    for username, *_mid, perf, _test in STAFF:
        if perf is None:
            continue
        user = users[username]
        boss = assessor(user, users)
        for quarter, deadline in DEADLINES.items():
            for index in (0, 1):
                _task(user, boss, perf, quarter, deadline, index)
            if user.staff_category == StaffCategory.CIVIL_SERVANT:
                db.session.add(GeneralAssessment(
                    user_id=user.id, period=f"{DEMO_YEAR}-{quarter}", self_points=general_points(perf),
                    final_points=general_points(perf), assessed_by_id=boss.id,
                    org_capacity=Fraction(1) if perf.startswith("excellent") else Fraction(9, 10),
                    unity=Fraction(1) if perf.startswith("excellent") else Fraction(9, 10)))
    db.session.flush()


TASK_TITLES = [("Tham mưu văn bản thuộc lĩnh vực phụ trách", "Văn bản trình lãnh đạo ký ban hành", "văn bản"),
               ("Giải quyết hồ sơ, thủ tục hành chính đúng hạn", "Hồ sơ được giải quyết, trả kết quả", "hồ sơ")]


def _task(user, boss, perf, quarter, deadline, index) -> None:
    title, indicator, unit = TASK_TITLES[index]
    task = Task(year=DEMO_YEAR, period=f"{DEMO_YEAR}-{quarter}", assigner_id=boss.id, assignee_id=user.id,
                title=f"{title} (quý {quarter[1]})", indicator=indicator, unit_of_measure=unit,
                target=Fraction(4), deadline=deadline)
    db.session.add(task)
    outcome = _outcome(perf, index)
    if outcome is None:
        return
    accepted, late, quality_failed = outcome
    delivered = deadline + timedelta(days=7) if late else deadline - timedelta(days=5)
    report = ProductReport(task=task, actual_value=accepted, delivered_on=delivered,
                           product=f"{indicator}: {accepted} {unit}, lưu tại hệ thống quản lý văn bản.")
    db.session.add(report)
    db.session.add(Verification(report=report, verifier_id=boss.id, accepted_value=accepted, on_time=not late,
                                quality_met=not quality_failed, quality_failures=int(quality_failed),
                                delays=int(late), comment="Đã kiểm chứng (dữ liệu minh họa)."))


def _outcome(perf: str, index: int):
    """(accepted quantity, late, quality failed) of task ``index`` (0 or 1), None = not delivered."""
    table = {
        "excellent": [(4, False, False), (4, False, False)],
        "excellent2": [(4, False, False), (4, False, False)],
        "good": [(4, False, False), (4, True, True)],
        "completed": [(4, False, False), None],
        "poor": [(1, True, False), None],
        "nd90_excellent": [(5, False, False), (4, False, False)],
        "nd90_good": [(4, False, False), (4, False, False)],
    }
    row = table[perf][index]
    return None if row is None else (Fraction(row[0]), row[1], row[2])


def _discipline(users) -> None:
    for username, (form, connected) in DISCIPLINE.items():
        db.session.add(DisciplineRecord(user_id=users[username].id, form=DisciplineForm(form),
                                        decided_on=date(DEMO_YEAR, 8, 15), connected_with_duties=connected,
                                        note="Dữ liệu minh họa"))


def _cascade(users, agencies) -> None:
    """One cascaded task (issue 5): the Department of Home Affairs director's task split for
    two division heads — one as a person, one as a unit (its head answers for it).  Children
    in standard products: 6 × 1 verified 6, 2 × 2 not reported (overdue) → roll-up 6/10."""
    from performance.services import split_task

    director, ccvc, office = users["giamdoc.snv"], users["tp.ccvc"], agencies["SNV-VP"]
    parent = Task(year=DEMO_YEAR, period=f"{DEMO_YEAR}-Q4", assigner_id=assessor(director, users).id,
                  assignee_id=director.id,
                  title="Tham mưu sắp xếp vị trí việc làm công chức toàn tỉnh (nhiệm vụ phân cấp)",
                  indicator="Văn bản, hồ sơ trình UBND tỉnh", unit_of_measure="văn bản", target=Fraction(10),
                  deadline=DEADLINES["Q4"])
    db.session.add(parent)
    db.session.flush()
    first = split_task(parent, director, assignee=ccvc, title="Rà soát vị trí việc làm công chức các sở, ngành",
                       indicator="Báo cáo rà soát được phê duyệt", unit_of_measure="văn bản", target=6, factor=1,
                       weight=1, quarter="Q3", deadline=DEADLINES["Q3"])
    split_task(parent, director, unit=office, title="Hoàn thiện hồ sơ trình UBND tỉnh phê duyệt",
               indicator="Hồ sơ trình được tiếp nhận", unit_of_measure="hồ sơ", target=2, factor=2, weight=1,
               quarter="Q3", deadline=DEADLINES["Q3"])
    report = ProductReport(task=first, actual_value=Fraction(6), delivered_on=DEADLINES["Q3"] - timedelta(days=3),
                           product="Báo cáo rà soát 6 sở, ngành (dữ liệu minh họa).")
    db.session.add(report)
    db.session.add(Verification(report=report, verifier_id=director.id, accepted_value=Fraction(6), on_time=True,
                                quality_met=True, comment="Đã kiểm chứng (dữ liệu minh họa)."))
