"""Banks → categories (tree) → questions → versions (DESIGN.md "Data").

Attempts point at a :class:`QuestionVersion`, never at the mutable
:class:`Question`, so editing a question never changes a past result silently.
The payload shapes per ``qtype`` are in ``docs/question-payload.md``.
"""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db_types import UTCDateTime, utcnow
from extensions import db


class QuestionStatus(str, enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETIRED = "retired"


class QuestionBank(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(255), default="")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency = relationship("Agency")
    categories: Mapped[list["Category"]] = relationship(back_populates="bank", cascade="all, delete-orphan")


class Category(db.Model):
    """A node of a bank's category tree; ``path`` is the names joined by " / "."""

    __table_args__ = (UniqueConstraint("bank_id", "path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("category.id"))
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1000))

    bank: Mapped[QuestionBank] = relationship(back_populates="categories")
    parent: Mapped[Optional["Category"]] = relationship(remote_side="Category.id")


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    status: Mapped[QuestionStatus] = mapped_column(
        Enum(QuestionStatus, native_enum=False, length=20), default=QuestionStatus.DRAFT, index=True)
    current_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("question_version.id", use_alter=True, name="fk_question_current_version"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    search_text: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category] = relationship()
    bank: Mapped[QuestionBank] = relationship()
    current_version: Mapped[Optional["QuestionVersion"]] = relationship(
        foreign_keys=[current_version_id], post_update=True)


class QuestionVersion(db.Model):
    """One immutable version of a question's content."""

    __table_args__ = (UniqueConstraint("question_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    qtype: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text)
    default_mark: Mapped[str] = mapped_column(String(20), default="1")
    penalty: Mapped[str] = mapped_column(String(20), default="0")
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    idnumber: Mapped[Optional[str]] = mapped_column(String(100))
    difficulty: Mapped[Optional[str]] = mapped_column(String(20))
    legal_reference: Mapped[Optional[str]] = mapped_column(String(500))
    source_file: Mapped[Optional[str]] = mapped_column(String(255))
    source_line: Mapped[Optional[int]]
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(foreign_keys=[question_id])


class QuestionFile(db.Model):
    """An image embedded in a question version (``@@PLUGINFILE@@/name`` in its text)."""

    __table_args__ = (UniqueConstraint("version_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
