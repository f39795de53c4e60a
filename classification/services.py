"""Running the yearly classification and storing its results (audited)."""
import dataclasses
from fractions import Fraction

from sqlalchemy import select

from accounts import audit
from accounts.models import Agency, User
from classification.inputs import build_inputs, engine_settings
from classification.models import ClassificationState, YearlyClassification
from db_types import utcnow
from extensions import db
from scoring.rating import explain, rate_year, rating_to_json, reason_to_json


def people_of(agency: Agency) -> list[User]:
    """Everyone in the agency's subtree, active, in tree order."""
    stmt = (select(User).join(User.agency).where(Agency.path.startswith(agency.path), User.active, User.rated)
            .order_by(Agency.path, User.id))
    return list(db.session.scalars(stmt))


def _reason_json(reason) -> dict:
    """The engine's reason, exact (``reason_to_json``), with its sentence in both languages."""
    return {**reason_to_json(reason), "vi": explain(reason, "vi"), "en": explain(reason, "en")}


def run_rating(agency: Agency, year: int, actor=None) -> list[YearlyClassification]:
    """Rate everyone under ``agency`` for ``year`` with the engine and store the results.

    A rating already approved is left as it is (a locked period changes only through an
    audited reopen).  Returns the stored rows in tree order.
    """
    people = people_of(agency)
    inputs = build_inputs(people, year)
    ids = {p.person_id for p in inputs}
    inputs = [p if p.manager_id in ids else dataclasses.replace(p, manager_id=None) for p in inputs]
    ratings = {r.person_id: r for r in rate_year(inputs, year, engine_settings(year))}
    existing = {c.user_id: c for c in db.session.scalars(
        select(YearlyClassification).where(YearlyClassification.year == year,
                                           YearlyClassification.user_id.in_([u.id for u in people])))}
    rows = []
    for user in people:
        row = existing.get(user.id) or YearlyClassification(user_id=user.id, year=year)
        if row.state != ClassificationState.APPROVED:
            _store(row, ratings[str(user.id)], actor)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    audit.record("rating.run", agency, actor=actor, after={"year": year, "people": len(rows)})
    return rows


def _store(row: YearlyClassification, rating, actor) -> None:
    row.profile, row.score = rating.profile, rating.score
    row.level_before_quota, row.level = rating.level_before_quota.value, rating.level.value
    row.needs_council, row.quota_moved = rating.needs_council, rating.quota_moved
    row.reasons = [_reason_json(r) for r in rating.reasons]
    row.details = rating_to_json(rating)
    row.run_at, row.run_by_id = utcnow(), getattr(actor, "id", None)
    row.state = ClassificationState.DRAFT


def level_counts(rows) -> dict[str, int]:
    counts = {k: 0 for k in ("EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED", "NOT_RATED")}
    for row in rows:
        counts[row.level] = counts.get(row.level, 0) + 1
    return counts


def as_fraction(text) -> Fraction | None:
    return None if text is None else Fraction(text)
