"""Question banks, categories, questions and their versions; import/export formats.

``bp`` is the feature's blueprint; its views live in ``routes`` (banks, the bank page,
import, the question page, images), ``editor_views`` (editor and live preview) and
``review_views`` (the review workflow and deletion)."""
from flask import Blueprint

bp = Blueprint("question_bank", __name__)
