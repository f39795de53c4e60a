"""Exams, blueprints, attempts and their delivery (timer, autosave, submit)."""
