"""The stages before the proposal: each person self-assesses, the supervisor reviews.

Design.  The unit-year state machine (:mod:`classification.workflow`, ``RatingWorkflow``:
draft → proposed → decided → approved) is left as it is; the two earlier stages are kept
*per person and period* and derived from the records themselves, not stored as a state:

* under a point profile (``nd335``/``nd233``) the periods are the quarters.  A quarter is
  *due* for a person when they have a task in it or have started its general-criteria
  sheet (a quarter with neither, e.g. on leave, asks nothing of anyone).  The person has
  *self-assessed* when ``GeneralAssessment.self_points`` is set, the supervisor has
  *reviewed* when ``final_points`` is set (DECISIONS.md 4: the final points count);
* under ``nd90`` there is no point scale: the stage is the year's own assessment of Decree
  90/2020 Mẫu số 02 (:class:`~classification.models.YearlyAssessment`): the person gives
  their own view and level (sections I–II), the supervisor their view and proposed level
  (section III).

So a unit's progress is a count over people × periods, shown on the unit's workflow page
(self-assessed n/N and reviewed n/N per quarter and for the year's form, with who is
missing).  Enforcement: once the supervisor has reviewed a period the person's own points
are closed; :func:`classification.workflow.propose` is refused while reviews are missing
unless HR records a reason, which is audited with the names of those missing.  A quarter
also has its own lightweight approve/lock (:mod:`classification.quarters`).
"""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from accounts import audit
from accounts.models import Agency, StaffCategory, User
from classification.models import GeneralAssessment, YearlyAssessment
from db_types import utcnow
from extensions import db
from performance.models import Task
from scoring.rating import Level, choose_profile
from text_utils import person_sort_key

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
POINT_PROFILES = ("nd335", "nd233")
YEAR = "year"
LEVEL_CODES = tuple(lv.value for lv in (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED))


def profile_of(user: User, year: int) -> str:
    """The person's rule profile for ``year`` (DECISIONS.md 1), as the engine chooses it."""
    unit = user.agency.rating_unit()
    return choose_profile(year, StaffCategory(user.staff_category.value), unit.has_nd233_regulation)


def uses_yearly_form(user: User, year: int) -> bool:
    """True when the year's self-assessment is the Mẫu số 02 form (profile ``nd90``)."""
    return profile_of(user, year) not in POINT_PROFILES


@dataclass
class Stage:
    """Progress of one period ("2026-Q1" … or ``YEAR``) in one rating unit."""

    period: str
    due: list = field(default_factory=list)          # people for whom the period is due
    self_missing: list = field(default_factory=list)
    review_missing: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.due)

    @property
    def self_done(self) -> int:
        return self.total - len(self.self_missing)

    @property
    def reviewed(self) -> int:
        return self.total - len(self.review_missing)

    @property
    def complete(self) -> bool:
        return not self.review_missing


def unit_people(unit: Agency) -> list[User]:
    """The rated, active people whose rating unit is ``unit``, in tree order, then by name in
    Vietnamese order (DECISIONS 23)."""
    stmt = (select(User).join(User.agency).options(contains_eager(User.agency))
            .where(Agency.path.startswith(unit.path), User.active, User.rated))
    people = [u for u in db.session.scalars(stmt) if u.agency.rating_unit().id == unit.id]
    return sorted(people, key=lambda u: (u.agency.path, person_sort_key(u.full_name), u.id))


def progress(unit: Agency, year: int) -> list[Stage]:
    """One Stage per quarter and one for the year's form (only those with someone due)."""
    people = unit_people(unit)
    ids = [u.id for u in people]
    tasks, sheets, forms = set(), {}, {}
    if ids:
        tasks = set(db.session.execute(select(Task.assignee_id, Task.period).where(
            Task.year == year, Task.assignee_id.in_(ids))).all())
        sheets = {(g.user_id, g.period): g for g in db.session.scalars(select(GeneralAssessment).where(
            GeneralAssessment.user_id.in_(ids), GeneralAssessment.period.like(f"{year}-%")))}
        forms = {y.user_id: y for y in db.session.scalars(select(YearlyAssessment).where(
            YearlyAssessment.user_id.in_(ids), YearlyAssessment.year == year))}
    stages = {p: Stage(f"{year}-{p}") for p in QUARTERS}
    stages[YEAR] = Stage(YEAR)
    for person in people:
        if uses_yearly_form(person, year):
            stage, form = stages[YEAR], forms.get(person.id)
            stage.due.append(person)
            if form is None or not form.self_level:
                stage.self_missing.append(person)
            if form is None or not form.review_level:
                stage.review_missing.append(person)
            continue
        for q in QUARTERS:
            period = f"{year}-{q}"
            sheet = sheets.get((person.id, period))
            if (person.id, period) not in tasks and sheet is None:
                continue
            stage = stages[q]
            stage.due.append(person)
            if sheet is None or not sheet.self_points:
                stage.self_missing.append(person)
            if sheet is None or not sheet.final_points:
                stage.review_missing.append(person)
    return [s for s in stages.values() if s.due]


def missing_reviews(unit: Agency, year: int) -> list[tuple[str, User]]:
    """(period, person) of every review still missing in the unit's year."""
    return [(s.period, p) for s in progress(unit, year) for p in s.review_missing]


def period_stage(unit: Agency, period: str) -> Stage | None:
    year, q = period.split("-")
    return next((s for s in progress(unit, int(year)) if s.period == period), None)


class StageError(ValueError):
    """A step the stage does not allow; the message is for the user."""


def yearly_form(user: User, year: int, create: bool = False) -> YearlyAssessment | None:
    row = db.session.scalars(select(YearlyAssessment).where(YearlyAssessment.user_id == user.id,
                                                            YearlyAssessment.year == year)).first()
    if row is None and create:
        row = YearlyAssessment(user_id=user.id, year=year, items={}, self_comment="", review_comment="")
        row.user = user
    return row


def _check_level(level: str | None) -> str:
    if level not in LEVEL_CODES:
        from flask_babel import gettext as _
        raise StageError(_("Choose one of the four levels."))
    return level


def save_self(user: User, year: int, items: dict, comment: str, level: str, frozen: bool) -> YearlyAssessment:
    """The person's own assessment of the year (Mẫu số 02 sections I–II); closed once the
    supervisor has reviewed it or the unit's rating is past draft (``frozen``).  Audited."""
    from flask_babel import gettext as _

    row = yearly_form(user, year, create=True)
    if row.review_level or frozen:
        raise StageError(_("Your supervisor has reviewed this assessment, or the rating is under way: "
                           "it can no longer change."))
    before = {"self_level": row.self_level}
    row.items = {k: (v or "").strip() for k, v in items.items()}
    row.self_comment, row.self_level, row.submitted_at = comment.strip(), _check_level(level), utcnow()
    db.session.add(row)
    db.session.flush()
    audit.record("rating.self_assessment", row, actor=user, before=before,
                 after={"year": year, "self_level": row.self_level})
    return row


def save_review(person: User, year: int, comment: str, level: str, actor, frozen: bool) -> YearlyAssessment:
    """The supervisor's review of the year (Mẫu số 02 section III): comment and proposed
    level.  Needs the person's own assessment first; closed once the rating is past draft."""
    from flask_babel import gettext as _

    row = yearly_form(person, year)
    if row is None or not row.self_level:
        raise StageError(_("%(name)s has not assessed the year yet.", name=person.full_name))
    if frozen:
        raise StageError(_("The rating is under way: the review can no longer change."))
    before = {"review_level": row.review_level}
    row.review_comment, row.review_level = comment.strip(), _check_level(level)
    row.reviewed_by_id, row.reviewed_at = actor.id, utcnow()
    db.session.flush()
    audit.record("rating.review", row, actor=actor, before=before,
                 after={"year": year, "person": person.full_name, "review_level": row.review_level})
    return row
