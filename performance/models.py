"""Task → commitment → product report → verification (DESIGN.md "Data"; DECISIONS.md 2).

One task record serves every rating model: a target quantity in a unit of measure,
a conversion factor to the standard unit (Decree 335 "sản phẩm quy đổi", default 1)
and a due period ("2026-Q2").  The verification records the accepted quantity, the
delivery date and the counted quality failures and delays (objective-cause ones are
recorded but not counted, RULES.md §3).
"""
import enum
from datetime import date, datetime
from fractions import Fraction
from typing import Optional

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db_types import FractionType, UTCDateTime, utcnow
from extensions import db


class TaskKind(str, enum.Enum):
    REGULAR = "regular"
    BREAKTHROUGH = "breakthrough"   # nhiệm vụ đột phá


class Task(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)  # "2026-Q1" … "2026-Q4"
    assigner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    indicator: Mapped[str] = mapped_column(String(500), default="")
    unit_of_measure: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[Fraction] = mapped_column(FractionType)
    factor: Mapped[Fraction] = mapped_column(FractionType, default=Fraction(1))
    weight: Mapped[Fraction] = mapped_column(FractionType, default=Fraction(1))
    deadline: Mapped[date]
    kind: Mapped[TaskKind] = mapped_column(Enum(TaskKind, native_enum=False, length=20), default=TaskKind.REGULAR)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    catalogue_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("catalogue_item.id"))
    # Assigned to a unit (agency) instead of a person: ``assignee_id`` is then the unit's
    # head at assignment (:func:`performance.queries.unit_head`), who answers for it —
    # it is in the head's list and commitment, and it is one of the unit's own targets
    # (``ProductResult.unit_target`` in the engine).
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agency.id"), index=True)
    # Cascade: a child task split from ``parent_id`` (a director's task split for division
    # heads); the parent's progress rolls up from the children (performance.queries.rollup).
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id"), index=True)

    assigner = relationship("User", foreign_keys=[assigner_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    catalogue_item = relationship("CatalogueItem")
    unit = relationship("Agency", foreign_keys=[unit_id])
    parent: Mapped[Optional["Task"]] = relationship(remote_side="Task.id", back_populates="children")
    children: Mapped[list["Task"]] = relationship(back_populates="parent", order_by="Task.id")
    reports: Mapped[list["ProductReport"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="ProductReport.id")

    @property
    def latest_report(self) -> Optional["ProductReport"]:
        return self.reports[-1] if self.reports else None

    def snapshot(self) -> dict:
        """The task's content as signed in a commitment.  ``assigned_unit`` (the agency's
        code) and ``parent`` (the parent task's id) appear only when set, so the content of
        a plain task — and the fingerprint of lists signed before — stays as it was."""
        snap = {"id": self.id, "title": self.title, "indicator": self.indicator,
                "unit": self.unit_of_measure, "target": str(self.target), "factor": str(self.factor),
                "weight": str(self.weight), "deadline": self.deadline.isoformat(),
                "period": self.period, "kind": self.kind.value}
        if self.unit_id is not None:
            snap["assigned_unit"] = self.unit.code
        if self.parent_id is not None:
            snap["parent"] = self.parent_id
        return snap


class CatalogueItem(db.Model):
    """A standard product of a job position (Decree 335/2025 Art. 14: products converted to a
    standard unit by a factor), owned by an agency and offered for its whole subtree;
    ``position`` empty = every position."""

    __table_args__ = (UniqueConstraint("agency_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    position: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(500))
    indicator: Mapped[str] = mapped_column(String(500), default="")
    unit_of_measure: Mapped[str] = mapped_column(String(100), default="")
    factor: Mapped[Fraction] = mapped_column(FractionType, default=Fraction(1))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency = relationship("Agency")

    def applies_to(self, user) -> bool:
        return (self.active and user.agency.path.startswith(self.agency.path)
                and (not self.position or self.position == user.position))


class Commitment(db.Model):
    """The assignee's signature under the year's task list, with the exact content signed.
    A revision made by an approved change carries the approver and the change."""

    __table_args__ = (UniqueConstraint("user_id", "year", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int]
    revision: Mapped[int] = mapped_column(default=1)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content: Mapped[list] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    change_id: Mapped[Optional[int]] = mapped_column(ForeignKey("commitment_change.id"))

    approved_by = relationship("User", foreign_keys=[approved_by_id])


class ChangeState(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CommitmentChange(db.Model):
    """A change the assignee asks for in a task of a signed list: new values (``proposed``,
    the fields of Task.snapshot that change) or the task's removal.  The supervisor
    approves or rejects; an approval applies it and makes a new commitment revision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[Optional[int]] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int]
    remove: Mapped[bool] = mapped_column(default=False)
    proposed: Mapped[dict] = mapped_column(JSON, default=dict)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ChangeState] = mapped_column(Enum(ChangeState, native_enum=False, length=20),
                                               default=ChangeState.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    task = relationship("Task")
    user = relationship("User", foreign_keys=[user_id])


class ProductReport(db.Model):
    """The assignee's report of a task's product: actual value, description, evidence."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    actual_value: Mapped[Fraction] = mapped_column(FractionType)
    product: Mapped[str] = mapped_column(Text)
    delivered_on: Mapped[date]
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="reports")
    evidence: Mapped[list["EvidenceFile"]] = relationship(cascade="all, delete-orphan")
    verification: Mapped[Optional["Verification"]] = relationship(back_populates="report", uselist=False)


class EvidenceFile(db.Model):
    """An evidence file, stored outside the database under ``STORAGE_DIR`` by its SHA-256."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("product_report.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]


class Verification(db.Model):
    """The supervisor's verification of one report (DECISIONS.md 2)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("product_report.id"), unique=True)
    verifier_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    accepted_value: Mapped[Fraction] = mapped_column(FractionType)
    on_time: Mapped[bool]
    quality_met: Mapped[bool]
    quality_failures: Mapped[int] = mapped_column(default=0)
    quality_failures_excused: Mapped[int] = mapped_column(default=0)
    delays: Mapped[int] = mapped_column(default=0)
    delays_excused: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[ProductReport] = relationship(back_populates="verification")
    verifier = relationship("User")
