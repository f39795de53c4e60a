"""TOTP two-factor authentication (RFC 6238, pyotp) with one-time recovery codes.

Who must use it: holders of ``TWO_FACTOR_ROLES`` (admin, HR, exam admin).  A person who has
enrolled is always asked for a code at login; with ``REQUIRE_2FA`` on, a holder of those roles
who has not enrolled can use nothing but the enrolment page until they do (off in the demo
and the tests, so the demo accounts log in with a password alone).

A code is accepted for the current 30-second step or the one on either side (clock drift),
and never twice: the last accepted step is stored.  Ten recovery codes are issued at
enrolment, shown once, stored as SHA-256 and each usable once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app
from sqlalchemy import select

from accounts.models import RecoveryCode, User
from db_types import utcnow
from extensions import db

ISSUER = "Sát hạch"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


def required_for(user: User) -> bool:
    """Does ``user`` hold a role for which two-factor login is required?"""
    wanted = set(current_app.config["TWO_FACTOR_ROLES"])
    return any(a.role.value in wanted for a in user.roles)


def enforced_for(user: User) -> bool:
    """``REQUIRE_2FA`` is on and ``user`` holds a role that needs two-factor login."""
    return bool(current_app.config["REQUIRE_2FA"]) and required_for(user)


def must_enrol(user: User) -> bool:
    return enforced_for(user) and not user.has_totp


def begin(user: User) -> str:
    """The secret to enrol: a new one, or the pending one while it is not confirmed."""
    if not user.totp_secret:
        user.totp_secret, user.totp_confirmed_at, user.totp_last_step = pyotp.random_base32(), None, 0
    return user.totp_secret


def uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as an SVG data URI (pure Python, no third-party origin)."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def check_code(user: User, code: str, *, secret: str | None = None, now: float | None = None) -> bool:
    """Accept a TOTP code once; records the step so that it cannot be replayed."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    step = _matching_step(secret, code or "", time.time() if now is None else now)
    if step is None or step <= (user.totp_last_step or 0):
        return False
    user.totp_last_step = step
    return True


def confirm(user: User, code: str, *, now: float | None = None) -> list[str] | None:
    """Turn two-factor on when ``code`` matches the pending secret; returns the recovery codes."""
    if not check_code(user, code, now=now):
        return None
    user.totp_confirmed_at = utcnow()
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = None, None, 0
    for row in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(row)


def _hash(user: User, code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"{user.id}:{normalised}".encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s recovery codes with :data:`RECOVERY_CODES` new ones (shown once)."""
    for row in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(row)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(user, codes[-1])))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one unused recovery code; False when it does not match an unused one."""
    row = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(user, code or ""),
        RecoveryCode.used_at.is_(None))).first()
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
