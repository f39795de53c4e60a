"""Banks → categories (tree) → questions → versions (DESIGN.md "Data").

Attempts point at a :class:`QuestionVersion`, never at the mutable
:class:`Question`, so editing a question never changes a past result silently.
The payload shapes per ``qtype`` are in ``docs/question-payload.md``.
"""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, DDL, Enum, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db_types import UTCDateTime, utcnow
from extensions import db


class QuestionStatus(str, enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    RETIRED = "retired"


class Difficulty(str, enum.Enum):
    """The level a question is written for; ``QuestionVersion.difficulty`` holds the code
    (or, for an imported value no rule recognises, that text as it came)."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


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
    """A question of a bank; its content is in its versions, ``current_version`` the newest.

    ``status`` is the review state of the current version (draft → in_review → approved →
    retired); ``search_text`` the accent-free name and stem (``text_utils.fold``) that search
    matches; ``dedup_key`` the hash of the normalised stem and key (import duplicates);
    ``qtype`` and ``difficulty`` copy the current version's.  All four follow
    ``current_version`` (``services._point_to``, ``bulk.insert_questions``).
    On PostgreSQL a trigram index serves the ``LIKE '%word%'`` of the search.
    """

    __table_args__ = (
        Index("ix_question_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_question_bank_dedup", "bank_id", "dedup_key"),
        # The bank page: its pages in id order, and its category × status counts, read
        # from the index alone (bench/bank.py).
        Index("ix_question_bank_page", "bank_id", "id"),
        Index("ix_question_bank_counts", "bank_id", "category_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    status: Mapped[QuestionStatus] = mapped_column(
        Enum(QuestionStatus, native_enum=False, length=20), default=QuestionStatus.DRAFT, index=True)
    current_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("question_version.id", use_alter=True, name="fk_question_current_version"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    search_text: Mapped[str] = mapped_column(Text, default="")
    dedup_key: Mapped[str] = mapped_column(String(40), default="")
    # Copies of the current version's type and difficulty, so the bank's filters need no join.
    qtype: Mapped[str] = mapped_column(String(30), default="")
    difficulty: Mapped[Optional[str]] = mapped_column(String(50))

    category: Mapped[Category] = relationship()
    bank: Mapped[QuestionBank] = relationship()
    current_version: Mapped[Optional["QuestionVersion"]] = relationship(
        foreign_keys=[current_version_id], post_update=True)
    tag_rows: Mapped[list["QuestionTag"]] = relationship(cascade="all, delete-orphan")


class QuestionVersion(db.Model):
    """One immutable version of a question's content."""

    __table_args__ = (
        UniqueConstraint("question_id", "version"),
        # version → question without reading the wide rows (usage counts of the bank page)
        Index("ix_question_version_id_question", "id", "question_id"),
    )
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
    difficulty: Mapped[Optional[str]] = mapped_column(String(50))        # a Difficulty code
    difficulty_value: Mapped[Optional[float]]                            # optional numeric scale
    legal_reference: Mapped[Optional[str]] = mapped_column(String(500))  # the legal document
    legal_article: Mapped[Optional[str]] = mapped_column(String(255))    # article, clause, point
    source_file: Mapped[Optional[str]] = mapped_column(String(255))
    source_line: Mapped[Optional[int]]
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who approved this content (never its author) and when; None until approved.
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship(foreign_keys=[question_id])
    files: Mapped[list["QuestionFile"]] = relationship(back_populates="version", cascade="all, delete-orphan")
    author = relationship("User", foreign_keys=[created_by_id])
    approver = relationship("User", foreign_keys=[approved_by_id])

    @property
    def legal_citation(self) -> str:
        """'Luật Đấu thầu 2023, Điều 5' — the document, then the article when given."""
        return ", ".join(p for p in (self.legal_reference, self.legal_article) if p)


class QuestionTag(db.Model):
    """The tags of a question's current version, one row each, for the tag filter;
    ``key`` is the folded tag ("Đấu thầu" → "dau thau")."""

    __table_args__ = (UniqueConstraint("question_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    tag: Mapped[str] = mapped_column(String(100))


class QuestionFile(db.Model):
    """An image embedded in a question version (``@@PLUGINFILE@@/name`` in its text)."""

    __table_args__ = (UniqueConstraint("version_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    version: Mapped[QuestionVersion] = relationship(back_populates="files")


# The trigram index needs the extension; created once per database, before the table.
event.listen(Question.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))
