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
    navigation: Mapped[str] = mapped_column(String(20), default="free")      # "free" | "sequential"
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))        # optional room password
    allowed_networks: Mapped[str] = mapped_column(Text, default="")          # CIDR ranges, one a line
    avoid_seen_years: Mapped[int] = mapped_column(default=0)                 # 0 = may repeat questions
    anonymous_marking: Mapped[bool] = mapped_column(default=False)
    double_marking: Mapped[bool] = mapped_column(default=False)
    papers_generated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
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
    difficulty: Mapped[Optional[str]] = mapped_column(String(20))   # None = any difficulty
    qtype: Mapped[Optional[str]] = mapped_column(String(30))        # None = any type

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
    paused_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)   # the clock stands still while set
    extra_seconds: Mapped[int] = mapped_column(default=0)                # accommodation applied so far
    current_position: Mapped[int] = mapped_column(default=1)             # sequential navigation

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
    excluded: Mapped[bool] = mapped_column(default=False)   # neutralised by a regrade: counts 0 of 0

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    version = relationship("QuestionVersion")
    marks: Mapped[list["Mark"]] = relationship(back_populates="slot", order_by="Mark.id")


class Paper(db.Model):
    """A paper generated before the window opens: the candidate's questions, marks and
    option orders fixed, so starting is one read (``layout``: [[version_id, mark, choice_order]])."""

    __table_args__ = (UniqueConstraint("exam_id", "user_id", name="uq_paper_exam_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    seed: Mapped[int]
    layout: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Accommodation(db.Model):
    """Extra time for one person in one exam: a percentage of the duration plus minutes."""

    __table_args__ = (UniqueConstraint("exam_id", "user_id", name="uq_accommodation_exam_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    extra_percent: Mapped[int] = mapped_column(default=0)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    def extra_seconds(self, duration_minutes: int) -> int:
        return duration_minutes * 60 * self.extra_percent // 100 + self.extra_minutes * 60


class LateSave(db.Model):
    """A save that arrived after the deadline plus grace: kept aside, not counted, until
    the exam admin accepts (the attempt is re-graded) or rejects it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    position: Mapped[int]
    seq: Mapped[int]
    response: Mapped[Optional[dict]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="pending")   # pending | accepted | rejected
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[Attempt] = relationship()


class AttemptEvent(db.Model):
    """What happened to an attempt, for the exam admin: start, saves, focus, takeover, submit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[Optional[dict]] = mapped_column(JSON)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class Mark(db.Model):
    """One marker's points for one essay slot (two of them under double marking)."""

    __table_args__ = (UniqueConstraint("slot_id", "marker_id", name="uq_mark_slot_marker"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("attempt_slot.id"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    points: Mapped[Fraction] = mapped_column(FractionType)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slot: Mapped[AttemptSlot] = relationship(back_populates="marks")
    marker = relationship("User")


class PracticeQuiz(db.Model):
    """A self-study quiz: never official, unlimited; ``items`` are version ids in order,
    ``answers`` maps the position (as text) to {"response", "fraction"}."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"))
    items: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank = relationship("QuestionBank")


class RegradeJob(db.Model):
    """An audited regrade of one question in one exam: a corrected key (grade with the
    question's current version) or an exclusion; previewed, then applied."""

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    kind: Mapped[str] = mapped_column(String(20))             # "key" | "exclude"
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="preview")   # preview | running | applied
    preview: Mapped[Optional[list]] = mapped_column(JSON)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    exam: Mapped[Exam] = relationship()
