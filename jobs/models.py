"""The background job row: what to run, who asked, in which agency scope, and how far it got."""
import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Agency, User
from db_types import UTCDateTime, utcnow
from extensions import db


class JobState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """One run of a registered job function (``kind``) with JSON ``params``.

    ``done``/``total`` is the progress the function reports (``total`` 0: not known yet);
    ``heartbeat_at`` moves with every progress report, so a job whose process died is
    recognised (:func:`jobs.services.fail_stale`); ``worker`` is ``host:pid`` of the process
    that queued (thread mode) or runs it.  ``agency`` is the scope: holders of the kind's
    roles there or above see the job, as does ``created_by``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(Enum(JobState, native_enum=False, length=10), default=JobState.QUEUED,
                                            index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[Optional[dict]] = mapped_column(JSON)
    error: Mapped[Optional[str]] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    agency_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    created_by: Mapped[Optional[User]] = relationship()
    agency: Mapped[Optional[Agency]] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
