"""Password reset without email (DECISIONS.md 24): an administrator issues a one-time link.

An administrator, or an HR officer who reaches the person's agency, issues a link for a
person who forgot their password; the page shows it once and the issuer hands it over (in
person, by phone, by the agency's chat).  The person opens it, sets a new password under
the same policy as the change form (:func:`accounts.passwords.problems`), and every
session of theirs ends.

The link carries 256 random bits; only their SHA-256 is stored (a slow hash adds nothing
to 256 bits, as for recovery codes).  A link works once, until ``PASSWORD_RESET_HOURS``
(default 24) after it was issued, and only while it is the person's newest link: issuing
another revokes it.  Unknown, used, revoked and expired links all get the same message.
Issuing and using a link are written to the audit log; invalid links to the security
event log.  An HR officer cannot issue a link for someone holding a role beyond their own
reach (an administrator, an HR officer of a higher agency): that would hand them the account.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from accounts import audit, passwords, sessions
from accounts.forms import EmptyForm
from accounts.models import Agency, Role, User
from accounts.permissions import agency_scope, can_reach, require_reach, role_required
from accounts.policy import access, public
from accounts.routes import bp
from db_types import UTCDateTime, utcnow
from extensions import db, limiter

ISSUERS = (Role.HR_OFFICER, Role.ADMIN)
DEFAULT_HOURS = 24
LISTED = 50  # links shown on the issuer's page, newest first


class PasswordReset(db.Model):
    """One issued reset link: who for, by whom, until when, and whether it was used or revoked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])

    @property
    def state(self) -> str:
        """``open``, ``used``, ``revoked`` or ``expired``."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "open"


# ---- the service ---------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config.get("PASSWORD_RESET_HOURS", DEFAULT_HOURS))


def refusal(issuer: User, person: User) -> str | None:
    """Why ``issuer`` may not issue a link for ``person`` (a translated sentence), or None.

    The caller has already checked that the issuer reaches the person's agency.  Beyond
    that, every role the person holds must lie within the issuer's reach, and the admin
    role within the issuer's admin reach: otherwise an HR officer could take over the
    account of someone with more rights than their own.
    """
    if person.id == issuer.id:
        return _("For your own account use “Change password”.")
    if not person.active:
        return _("This account is inactive: activate it before issuing a reset link.")
    for held in person.roles:
        wanted = (Role.ADMIN,) if held.role == Role.ADMIN else ISSUERS
        if not can_reach(issuer, held.agency, *wanted):
            return _("This person holds a role beyond your reach: ask an administrator to issue the link.")
    return None


def issue(person: User, issuer: User) -> tuple[str, PasswordReset]:
    """A new link for ``person``; the person's earlier open links are revoked.  Returns the
    token (shown once, never stored in clear) and the stored row; flushes and audits, the
    caller commits."""
    now = utcnow()
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == person.id,
                                                   PasswordReset.used_at.is_(None),
                                                   PasswordReset.revoked_at.is_(None))
                       .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    row = PasswordReset(user_id=person.id, token_hash=_digest(token), issued_by_id=issuer.id, created_at=now,
                        expires_at=now + lifetime())
    db.session.add(row)
    db.session.flush()
    audit.record("password.reset_issued", person, actor=issuer,
                 after={"reset_id": row.id, "expires_at": row.expires_at.isoformat()})
    sessions.log_event("reset_issued", person)
    return token, row


def find_open(token: str) -> PasswordReset | None:
    """The open link named by ``token``: None when unknown, used, revoked, expired, or the
    account is inactive (all alike to the visitor)."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalars(select(PasswordReset).where(PasswordReset.token_hash == _digest(token))).first()
    if row is None or row.state != "open" or not row.user.active:
        return None
    return row


def complete(row: PasswordReset, new_password: str) -> int:
    """Set the new password, use the link up, unlock the account and end every session of
    the person.  Returns how many sessions ended; flushes and audits, the caller commits."""
    user, now = row.user, utcnow()
    user.set_password(new_password)
    user.password_changed_at = now
    user.failed_logins, user.locked_until = 0, None
    row.used_at = now
    ended = sessions.end_all(user, reason="password_reset")
    sessions.log_event("password_reset", user)
    audit.record("password.reset_used", user, actor=user, after={"reset_id": row.id, "sessions_ended": ended})
    return ended


def recent(issuer: User, limit: int = LISTED) -> list[PasswordReset]:
    """The newest links issued for people in the issuer's reach."""
    stmt = (select(PasswordReset).join(User, PasswordReset.user_id == User.id).join(Agency, User.agency_id == Agency.id)
            .where(agency_scope(issuer, *ISSUERS)).order_by(PasswordReset.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


# ---- forms ---------------------------------------------------------------------------------

class IssueForm(FlaskForm):
    username = StringField(_l("Username of the person"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Issue a reset link"))


class ResetForm(FlaskForm):
    """The new password, under the policy of the change form; ``person`` is set by the view."""

    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                        description=_l("At least 10 characters; not a common password, not your name."))
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The two entries differ."))])
    submit = SubmitField(_l("Set the new password"))
    person: User | None = None

    def validate_new(self, field):
        person = self.person
        found = passwords.problems(field.data or "", username=getattr(person, "username", ""),
                                   full_name=getattr(person, "full_name", ""))
        if found:
            raise ValidationError(" ".join(str(p) for p in found))


# ---- views (on the accounts blueprint) -----------------------------------------------------

def _issuer_key() -> str:
    """Issuing is limited per account (DECISIONS 19: agencies share NAT addresses)."""
    who = current_user.id if current_user.is_authenticated else request.remote_addr
    return f"reset-issue:{who}"


def _private(response):
    """The pages that carry a token: never cached, never sent on as a Referer."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _issued(person: User):
    token, row = issue(person, current_user._get_current_object())
    expires = row.expires_at
    db.session.commit()
    link = url_for("accounts.reset_password", token=token, _external=True)
    return _private(render_template("accounts/reset_issued.html", person=person, link=link, expires=expires))


@bp.route("/password-resets", methods=["GET", "POST"])
@role_required(*ISSUERS)
@limiter.limit(lambda: current_app.config.get("PASSWORD_RESET_ISSUE_LIMIT", "30 per hour"),
               key_func=_issuer_key, methods=["POST"])
def reset_links():
    """The issuer's page: a person by username, and the links issued lately in their reach."""
    form = IssueForm()
    if form.validate_on_submit():
        person = db.session.scalars(select(User).where(User.username == form.username.data.strip())).first()
        if person is None or not can_reach(current_user, person.agency, *ISSUERS):
            form.username.errors.append(_("No person with this username in the agencies you manage."))
        elif (why := refusal(current_user, person)) is not None:
            form.username.errors.append(why)
        else:
            return _issued(person)
    states = {"open": _("Open"), "used": _("Used"), "revoked": _("Replaced"), "expired": _("Expired")}
    return render_template("accounts/reset_links.html", form=form, links=recent(current_user), states=states,
                           hours=int(lifetime().total_seconds() // 3600))


@bp.route("/people/<int:user_id>/reset-link", methods=["POST"])
@role_required(*ISSUERS)
@access(reach=ISSUERS, note="never for a person holding roles beyond the issuer's reach")
@limiter.limit(lambda: current_app.config.get("PASSWORD_RESET_ISSUE_LIMIT", "30 per hour"),
               key_func=_issuer_key)
def issue_reset(user_id):
    person = db.get_or_404(User, user_id)
    require_reach(current_user, person.agency, *ISSUERS)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.person", user_id=person.id))
    why = refusal(current_user, person)
    if why is not None:
        flash(why, "danger")
        return redirect(url_for("accounts.person", user_id=person.id))
    return _issued(person)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config.get("PASSWORD_RESET_LIMIT", "20 per minute"))
def reset_password(token):
    """The person's page: a new password, once, while the link is open."""
    row = find_open(token)
    if row is None:
        sessions.log_event("reset_invalid")
        db.session.commit()
        return _private(render_template("accounts/reset_invalid.html"))
    form = ResetForm()
    form.person = row.user
    if form.validate_on_submit():
        person = row.user
        complete(row, form.new.data)
        if current_user.is_authenticated and current_user.id == person.id:
            sessions.end("password_reset")
        db.session.commit()
        flash(_("Your password is set. Log in with it now; every earlier session was ended."), "success")
        return redirect(url_for("accounts.login"))
    return _private(render_template("accounts/reset_password.html", form=form, person=row.user,
                                    expires=row.expires_at))
