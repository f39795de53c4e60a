"""Year-over-year pages and the HR dashboard on the small exam, with ratings set by hand.

Ratings of 2026 (quota group "chuyen-vien" for all): An EXCELLENT (approved), Binh GOOD,
hr1 GOOD (all in A); Chi GOOD, Dũng COMPLETED (in B). An was EXCELLENT in 2024 and 2025
(imported history), so 2026 makes three in a row: reward tier 4.
"""
from datetime import date

import pytest

from accounts.models import RatingHistory
from classification.models import ClassificationState, YearlyClassification
from extensions import db
from reports import years

LEVELS = {"an": "EXCELLENT", "binh": "GOOD", "chi": "GOOD", "dung": "COMPLETED"}


@pytest.fixture
def rated(small):
    people = dict(small["people"], hr1=small["hr"])
    levels = dict(LEVELS, hr1="GOOD")
    for name, level in levels.items():
        db.session.add(YearlyClassification(
            user_id=people[name].id, year=2026, profile="nd335", level_before_quota=level, level=level,
            state=ClassificationState.APPROVED if name == "an" else ClassificationState.DRAFT))
    db.session.add_all([RatingHistory(user_id=people["an"].id, year=y, level="EXCELLENT") for y in (2024, 2025)])
    db.session.commit()
    return small


def test_hr_dashboard_of_a_unit(rated):
    board = years.hr_board(rated["hr"], 2026)            # HR officer at A: hr1, An, Binh
    assert board.deadline == date(2026, 12, 15)
    (unit,) = board.units                                # no rating unit flagged: all under the root P
    assert unit.agency.code == "P"
    assert (unit.people, unit.rated, unit.council, unit.rewards) == (3, 3, 0, 1)
    assert dict(unit.levels) == {"EXCELLENT": 1, "GOOD": 2}
    assert dict(unit.states) == {"approved": 1, "draft": 2}
    (quota,) = unit.quota
    # 3 at GOOD or better → cap ⌊0.2 × 3 / 1.2⌋ = 0, and one EXCELLENT: over the quota.
    assert (quota.group, quota.good_or_better, quota.excellent, quota.cap) == ("chuyen-vien", 3, 1, 0)
    assert (unit.test_sat, unit.test_passed) == (2, 2)   # hr1 did not sit
    assert board.totals["approved"] == 1


def test_unit_and_person_over_the_years(rated):
    p, a, b = rated["agencies"]
    (y2026,) = years.unit_years(a)
    assert (y2026.year, y2026.sat, y2026.passed) == (2026, 2, 2)
    assert y2026.mean == pytest.approx(250 / 3)
    assert y2026.levels == {"EXCELLENT": 1, "GOOD": 2}
    history = years.person_years(rated["people"]["an"])
    assert [(y.year, y.level, y.level_state) for y in history] == [
        (2026, "EXCELLENT", "approved"), (2025, "EXCELLENT", "history"), (2024, "EXCELLENT", "history")]
    assert [a.score for _e, a in history[0].attempts] == [3]


def test_own_history_hides_a_level_until_it_is_published(rated):
    """DECISIONS.md 25: the person sees their 2026 level only after publication; imported
    history years stay visible; an HR reader sees 2026 at once."""
    from datetime import timedelta

    from classification import workflow
    from db_types import utcnow

    an = rated["people"]["an"]
    unit = an.agency.rating_unit()
    own = years.person_years(an, own=True)
    assert [(y.year, y.level) for y in own] == [(2026, None), (2025, "EXCELLENT"), (2024, "EXCELLENT")]
    row = workflow.workflow(unit, 2026, create=True)
    row.published_at = utcnow() + timedelta(hours=1)          # set for later: still hidden
    db.session.commit()
    assert years.person_years(an, own=True)[0].level is None
    row.published_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert years.person_years(an, own=True)[0].level == "EXCELLENT"
    assert years.person_years(an)[0].level == "EXCELLENT"
