"""Exams, blueprints, attempts and their delivery (timer, autosave, submit), practice
quizzes, marking and regrades.  ``bp`` is the feature's blueprint; its views live in
``routes`` (examinee), ``admin_views``, ``marking_views`` and ``practice_views``."""
from flask import Blueprint

bp = Blueprint("exam", __name__)
