"""Writes of the accounts feature: password login with lockout, password changes.

No user enumeration: an unknown username, a wrong password, a locked or inactive account
all fail the same way, after the same scrypt work (a dummy hash is checked for unknown
names), and the page says the same words for each.
"""
from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts import sessions
from accounts.models import User
from db_types import utcnow
from extensions import db


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password: equalises the time of unknown usernames")


def find_user(username: str) -> User | None:
    return db.session.scalars(select(User).where(User.username == (username or "").strip())).first()


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def register_failure(user: User) -> None:
    """Count a failed password or code; lock the account after ``LOGIN_MAX_FAILURES`` in a row."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        sessions.log_event("lockout", user)
    else:
        sessions.log_event("failure", user)


def authenticate(username: str, password: str) -> User | None:
    """The user whose password this is, or None (wrong, unknown, locked or inactive).

    Failures are counted and logged; the caller commits whatever the outcome.
    """
    user = find_user(username)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        sessions.log_event("failure", username=username)
        return None
    correct = user.check_password(password)
    if is_locked(user):
        sessions.log_event("locked", user)
        return None
    if not correct or not user.active:
        register_failure(user)
        return None
    user.failed_logins, user.locked_until = 0, None
    return user


def unlock(user: User) -> None:
    user.failed_logins, user.locked_until = 0, None
    sessions.log_event("unlock", user)


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session (the caller starts a fresh one)."""
    user.set_password(new_password)
    user.password_changed_at = utcnow()
    sessions.end_all(user, reason="password_changed")
    sessions.log_event("password_changed", user)
