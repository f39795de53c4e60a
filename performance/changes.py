"""Changes to a signed commitment (issue 5): the assignee asks, the supervisor approves or
rejects; an approved change is applied to the task and the list is signed again as a new
revision carrying the approver and the change (versioned), all audited."""
from datetime import date
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import audit
from db_types import utcnow
from extensions import db
from performance.models import ChangeState, CommitmentChange, Task
from performance.services import check_child, latest_commitment, sign_commitment

FIELDS = ("title", "indicator", "unit", "target", "deadline")


class ChangeError(ValueError):
    """A change the rules refuse; the message is for the user."""


def _values(task: Task) -> dict:
    snap = task.snapshot()
    return {k: snap[k] for k in FIELDS}


def request_change(task: Task, user, *, reason: str, remove: bool = False, title=None, indicator=None,
                   unit=None, target=None, deadline: date | None = None) -> CommitmentChange:
    """Ask for a change of ``task`` in the signed list (only the assignee, only after
    signing, one pending change per task; a task with a reported product cannot be removed)."""
    if task.assignee_id != user.id:
        raise ChangeError(_("Only the assignee asks for a change of their commitment."))
    if latest_commitment(user, task.year) is None:
        raise ChangeError(_("The list is not signed yet: ask your supervisor to change the task directly."))
    if pending_for(task) is not None:
        raise ChangeError(_("A change of this task already waits for the supervisor."))
    if remove and task.reports:
        raise ChangeError(_("A task with a reported product cannot be removed."))
    if remove and task.children:
        raise ChangeError(_("A task split into child tasks cannot be removed: remove its children first."))
    before = _values(task)
    proposed = {} if remove else {k: v for k, v in {
        "title": title, "indicator": indicator, "unit": unit,
        "target": str(Fraction(str(target))) if target is not None else None,
        "deadline": deadline.isoformat() if deadline else None}.items() if v is not None and v != before[k]}
    if not remove and not proposed:
        raise ChangeError(_("Nothing would change."))
    if "deadline" in proposed and not proposed["deadline"].startswith(str(task.year)):
        raise ChangeError(_("The deadline must stay in %(year)d.", year=task.year))
    if "deadline" in proposed:
        _check_cascade(task, date.fromisoformat(proposed["deadline"]))
    change = CommitmentChange(task_id=task.id, user_id=user.id, year=task.year, remove=remove, proposed=proposed,
                              before=before, reason=reason.strip())
    db.session.add(change)
    db.session.flush()
    audit.record("commitment.change_requested", change, actor=user, before=before,
                 after={"remove": remove, **proposed}, reason=change.reason)
    return change


def pending_for(task: Task) -> CommitmentChange | None:
    return db.session.scalars(select(CommitmentChange).where(CommitmentChange.task_id == task.id,
                                                             CommitmentChange.state == ChangeState.PENDING)).first()


def decide_change(change: CommitmentChange, supervisor, approve: bool, note: str = ""):
    """Approve (apply, then a new commitment revision) or reject a pending change.
    Returns the new revision on approval, else None.  Nobody decides their own change."""
    if change.state != ChangeState.PENDING:
        raise ChangeError(_("This change is already decided."))
    if change.user_id == supervisor.id:
        raise ChangeError(_("Nobody approves a change of their own commitment."))
    change.state = ChangeState.APPROVED if approve else ChangeState.REJECTED
    change.decided_by_id, change.decided_at, change.decision_note = supervisor.id, utcnow(), (note or "").strip()
    db.session.flush()
    audit.record("commitment.change_decided", change, actor=supervisor, before={"state": "pending"},
                 after={"state": change.state.value}, reason=change.decision_note)
    if not approve:
        return None
    task, owner = change.task, change.user
    _apply(task, change, supervisor)
    return sign_commitment(owner, change.year, approved_by=supervisor, change=change)


def _check_cascade(task: Task, deadline: date) -> None:
    """A child's deadline stays within its parent's; a parent's stays after its children's."""
    if task.parent is not None:
        problem = check_child(task.parent, task.period, deadline)
        if problem:
            raise ChangeError(problem)
    if any(c.deadline > deadline for c in task.children):
        raise ChangeError(_("A child task is due after this date: change the child tasks first."))


def _apply(task: Task, change: CommitmentChange, supervisor) -> None:
    before = task.snapshot()
    if change.remove and task.children:       # split after the request was made
        raise ChangeError(_("A task split into child tasks cannot be removed: remove its children first."))
    if "deadline" in change.proposed:
        _check_cascade(task, date.fromisoformat(change.proposed["deadline"]))
    if change.remove:
        audit.record("task.remove", task, actor=supervisor, before=before, reason=change.reason)
        change.task_id = None          # the change keeps the task's content in ``before``
        db.session.delete(task)
        db.session.flush()
        return
    p = change.proposed
    task.title = p.get("title", task.title)
    task.indicator = p.get("indicator", task.indicator)
    task.unit_of_measure = p.get("unit", task.unit_of_measure)
    task.target = Fraction(p["target"]) if "target" in p else task.target
    task.deadline = date.fromisoformat(p["deadline"]) if "deadline" in p else task.deadline
    db.session.flush()
    audit.record("task.change", task, actor=supervisor, before=before, after=task.snapshot(), reason=change.reason)
