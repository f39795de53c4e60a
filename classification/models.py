"""General-criteria points per period, rating settings and the yearly classification."""
import enum
from datetime import datetime
from fractions import Fraction
from typing import Optional

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db_types import FractionType, UTCDateTime, utcnow
from extensions import db


class GeneralAssessment(db.Model):
    """General-criteria points of one person for one period (DECISIONS.md 4).

    ``self_points`` and ``final_points`` map the criterion codes of the official form
    (FORMS.md, Decree 335 Mẫu số 01: "I.1", "I.2", "II.1" … "III.4") to points; the
    final points, set by the supervisor, count.
    """

    __table_args__ = (UniqueConstraint("user_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    self_points: Mapped[Optional[dict]] = mapped_column(JSON)
    final_points: Mapped[Optional[dict]] = mapped_column(JSON)
    org_capacity: Mapped[Optional[Fraction]] = mapped_column(FractionType)
    unity: Mapped[Optional[Fraction]] = mapped_column(FractionType)
    assessed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RatingSettings(db.Model):
    """The local choices of RULES.md §4a/§6 for one rating year (policy settings)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    test_rule: Mapped[str] = mapped_column(String(30), default="general_criteria")
    test_weight: Mapped[Fraction] = mapped_column(FractionType, default=Fraction(5, 2))
    quota_denominator: Mapped[str] = mapped_column(String(30), default="good_only")


class ClassificationState(str, enum.Enum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    APPROVED = "approved"


class YearlyClassification(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    profile: Mapped[str] = mapped_column(String(20))
    score: Mapped[Optional[Fraction]] = mapped_column(FractionType)
    level_before_quota: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    needs_council: Mapped[bool] = mapped_column(default=False)
    quota_moved: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[ClassificationState] = mapped_column(
        Enum(ClassificationState, native_enum=False, length=20), default=ClassificationState.DRAFT)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User", foreign_keys=[user_id])
