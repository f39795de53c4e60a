"""Agencies, users, role assignments and the audit log.

A role is always held *within an agency subtree* (DESIGN.md "Who uses it"): an
assignment (user, role, agency) grants the role over that agency and every agency
below it.  The tree is stored with a materialised ``path`` ("/1/4/9/") so that a
subtree is one indexed ``LIKE`` query.
"""
import enum
import hashlib
import json
from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from db_types import UTCDateTime, utcnow
from extensions import db


class Role(str, enum.Enum):
    """Roles of DESIGN.md plus those of DECISIONS.md 11."""

    EXAMINEE = "examinee"
    BANK_EDITOR = "bank_editor"
    REVIEWER = "reviewer"
    EXAM_ADMIN = "exam_admin"
    MARKER = "marker"
    SUPERVISOR = "supervisor"
    HEAD = "head"
    HR_OFFICER = "hr_officer"
    COUNCIL_SECRETARY = "council_secretary"
    ADMIN = "admin"


class StaffCategory(str, enum.Enum):
    """RULES.md §8: cán bộ / công chức / viên chức."""

    CADRE = "cadre"
    CIVIL_SERVANT = "civil_servant"
    PUBLIC_EMPLOYEE = "public_employee"


class AgencyKind(str, enum.Enum):
    PROVINCE = "province"
    DEPARTMENT = "department"   # sở
    COMMUNE = "commune"         # UBND xã/phường (RULES §5: the district level is gone)
    DIVISION = "division"       # phòng, đơn vị trực thuộc


class Agency(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[AgencyKind] = mapped_column(Enum(AgencyKind, native_enum=False, length=20))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agency.id"))
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    is_rating_unit: Mapped[bool] = mapped_column(default=False)
    has_nd233_regulation: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Optional["Agency"]] = relationship(remote_side="Agency.id", back_populates="children")
    children: Mapped[list["Agency"]] = relationship(back_populates="parent", order_by="Agency.code")

    def set_path(self) -> None:
        """Fill ``path`` from the parent's; call after the id is assigned (flush)."""
        prefix = self.parent.path if self.parent else "/"
        self.path = f"{prefix}{self.id}/"

    def rating_unit(self) -> "Agency":
        """The nearest agency at or above this one flagged ``is_rating_unit`` (DECISIONS 6)."""
        node = self
        while node.parent is not None and not node.is_rating_unit:
            node = node.parent
        return node

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    position: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(255), default="")
    staff_category: Mapped[StaffCategory] = mapped_column(
        Enum(StaffCategory, native_enum=False, length=20), default=StaffCategory.CIVIL_SERVANT)
    is_leader: Mapped[bool] = mapped_column(default=False)
    quota_group: Mapped[str] = mapped_column(String(80), default="specialist")
    active: Mapped[bool] = mapped_column(default=True)
    rated: Mapped[bool] = mapped_column(default=True)  # False for technical accounts (admin)
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Login protection (issue 7): failures since the last success, and a timed lock.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # TOTP two-factor authentication (RFC 6238): the base32 secret, set at enrolment and
    # in force once confirmed; the last time step accepted, so a code is never used twice.
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    totp_confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int] = mapped_column(default=0)

    agency: Mapped[Agency] = relationship()
    roles: Mapped[list["RoleAssignment"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt (Werkzeug 3 default)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret) and self.totp_confirmed_at is not None

    def role_names(self) -> set[str]:
        return {r.role.value for r in self.roles} | {Role.EXAMINEE.value}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "role", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=30))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    agency: Mapped[Agency] = relationship()


class DisciplineForm(str, enum.Enum):
    """Disciplinary forms for civil servants (RULES.md §8), lightest first."""

    REPRIMAND = "reprimand"
    WARNING = "warning"
    SALARY_STEP_REDUCTION = "salary_step_reduction"
    DEMOTION = "demotion"
    REMOVAL = "removal"
    DISMISSAL = "dismissal"


class DisciplineRecord(db.Model):
    """A disciplinary decision (DECISIONS.md 10): feeds forced NOT_COMPLETED (nd335 Art. 20 cl. 4(c))."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    form: Mapped[DisciplineForm] = mapped_column(Enum(DisciplineForm, native_enum=False, length=30))
    decided_on: Mapped[date]
    connected_with_duties: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")


class RatingHistory(db.Model):
    """A past year's final level (DECISIONS.md 10), for the reward streak."""

    __table_args__ = (UniqueConstraint("user_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int]
    level: Mapped[str] = mapped_column(String(20))


class AuditLog(db.Model):
    """Append-only, hash-chained record of every change that can affect a result or a rating.

    ``hash`` = SHA-256 over the previous record's hash and this record's canonical JSON,
    so editing or deleting a record breaks the chain (DESIGN.md; DECISIONS.md 21).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    ip: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")

    def canonical(self) -> str:
        return json.dumps({
            "at": self.at.isoformat(), "actor": self.actor_id, "ip": self.ip, "action": self.action,
            "type": self.object_type, "id": self.object_id, "before": self.before,
            "after": self.after, "reason": self.reason,
        }, sort_keys=True, ensure_ascii=False, default=str)

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()


class UserSession(db.Model):
    """A server-side record of one login (DECISIONS.md 13): the signed cookie carries a random
    token whose SHA-256 is kept here, so a session can be revoked (logout, logout everywhere,
    idle timeout) although cookies are client-side."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    second_factor: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(30), default="")


class LoginEvent(db.Model):
    """The security event log (logins, failures, lockouts, two-factor use), kept for
    ``EVENT_LOG_RETENTION_DAYS`` and purged by ``flask data purge``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    event: Mapped[str] = mapped_column(String(30))


class RecoveryCode(db.Model):
    """A one-time recovery code for two-factor login, stored as a SHA-256 (the codes carry
    60 random bits, so a slow hash adds nothing)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
