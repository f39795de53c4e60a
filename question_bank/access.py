"""Fetch-and-authorise helpers of the bank's views (STYLE.md habit 7): a role reaching
the bank's agency, else 404 (another agency's objects are not revealed); the role an
action needs, else 403."""
from flask import abort
from flask_login import current_user

from accounts.models import Role
from accounts.permissions import can_reach, require_reach
from extensions import db
from question_bank import queries
from question_bank.models import Category, Question, QuestionBank

EDIT = (Role.BANK_EDITOR,)
REVIEW = (Role.REVIEWER,)
# Who may take each workflow step (besides reaching the bank's agency).
ACTION_ROLES = {"submit": EDIT, "approve": REVIEW, "return": REVIEW, "retire": EDIT + REVIEW, "reinstate": EDIT}


def get_bank_or_404(bank_id: int, *roles: Role) -> QuestionBank:
    bank = db.get_or_404(QuestionBank, bank_id)
    require_reach(current_user, bank.agency, *(roles or queries.BANK_ROLES))
    return bank


def get_question_or_404(question_id: int, *roles: Role) -> Question:
    """The question when the user reaches its bank with a bank role (404 otherwise), and
    holds one of ``roles`` there (403 otherwise)."""
    question = db.get_or_404(Question, question_id)
    bank = get_bank_or_404(question.bank_id)
    if roles and not can_reach(current_user, bank.agency, *roles):
        abort(403)
    return question


def category_in(bank: QuestionBank, category_id) -> Category | None:
    if not category_id:
        return None
    category = db.session.get(Category, int(category_id))
    if category is None or category.bank_id != bank.id:
        abort(404)
    return category
