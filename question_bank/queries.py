"""Reads of the question bank, scoped to the reader's agencies."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import String, bindparam, func, select

from accounts.models import Agency, Role
from accounts.permissions import agency_scope
from exam.models import AttemptSlot, Exam
from extensions import db
from question_bank.models import Category, Question, QuestionBank, QuestionStatus, QuestionTag, QuestionVersion
from text_utils import fold

BANK_ROLES = (Role.BANK_EDITOR, Role.REVIEWER, Role.EXAM_ADMIN)
PAGE_SIZE = 50


def banks_in_scope(user) -> list[QuestionBank]:
    stmt = select(QuestionBank).join(QuestionBank.agency).where(agency_scope(user, *BANK_ROLES))
    return list(db.session.scalars(stmt.order_by(QuestionBank.name)))


def bank_counts(bank: QuestionBank) -> dict[tuple[int, str], int]:
    """(category id, status) → number of questions: one scan gives the category tree's
    counts, the status counts and the unfiltered totals of the bank page."""
    rows = db.session.execute(select(Question.category_id, Question.status, func.count())
                              .where(Question.bank_id == bank.id).group_by(Question.category_id, Question.status))
    return {(cat, status.value): n for cat, status, n in rows}


def category_counts(bank: QuestionBank, counts: dict | None = None) -> list[tuple[Category, int, int]]:
    """(category, depth, questions directly in it) in path order."""
    per_category: dict[int, int] = {}
    for (cat, _status), n in (bank_counts(bank) if counts is None else counts).items():
        per_category[cat] = per_category.get(cat, 0) + n
    cats = db.session.scalars(select(Category).where(Category.bank_id == bank.id).order_by(Category.path))
    return [(c, c.path.count(" / "), per_category.get(c.id, 0)) for c in cats]


def status_counts(counts: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for (_cat, status), n in counts.items():
        out[status] = out.get(status, 0) + n
    return out


def subtree_ids(category: Category) -> list[int]:
    stmt = select(Category.id).where(Category.bank_id == category.bank_id,
                                     (Category.path == category.path) | Category.path.startswith(category.path + " / "))
    return list(db.session.scalars(stmt))


@dataclass
class Filters:
    """What the bank page filters by; empty values filter nothing.  ``difficulty`` is a
    level code or "none" (no level); ``uses_min``/``uses_max`` bound the usage count (the
    number of attempt slots that asked any version of the question)."""

    category: Category | None = None
    q: str = ""
    qtype: str = ""
    status: str = ""
    tag: str = ""
    difficulty: str = ""
    uses_min: int | None = None
    uses_max: int | None = None


def _used(at_least: int):
    """Ids of the questions whose versions were asked at least ``at_least`` times (the
    slots are counted per version first: one pass over attempt_slot, no join per slot)."""
    per_version = (select(AttemptSlot.version_id, func.count().label("n"))
                   .group_by(AttemptSlot.version_id).subquery())
    return (select(QuestionVersion.question_id).join(per_version, per_version.c.version_id == QuestionVersion.id)
            .group_by(QuestionVersion.question_id).having(func.sum(per_version.c.n) >= at_least))


def _pattern(word: str):
    """``%word%`` with LIKE's wildcards escaped, rendered into the statement (safely
    quoted) rather than sent as a parameter: psycopg prepares a statement run five times,
    and PostgreSQL's generic plan for ``LIKE $1`` cannot use the trigram index (seconds
    instead of milliseconds, bench/bank.py)."""
    escaped = word.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return bindparam(None, f"%{escaped}%", type_=String, literal_execute=True)


def _filtered(bank, f: Filters):
    """SELECT question.id of the questions matching ``f`` (no join: the filtered fields of
    the current version are copied on the question)."""
    stmt = select(Question.id).where(Question.bank_id == bank.id)
    if f.category is not None:
        stmt = stmt.where(Question.category_id.in_(subtree_ids(f.category)))
    for word in fold(f.q).split():
        stmt = stmt.where(Question.search_text.like(_pattern(word), escape="/"))
    if f.qtype:
        stmt = stmt.where(Question.qtype == f.qtype)
    if f.status:
        stmt = stmt.where(Question.status == f.status)
    if f.tag:
        stmt = stmt.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.key == fold(f.tag))))
    if f.difficulty == "none":
        stmt = stmt.where(Question.difficulty.is_(None))
    elif f.difficulty:
        stmt = stmt.where(Question.difficulty == f.difficulty)
    if f.uses_min:
        stmt = stmt.where(Question.id.in_(_used(f.uses_min)))
    if f.uses_max is not None:
        stmt = stmt.where(Question.id.not_in(_used(f.uses_max + 1)))
    return stmt


def search_questions(bank, filters: Filters | None = None, page=1, counts: dict | None = None, **kw):
    """One page of questions with their current version and usage count; ``q`` is matched
    accent- and case-insensitively ("luat dau thau" finds "Luật Đấu thầu").
    Returns ([(question, version, uses)], total).  Keyword arguments build the Filters;
    ``counts`` (:func:`bank_counts`) gives the total without a count query when only the
    category filters.  The page's ids are found first (a narrow, index-friendly query),
    then their rows are loaded, so a deep page does not drag wide rows along."""
    f = filters or Filters(**kw)
    ids = _filtered(bank, f)
    only_category = not (f.q.strip() or f.qtype or f.status or f.tag or f.difficulty or f.uses_min
                         or f.uses_max is not None)
    window = ids.order_by(Question.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    if counts is not None and only_category:
        within = None if f.category is None else set(subtree_ids(f.category))
        total = sum(n for (cat, _s), n in counts.items() if within is None or cat in within)
        page_ids = list(db.session.scalars(window))
    else:   # the page and the total in one statement (a window count), the filters run once
        found = db.session.execute(window.add_columns(func.count().over())).all()
        page_ids = [row[0] for row in found]
        total = found[0][1] if found else db.session.scalar(select(func.count()).select_from(ids.subquery()))
    rows = db.session.execute(
        select(Question, QuestionVersion).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.id.in_(page_ids)).order_by(Question.id)).all() if page_ids else []
    uses = usage_counts(page_ids)
    return [(q, v, uses.get(q.id, 0)) for q, v in rows], total


def usage_counts(question_ids) -> dict[int, int]:
    """question id → number of attempt slots that asked any of its versions (absent = 0)."""
    if not question_ids:
        return {}
    stmt = (select(QuestionVersion.question_id, func.count(AttemptSlot.id))
            .join(AttemptSlot, AttemptSlot.version_id == QuestionVersion.id)
            .where(QuestionVersion.question_id.in_(list(question_ids))).group_by(QuestionVersion.question_id))
    return dict(db.session.execute(stmt).all())


def versions(question: Question) -> list[QuestionVersion]:
    return list(db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                   .order_by(QuestionVersion.version.desc())))


def official_exams_drawing(question: Question) -> list[Exam]:
    """Official exams of the question's bank whose blueprint draws from its category."""
    path = question.category.path
    exams = db.session.scalars(select(Exam).where(Exam.bank_id == question.bank_id, Exam.is_official.is_(True))
                               .order_by(Exam.id))
    return [e for e in exams if any(
        r.category.path == path or (r.include_subcategories and path.startswith(r.category.path + " / "))
        for r in e.rules)]


def in_use_reason(question: Question) -> str:
    """Why the question may not be deleted (empty when it may): a test asked one of its
    versions, or it was approved, so an exam blueprint, a generated paper or a practice
    quiz may hold it.  Such a question is retired instead."""
    uses = usage_counts([question.id]).get(question.id, 0)
    if uses:
        return _("This question was asked in %(n)d test attempt(s), so it cannot be deleted; retire it instead.",
                 n=uses)
    ever_approved = question.status == QuestionStatus.APPROVED or db.session.scalar(
        select(func.count()).select_from(QuestionVersion).where(
            QuestionVersion.question_id == question.id, QuestionVersion.approved_at.is_not(None)))
    if not ever_approved:
        return ""
    exams = official_exams_drawing(question)
    if exams:
        return _("The official exam “%(title)s” draws from this question's category, so it cannot be deleted; "
                 "retire it instead.", title=exams[0].title)
    return _("This question has been approved and may be in a practice quiz or a generated paper, "
             "so it cannot be deleted; retire it instead.")


def approved_versions(category: Category, include_subcategories=True) -> list[QuestionVersion]:
    """Current versions of the approved questions of a category (for drawing an exam)."""
    ids = subtree_ids(category) if include_subcategories else [category.id]
    stmt = (select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.category_id.in_(ids), Question.status == QuestionStatus.APPROVED,
                   QuestionVersion.qtype != "description").order_by(QuestionVersion.id))
    return list(db.session.scalars(stmt))


def bank_agency(bank: QuestionBank) -> Agency:
    return bank.agency
