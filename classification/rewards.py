"""The reward list of a rating unit and year (RULES.md §7): tier 4 from the rating history
and the approved classifications (:func:`scoring.rewards.reward_tier4`), the other tiers
from recorded achievements, the statutory title "Lao động tiên tiến"; no reward in a year
with discipline.  Writes: recording and deleting achievements (audited)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from accounts import audit
from accounts.models import DisciplineRecord, RatingHistory, User
from classification.models import Achievement, AchievementKind, ClassificationState, YearlyClassification
from classification.queries import rows_of
from extensions import db
from scoring.rating import load_policy
from scoring.rewards import Rewards, rewards_for


@dataclass
class RewardRow:
    user: User
    row: YearlyClassification
    rewards: Rewards
    achievements: list
    approved: bool


def rating_window(year: int) -> tuple[date, date]:
    """(after, up to): a discipline decision counts in the rating year whose window holds it,
    as the engine counts it (common.json ``rating_date``, default 15 December)."""
    rule = load_policy("common").rule("rating_date")
    month, day = int(rule.params["month"]), int(rule.params["day"])
    return date(year - 1, month, day), date(year, month, day)


def reward_list(agency, year: int) -> list[RewardRow]:
    """Everyone rated under ``agency`` in ``year`` with their rewards; provisional
    (``approved`` False) while the year's rating is not approved."""
    rows = rows_of(agency, year)
    ids = [r.user_id for r in rows]
    history = defaultdict(dict)
    for h in db.session.scalars(select(RatingHistory).where(RatingHistory.user_id.in_(ids),
                                                            RatingHistory.year <= year)):
        history[h.user_id][h.year] = h.level
    for c in db.session.scalars(select(YearlyClassification).where(
            YearlyClassification.user_id.in_(ids), YearlyClassification.year < year,
            YearlyClassification.state == ClassificationState.APPROVED)):
        history[c.user_id][c.year] = c.level
    after, until = rating_window(year)
    disciplined = set(db.session.scalars(select(DisciplineRecord.user_id).where(
        DisciplineRecord.user_id.in_(ids), DisciplineRecord.decided_on > after, DisciplineRecord.decided_on <= until)))
    achievements = defaultdict(list)
    for a in db.session.scalars(select(Achievement).where(Achievement.user_id.in_(ids), Achievement.year == year)
                                .order_by(Achievement.id)):
        achievements[a.user_id].append(a)
    out = []
    for row in rows:
        past = {**history[row.user_id], year: row.level}
        found = achievements[row.user_id]
        result = rewards_for(year, past, [(a.kind.value, a.reference) for a in found],
                             disciplined=row.user_id in disciplined)
        out.append(RewardRow(row.user, row, result, found, row.state == ClassificationState.APPROVED))
    return out


def record_achievement(user: User, year: int, kind: str, reference: str, actor) -> Achievement:
    item = Achievement(user_id=user.id, year=year, kind=AchievementKind(kind), reference=reference.strip(),
                       recorded_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    audit.record("reward.achievement", item, actor=actor,
                 after={"user_id": user.id, "year": year, "kind": kind, "reference": item.reference})
    return item


def delete_achievement(item: Achievement, actor) -> None:
    audit.record("reward.achievement_deleted", item, actor=actor,
                 before={"user_id": item.user_id, "year": item.year, "kind": item.kind.value,
                         "reference": item.reference})
    db.session.delete(item)
    db.session.flush()
