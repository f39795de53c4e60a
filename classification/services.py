"""Running the yearly classification and storing its results (audited)."""
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import contains_eager, defer

from accounts import audit
from accounts.models import Agency, User
from classification.inputs import build_population, engine_settings
from classification.models import ClassificationState, RatingWorkflow, YearlyClassification
from classification.workflow import WorkflowError, workflow
from db_types import utcnow
from extensions import db
from scoring.rating import explain, rating_to_json, reason_to_json
from scoring.rating.batch import ReasonJSON, rate_batch
from scoring.rating.engine import no_cycle_collection


def people_of(agency: Agency) -> list[User]:
    """Everyone in the agency's subtree, active, in tree order."""
    stmt = (select(User).join(User.agency).options(contains_eager(User.agency))
            .where(Agency.path.startswith(agency.path), User.active, User.rated).order_by(Agency.path, User.id))
    return list(db.session.scalars(stmt))


def _reason_json(reason, memo: dict | None = None) -> dict:
    """The engine's reason, exact (``reason_to_json``), with its sentence in both languages.
    ``memo`` shares the result between people given the very same reason in one run."""
    try:       # Fractions keyed by their (numerator, denominator): hashing a Fraction is slow
        key = (reason.code, reason.policy, reason.citation, reason.not_law, reason.unverified,
               tuple((k, ("F", v.numerator, v.denominator)) if type(v) is Fraction else (k, type(v).__name__, v)
                     for k, v in reason.params.items()))
        hash(key)
    except TypeError:
        key = None
    if memo is not None and key in memo:
        return memo[key]
    value = {**reason_to_json(reason), "vi": explain(reason, "vi"), "en": explain(reason, "en")}
    if memo is not None and key is not None:
        memo[key] = value
    return value


def run_rating(agency: Agency, year: int, actor=None) -> list[YearlyClassification]:
    """Rate everyone under ``agency`` for ``year`` with the engine and store the results.

    Only rating units in draft are written: a unit that is proposed, decided or approved
    (locked) keeps its rows (its people still feed their managers' unit results).  Raises
    WorkflowError when ``agency``'s own unit is not in draft.  Returns the rows of
    everyone under ``agency`` in tree order; one audit record per unit written.
    """
    with no_cycle_collection():
        return _run(agency, year, actor)


INSERT_CHUNK = 5000


def _run(agency: Agency, year: int, actor) -> list[YearlyClassification]:
    people = people_of(agency)
    units = {u.id: u.agency.rating_unit() for u in people}
    frozen = _frozen_units(set(units.values()), year)
    if agency.id in frozen:
        raise WorkflowError(_("The rating of %(unit)s is “%(state)s”: it cannot be run again now.",
                              unit=agency.name, state=frozen[agency.id].state.value))
    # the batch engine (exact int64 arrays; falls back to the Fraction engine by itself);
    # managers outside the run are ignored by both engines
    result = rate_batch(build_population(people, year, scope=agency), year, engine_settings(year))
    existing = {c.user_id: c for c in _existing(people, year)}
    new, written, memo, now = [], {}, ReasonJSON(), utcnow()
    for i, user in enumerate(people):      # the population is built in the order of ``people``
        unit = units[user.id]
        if unit.id in frozen:
            continue
        rating, reasons = result.stored(i, memo)     # reasons already as stored JSON
        values = _values(rating, actor, now=now, reasons=reasons)
        row = existing.get(user.id)
        if row is None:
            new.append({"user_id": user.id, "year": year, **values})
            if len(new) == INSERT_CHUNK:      # bounded memory: the JSON of 5,000 rows at a time
                db.session.execute(insert(YearlyClassification), new)
                new = []
        else:
            for name, value in values.items():
                setattr(row, name, value)
        written.setdefault(unit.id, [unit, 0])[1] += 1
    if new:       # executemany, no RETURNING: a province is 50,000 rows
        db.session.execute(insert(YearlyClassification), new)
    db.session.flush()
    for unit, count in written.values():
        wf = workflow(unit, year, create=True)
        audit.record("rating.run", wf, actor=actor, after={"unit": unit.code, "year": year, "people": count})
    stmt = (select(YearlyClassification).join(User, YearlyClassification.user_id == User.id).join(User.agency)
            .options(defer(YearlyClassification.details), defer(YearlyClassification.reasons))
            .where(YearlyClassification.year == year, Agency.path.startswith(agency.path), User.active, User.rated)
            .order_by(Agency.path, User.id))
    return list(db.session.scalars(stmt))


def _frozen_units(units: set, year: int) -> dict:
    """{agency id: workflow} of the units whose workflow is past draft."""
    ids = [u.id for u in units]
    found = db.session.scalars(select(RatingWorkflow).where(RatingWorkflow.year == year,
                                                            RatingWorkflow.agency_id.in_(ids)))
    return {w.agency_id: w for w in found if w.state != ClassificationState.DRAFT}


def _existing(people, year: int):
    ids = [u.id for u in people]
    for start in range(0, len(ids), 5000):     # bounded IN lists
        yield from db.session.scalars(select(YearlyClassification).options(   # rewritten: no need to read
            defer(YearlyClassification.details), defer(YearlyClassification.reasons)).where(
            YearlyClassification.year == year, YearlyClassification.user_id.in_(ids[start:start + 5000])))


def _values(rating, actor, memo: dict | None = None, now=None, reasons: list | None = None) -> dict:
    """The stored columns of one engine result (a fresh draft: no council decision);
    ``reasons``: the reasons already in their stored form (the batch engine's)."""
    return {
        "profile": rating.profile, "score": rating.score, "level_before_quota": rating.level_before_quota.value,
        "level": rating.level.value, "engine_level": rating.level.value, "decided": False, "decision_reason": "",
        "decided_by_id": None, "decided_at": None, "needs_council": rating.needs_council,
        "quota_moved": rating.quota_moved, "reasons": reasons if reasons is not None else [_reason_json(r, memo) for r in rating.reasons],
        "details": rating_to_json(rating, exclude=("reasons",)), "run_at": now or utcnow(),
        "run_by_id": getattr(actor, "id", None), "state": ClassificationState.DRAFT}


def level_counts(rows) -> dict[str, int]:
    counts = {k: 0 for k in ("EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED", "NOT_RATED")}
    for row in rows:
        counts[row.level] = counts.get(row.level, 0) + 1
    return counts


def as_fraction(text) -> Fraction | None:
    return None if text is None else Fraction(text)
