"""Reads of the question bank, scoped to the reader's agencies."""
from sqlalchemy import func, select

from accounts.models import Agency, Role
from accounts.permissions import agency_scope
from extensions import db
from question_bank.models import Category, Question, QuestionBank, QuestionVersion
from text_utils import fold

BANK_ROLES = (Role.BANK_EDITOR, Role.REVIEWER, Role.EXAM_ADMIN)
PAGE_SIZE = 50


def banks_in_scope(user) -> list[QuestionBank]:
    stmt = select(QuestionBank).join(QuestionBank.agency).where(agency_scope(user, *BANK_ROLES))
    return list(db.session.scalars(stmt.order_by(QuestionBank.name)))


def category_counts(bank: QuestionBank) -> list[tuple[Category, int, int]]:
    """(category, depth, questions directly in it) in path order."""
    counts = dict(db.session.execute(
        select(Question.category_id, func.count()).where(Question.bank_id == bank.id)
        .group_by(Question.category_id)).all())
    cats = db.session.scalars(select(Category).where(Category.bank_id == bank.id).order_by(Category.path))
    return [(c, c.path.count(" / "), counts.get(c.id, 0)) for c in cats]


def subtree_ids(category: Category) -> list[int]:
    stmt = select(Category.id).where(Category.bank_id == category.bank_id,
                                     (Category.path == category.path) | Category.path.startswith(category.path + " / "))
    return list(db.session.scalars(stmt))


def search_questions(bank, *, category=None, q="", qtype="", status="", page=1):
    """One page of questions with their current version; ``q`` is matched accent- and
    case-insensitively ("luat dau thau" finds "Luật Đấu thầu").  Returns (rows, total)."""
    stmt = (select(Question, QuestionVersion).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id))
    if category is not None:
        stmt = stmt.where(Question.category_id.in_(subtree_ids(category)))
    for word in fold(q).split():
        stmt = stmt.where(Question.search_text.contains(word))
    if qtype:
        stmt = stmt.where(QuestionVersion.qtype == qtype)
    if status:
        stmt = stmt.where(Question.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(Question.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def approved_versions(category: Category, include_subcategories=True) -> list[QuestionVersion]:
    """Current versions of the approved questions of a category (for drawing an exam)."""
    from question_bank.models import QuestionStatus

    ids = subtree_ids(category) if include_subcategories else [category.id]
    stmt = (select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.category_id.in_(ids), Question.status == QuestionStatus.APPROVED,
                   QuestionVersion.qtype != "description").order_by(QuestionVersion.id))
    return list(db.session.scalars(stmt))


def bank_agency(bank: QuestionBank) -> Agency:
    return bank.agency
