"""Identity: loading the logged-in user, language and time-zone selection."""
from flask import current_app, has_request_context, session
from flask_login import current_user

from accounts.models import User
from extensions import db


def load_user(user_id: str):
    """Flask-Login loader.  The id carries ``session_version``: bumping it revokes sessions."""
    try:
        uid, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


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
    """Only relative paths on this site (no scheme, no host, no ``//`` or backslash tricks)."""
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target
