"""Exam → blueprint rules, audience → attempts → slots (DESIGN.md "Data").

Invariants as constraints (STYLE.md habit 8): one attempt per person and official
exam; one slot per position in an attempt.
"""
import enum
from datetime import datetime
from fractions import Fraction
from typing import Optional

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db_types import FractionType, UTCDateTime, utcnow
from extensions import db


class ExamState(str, enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class AttemptState(str, enum.Enum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"       # by the examinee
    TIMED_OUT = "timed_out"       # closed at the deadline by the server


class Exam(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column(index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"))
    duration_minutes: Mapped[int] = mapped_column(default=60)
    pass_fraction: Mapped[Fraction] = mapped_column(FractionType, default=Fraction(1, 2))
    window_start: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    window_end: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_answers: Mapped[bool] = mapped_column(default=True)
    is_official: Mapped[bool] = mapped_column(default=True)
    show_result: Mapped[bool] = mapped_column(default=True)
    state: Mapped[ExamState] = mapped_column(Enum(ExamState, native_enum=False, length=20), default=ExamState.DRAFT)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency = relationship("Agency")
    bank = relationship("QuestionBank")
    rules: Mapped[list["BlueprintRule"]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="BlueprintRule.position")
    audience: Mapped[list["ExamAudience"]] = relationship(back_populates="exam", cascade="all, delete-orphan")

    @property
    def question_count(self) -> int:
        return sum(r.count for r in self.rules)

    @property
    def max_score(self) -> Fraction:
        return sum((r.count * r.mark for r in self.rules), Fraction(0))


class BlueprintRule(db.Model):
    """Draw ``count`` questions from ``category`` (and its subcategories), each worth ``mark``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    include_subcategories: Mapped[bool] = mapped_column(default=True)
    count: Mapped[int]
    mark: Mapped[Fraction] = mapped_column(FractionType, default=Fraction(1))

    exam: Mapped[Exam] = relationship(back_populates="rules")
    category = relationship("Category")


class ExamAudience(db.Model):
    """Who may sit: people of ``agency`` (and below), optionally only with ``position``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    agency_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agency.id"))
    position: Mapped[Optional[str]] = mapped_column(String(255))

    exam: Mapped[Exam] = relationship(back_populates="audience")
    agency = relationship("Agency")


class Attempt(db.Model):
    __table_args__ = (UniqueConstraint("exam_id", "user_id", name="uq_attempt_exam_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    seed: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[AttemptState] = mapped_column(
        Enum(AttemptState, native_enum=False, length=20), default=AttemptState.IN_PROGRESS, index=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    session_token: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[Optional[Fraction]] = mapped_column(FractionType)
    max_score: Mapped[Optional[Fraction]] = mapped_column(FractionType)
    passed: Mapped[Optional[bool]]
    needs_grading: Mapped[int] = mapped_column(default=0)

    exam: Mapped[Exam] = relationship()
    user = relationship("User")
    slots: Mapped[list["AttemptSlot"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptSlot.position")

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS


class AttemptSlot(db.Model):
    """One question of an attempt: the version asked, its option order, the saved response."""

    __table_args__ = (UniqueConstraint("attempt_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    position: Mapped[int]
    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    mark: Mapped[Fraction] = mapped_column(FractionType)
    choice_order: Mapped[Optional[list]] = mapped_column(JSON)
    response: Mapped[Optional[dict]] = mapped_column(JSON)
    saved_seq: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    flagged: Mapped[bool] = mapped_column(default=False)
    fraction: Mapped[Optional[Fraction]] = mapped_column(FractionType)
    grade_state: Mapped[Optional[str]] = mapped_column(String(20))
    manual_comment: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    version = relationship("QuestionVersion")
