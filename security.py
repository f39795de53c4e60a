"""What every request and response goes through: security headers with a Content-Security-
Policy that allows no inline script and no third-party origin, and the session guard (idle
timeout, absolute lifetime, two-factor enrolment where required)."""
from flask import flash, g, jsonify, redirect, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from flask_login import current_user

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
       "base-uri 'self'; object-src 'none'")

#: What a person who must enrol two-factor login may still reach.
ENROLMENT_ENDPOINTS = {"account.two_factor", "accounts.logout", "accounts.set_language", "static"}


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply to decode is a malformed body (400
    through ``get_json``) rather than a RecursionError (500): ``[[[[…]]]]`` is hostile input."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def session_guard():
    """End idle or too-old sessions; hold a person who must enrol 2FA on the enrolment page."""
    from accounts import sessions, twofactor
    from extensions import db

    # An app context may span several requests (tests, CLI): never trust a cached user.
    g.pop("_login_user", None)
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    reason = sessions.expired(user)
    if reason:
        sessions.end(reason)
        sessions.log_event(reason, user)
        db.session.commit()
        if _wants_json():
            return jsonify(error=_("Your session ended. Log in again."), status=401), 401
        flash(_("You were logged out after a period of inactivity."), "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.login", next=target))
    if request.endpoint not in ENROLMENT_ENDPOINTS and twofactor.must_enrol(user):
        if _wants_json():
            return jsonify(error=_("Set up two-factor login first."), status=403), 403
        return redirect(url_for("account.two_factor"))
    return None


def register(app) -> None:
    app.json = JSONProvider(app)
    app.before_request(session_guard)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype in ("text/html", "application/json"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
