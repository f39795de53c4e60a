"""General-criteria points per period, rating settings, the yearly classification, its
workflow per rating unit (draft → proposed → council decided → approved and locked, then
published), the year's own assessment of Decree 90/2020 Mẫu số 02 and its review, the
quarter's approve/lock, complaints, the quota exception for an outstanding unit, and
recorded achievements for rewards.  The stages before the proposal are described in
:mod:`classification.stages`."""
import enum
from datetime import date, datetime
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
    # Days after publication during which a person may complain about their rating.  A local
    # setting: the complaints article of Decree 335/2025 was not read (RULES.md: UNVERIFIED).
    complaint_days: Mapped[int] = mapped_column(default=15)


class ClassificationState(str, enum.Enum):
    """The state of a rating unit's year (RatingWorkflow) and, mirrored, of each row."""

    DRAFT = "draft"          # engine results, may be run again
    PROPOSED = "proposed"    # HR proposed the list; the council records its decisions
    DECIDED = "decided"      # the council's decisions are complete
    APPROVED = "approved"    # approved and locked: changes only after an audited reopen


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
    # The engine's level after the quota; ``level`` differs from it only by a council decision.
    engine_level: Mapped[Optional[str]] = mapped_column(String(20))
    decided: Mapped[bool] = mapped_column(default=False)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def changed_by_council(self) -> bool:
        return self.decided and self.engine_level is not None and self.level != self.engine_level


class RatingWorkflow(db.Model):
    """The state of one rating unit's yearly classification (DECISIONS.md 6: the quota and
    the workflow are per agency flagged ``is_rating_unit``; the tree root stands in for
    people above every rating unit).  Every transition is audited on this object."""

    __table_args__ = (UniqueConstraint("agency_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    state: Mapped[ClassificationState] = mapped_column(
        Enum(ClassificationState, native_enum=False, length=20), default=ClassificationState.DRAFT)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reopened: Mapped[int] = mapped_column(default=0)
    # HR's reason for proposing while supervisors' reviews were missing (classification.stages).
    review_waiver: Mapped[str] = mapped_column(Text, default="")
    # When the people of the unit may see their level (DECISIONS.md 25); None = not published.
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    agency = relationship("Agency")
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    @property
    def locked(self) -> bool:
        return self.state == ClassificationState.APPROVED


class QuotaException(db.Model):
    """A recorded decision raising a rating unit's EXCELLENT rate for one year (Decree 335
    Art. 20 cl. 5(b); Decree 233 Art. 12 cl. 6(b); QĐ 366-QĐ/TW Art. 11): the decision's
    reference and date, and its ceiling as a share of the number rated GOOD (at most the
    policy's exception rate, 25%)."""

    __table_args__ = (UniqueConstraint("agency_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int]
    ceiling: Mapped[Fraction] = mapped_column(FractionType)
    reference: Mapped[str] = mapped_column(String(255))
    decided_on: Mapped[date]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency = relationship("Agency")


class AchievementKind(str, enum.Enum):
    """Achievements behind the Vĩnh Phúc reward tiers (RULES.md §7); tier 4 by the rating
    streak needs no record, its alternative (Provincial Emulation Fighter) does."""

    TIER1 = "tier1"                                    # provincial-level solution, applied (per solution)
    TIER2 = "tier2"                                    # an Order or National Emulation Fighter
    TIER3 = "tier3"                                    # Prime Minister's Certificate of Merit
    PROVINCIAL_FIGHTER = "provincial_fighter"          # Provincial Emulation Fighter (tier 4)
    TIER5 = "tier5"                                    # department/district-level initiative, applied


class Achievement(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[AchievementKind] = mapped_column(Enum(AchievementKind, native_enum=False, length=30))
    reference: Mapped[str] = mapped_column(String(255))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class YearlyAssessment(db.Model):
    """A person's own assessment of the year and the supervisor's review of it, in the
    sections of Decree 90/2020 Mẫu số 02 (FORMS.md Form 1): I. the free-text items 1–6
    (7–9 for leaders), II. own view and self-chosen level, III. the commenting superior's
    view and proposed level.  Section IV is the rating itself (YearlyClassification).
    Used for the people rated under ``nd90``; Decree 335's form has no yearly self-rating."""

    __table_args__ = (UniqueConstraint("user_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    items: Mapped[dict] = mapped_column(JSON, default=dict)
    self_comment: Mapped[str] = mapped_column(Text, default="")
    self_level: Mapped[Optional[str]] = mapped_column(String(20))
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    review_level: Mapped[Optional[str]] = mapped_column(String(20))
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])


class PeriodApproval(db.Model):
    """The lightweight approve/lock of one rating unit's quarter (``period`` "2026-Q2"):
    ``snapshot`` keeps each person's period score and band as approved
    ({user id: {"score": "…", "level": "…", "general": "…", "task": "…"}}); while
    ``approved`` the period's general-criteria points cannot change."""

    __table_args__ = (UniqueConstraint("agency_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    approved: Mapped[bool] = mapped_column(default=False)
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reopened: Mapped[int] = mapped_column(default=0)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    agency = relationship("Agency")
    approved_by = relationship("User", foreign_keys=[approved_by_id])


class ComplaintStatus(str, enum.Enum):
    OPEN = "open"
    UPHELD = "upheld"        # the council changed the level (through the audited decision path)
    REJECTED = "rejected"    # the level stands


class RatingComplaint(db.Model):
    """A person's complaint about their published rating and the council's answer
    (DECISIONS.md 25; Decree 335/2025 has a complaints article, cited as "complaints")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    classification_id: Mapped[int] = mapped_column(ForeignKey("yearly_classification.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)
    level_complained: Mapped[str] = mapped_column(String(20))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ComplaintStatus] = mapped_column(
        Enum(ComplaintStatus, native_enum=False, length=20), default=ComplaintStatus.OPEN)
    answer: Mapped[str] = mapped_column(Text, default="")
    new_level: Mapped[Optional[str]] = mapped_column(String(20))
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    classification = relationship("YearlyClassification")
