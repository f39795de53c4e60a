"""Error pages: HTML for pages, JSON for JSON clients; a 500 rolls the session back."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from extensions import db


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _error(status: int, message: str):
    if _wants_json():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, message=message), status


def register(app) -> None:
    @app.errorhandler(400)
    def bad_request(e):
        return _error(400, _("The request could not be understood."))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _error(400, _("Your form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(403)
    def forbidden(e):
        return _error(403, _("You do not have permission to do this."))

    @app.errorhandler(404)
    def not_found(e):
        return _error(404, _("This page does not exist or is not available to you."))

    @app.errorhandler(413)
    def too_large(e):
        return _error(413, _("The file is too large."))

    @app.errorhandler(429)
    def too_many(e):
        return _error(429, _("Too many attempts. Wait a minute and try again."))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return _error(500, _("Something went wrong on our side. Nothing you saved is lost."))
