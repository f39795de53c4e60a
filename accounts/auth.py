"""Identity: loading the logged-in user, language and time-zone selection."""
from flask import current_app, has_request_context, session
from flask_login import current_user

from accounts.models import User
from extensions import db


def load_user(user_id: str):
    """Flask-Login loader.  The id carries ``session_version`` (bumping it revokes every
    session of the person) and the cookie a session token whose record must be open
    (:mod:`accounts.sessions`: logout and the idle timeout end it server-side)."""
    from accounts.sessions import SessionIdentity, defers_check

    try:
        uid, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    if defers_check():  # the endpoint checks the session inside its own statement
        return SessionIdentity(uid, version)
    return full_user(uid, version)


def full_user(uid: int, version: int):
    """The User of a session claim, or None when the account is gone or inactive, its
    session version moved on, or the cookie's session record is not open."""
    from accounts.sessions import current_record_valid

    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user if current_record_valid(user) else None


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def is_safe_next(target: str | None) -> bool:
    """Only relative paths on this site: no scheme, no host, no ``//`` or backslash tricks, and
    no whitespace or control character (browsers drop tabs and newlines: ``/<TAB>/evil`` is ``//evil``)."""
    return (bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target))
