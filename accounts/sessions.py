"""Login sessions: started and ended here, checked on every request.

The session cookie is Flask's signed cookie; it carries a random token whose SHA-256 names
a :class:`UserSession` row (DECISIONS.md 13), so logging out, "log out everywhere" and an
idle timeout really end a session even if someone kept a copy of the cookie.

Idle timeout: a session unused for ``IDLE_TIMEOUT_MINUTES`` ends, and every login ends after
``SESSION_MAX_HOURS`` — except while the person has a test attempt open: the attempt page
saves and re-syncs its timer at least once a minute (each request refreshes the session),
and even after a long network cut the person is never logged out mid-attempt.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from flask import current_app, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from accounts.models import LoginEvent, User, UserSession
from db_types import utcnow
from extensions import db


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_ip() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else "cli"


def log_event(event: str, user: User | None = None, username: str = "") -> None:
    """Append to the security event log (flushes; the caller commits)."""
    db.session.add(LoginEvent(event=event, user_id=getattr(user, "id", None),
                              username=(username or getattr(user, "username", ""))[:80], ip=client_ip()))
    db.session.flush()


def open_record(user: User, *, second_factor: bool = False) -> str:
    """Create the server-side record of a new session; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    agent = request.headers.get("User-Agent", "")[:255] if has_request_context() else ""
    db.session.add(UserSession(user_id=user.id, token_hash=_digest(token), ip=client_ip(), user_agent=agent,
                               second_factor=second_factor))
    db.session.flush()
    return token


def start(user: User, *, second_factor: bool = False) -> None:
    """Log ``user`` in on a fresh session (the old session's contents are dropped: rotation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.permanent = True
    now = int(time.time())
    session["sid"] = open_record(user, second_factor=second_factor)
    session["seen"] = session["login_at"] = now
    login_user(user)
    log_event("login", user)


def end(reason: str = "logout") -> None:
    """End the current session: its record, Flask-Login's state and the cookie's contents."""
    token = session.get("sid")
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == _digest(token),
                                                     UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow(), end_reason=reason))
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def end_all(user: User, reason: str = "logout_everywhere") -> int:
    """End every open session of ``user`` (after a password change, by an administrator)."""
    result = db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.ended_at.is_(None))
                                .values(ended_at=utcnow(), end_reason=reason))
    user.session_version += 1
    return result.rowcount


def current_token_hash() -> str | None:
    """SHA-256 of the cookie's session token (the key of its :class:`UserSession`), or None."""
    token = session.get("sid") if has_request_context() else None
    return _digest(token) if token else None


# ---- the check folded into an endpoint's own statement ------------------------------------
#
# A few hot JSON endpoints (the exam autosave, ``exam.fast_save``) check the session record,
# the session version and the account's ``active`` flag inside the one SQL statement that
# does their work, instead of loading the User first: for them the Flask-Login loader
# returns a :class:`SessionIdentity` (the cookie's signed claim, not yet checked).  Such an
# endpoint must (1) put :func:`record_clause` in its statement's WHERE, and (2) when its
# statement matches nothing, call :func:`confirm_identity` before doing anything else —
# which loads and checks the User exactly as every other endpoint does.  The check is not
# cached: a session ended by logout, "log out everywhere", an administrator or the idle
# timeout cannot save one more answer, in any worker.

#: Endpoints that verify the identity in their own statement (registered by their module).
DEFERRED_CHECK_ENDPOINTS: set[str] = set()


class SessionIdentity:
    """The signed cookie's claim (user id, session version) for an endpoint that checks it in
    its own statement (see above).  Authenticated as far as Flask-Login is concerned; carries
    nothing else of the User, so nothing can read a stale role or name from it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    deferred = True
    locale = None

    def __init__(self, user_id: int, session_version: int):
        self.id, self.session_version = user_id, session_version

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<SessionIdentity {self.id}:{self.session_version} (not yet checked)>"


def defers_check() -> bool:
    """Does the current request's endpoint verify the session in its own statement?  Not
    while two-factor enrolment is enforced (the session guard then needs the User's roles)."""
    return (has_request_context() and request.endpoint in DEFERRED_CHECK_ENDPOINTS
            and not current_app.config.get("REQUIRE_2FA"))


def record_clause(user_id, session_version, token_hash):
    """SQL condition: the user exists, is active, has this session version, and the session
    record ``token_hash`` is open and theirs.  The arguments are SQL expressions (bound
    parameters or columns); :func:`current_token_hash` gives the hash."""
    from sqlalchemy import exists, true

    users, records = User.__table__, UserSession.__table__
    return exists().where(users.c.id == user_id, users.c.session_version == session_version,
                          users.c.active == true(), records.c.token_hash == token_hash,
                          records.c.user_id == users.c.id, records.c.ended_at.is_(None))


def confirm_identity() -> bool:
    """For a deferred endpoint whose own statement did not match: load and check the User as
    every endpoint does (:func:`accounts.auth.full_user`) and make it ``current_user``.
    False when the session is not valid (the caller answers as ``login_required`` does)."""
    from flask import g
    from flask_login import current_user

    from accounts.auth import full_user

    claim = current_user._get_current_object()
    if not getattr(claim, "deferred", False):
        return bool(claim.is_authenticated)
    user = full_user(claim.id, claim.session_version)
    if user is None:
        g._login_user = current_app.login_manager.anonymous_user()
        return False
    g._login_user = user
    return True


def current_record_valid(user: User) -> bool:
    """True when the cookie's session token names an open session of ``user``."""
    token = session.get("sid") if has_request_context() else None
    if not token:
        return False
    row = db.session.execute(select(UserSession.user_id, UserSession.ended_at)
                             .where(UserSession.token_hash == _digest(token))).first()
    return row is not None and row.user_id == user.id and row.ended_at is None


def open_sessions(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                             UserSession.ended_at.is_(None))
                                   .order_by(UserSession.created_at.desc())))


def has_open_attempt(user: User) -> bool:
    """An attempt in progress whose deadline (plus grace) has not passed keeps the session."""
    from exam.models import Attempt, AttemptState

    grace = timedelta(seconds=current_app.config.get("ATTEMPT_GRACE_SECONDS", 30))
    deadlines = db.session.scalars(select(Attempt.deadline).where(
        Attempt.user_id == user.id, Attempt.state == AttemptState.IN_PROGRESS)).all()
    now = utcnow()
    return any(d + grace > now for d in deadlines)


def expired(user: User) -> str | None:
    """Why the current session must end now ("idle", "max_age"), or None to keep it.

    Refreshes the idle clock as a side effect when the session is kept.
    """
    now = int(time.time())
    config = current_app.config
    idle = now - int(session.get("seen", now)) > config["IDLE_TIMEOUT_MINUTES"] * 60
    too_old = now - int(session.get("login_at", now)) > config["SESSION_MAX_HOURS"] * 3600
    if (idle or too_old) and not has_open_attempt(user):
        return "idle" if idle else "max_age"
    if now - int(session.get("seen", 0)) >= 15:
        session["seen"] = now  # refreshed at most every 15 s: fewer cookie rewrites
    return None
