"""Profile nd90 (Decree 90/2020 as amended by 48/2023): RULES.md §4 tables, gaps,
who is rated, discipline."""
from datetime import date
from fractions import Fraction as F

import pytest

from scoring.rating import Discipline, Level, Settings, TestResult, rate_year

NO_TEST = Settings(test_rule="none")


def rate(people, settings=NO_TEST, year=2025):
    return {r.person_id: r for r in rate_year(people, year, settings)}


@pytest.fixture
def tasks(product):
    """tasks(ok=2, exceeded=1, late=1, poor=1, short=1) → ProductResults of those kinds."""
    def build(ok=0, exceeded=0, late=0, poor=0, short=0, unit=False):
        kinds = ([dict()] * ok + [dict(accepted=2)] * exceeded + [dict(on_time=False)] * late
                 + [dict(quality_failures=1)] * poor + [dict(accepted=F(1, 2))] * short)
        return [product(1, **{"unit_target": unit, **kind}) for kind in kinds]
    return build


@pytest.fixture
def staff(person, period):
    def build(pid, products, **kw):
        return person(pid, periods=[period("2025-Q1", products=products)], **kw)
    return build


@pytest.mark.parametrize("kinds, level", [
    (dict(ok=1, exceeded=1), Level.EXCELLENT),       # shortfall 0, exceeded 1/2
    (dict(ok=2, exceeded=1), Level.GOOD),            # exceeded 1/3 < 1/2
    (dict(ok=2), Level.GOOD),
    (dict(ok=4, late=1), Level.COMPLETED),           # shortfall 1/5 ≤ 20%, all completed
    (dict(ok=2, late=1, poor=2), Level.NOT_COMPLETED),   # shortfall 3/5 > 50%
])
def test_non_leader_table(staff, tasks, kinds, level):
    r = rate([staff("x", tasks(**kinds))])["x"]
    assert (r.level_before_quota, r.needs_council, r.score) == (level, False, None)
    # alone in the group the cap is ⌊1/6⌋ = 0: an EXCELLENT moves to GOOD without ranking
    assert r.level == (Level.GOOD if level == Level.EXCELLENT else level)


@pytest.mark.parametrize("kinds, shortfall", [
    (dict(ok=3, late=2), F(2, 5)),     # 40%: above 20%, not above 50%
    (dict(ok=1, poor=1), F(1, 2)),     # exactly 50% is not "> 50%"
    (dict(ok=4, short=1), F(1, 5)),    # 20%, but one task not completed: not "completed"
])
def test_non_leader_gaps_go_to_the_council(staff, tasks, kinds, shortfall):
    r = rate([staff("x", tasks(**kinds))])["x"]
    assert r.needs_council and r.council_options == (Level.COMPLETED, Level.NOT_COMPLETED)
    assert r.level == Level.COMPLETED                      # provisional
    assert r.measures["shortfall"] == shortfall
    assert r.reasons[-1].code == "nd90_gap"


def test_a_task_verified_in_two_periods_counts_once(person, period, product):
    # Q1: 1 of target 1; Q2: same task, undelivered → one task, not completed: shortfall 1
    q1 = period("2025-Q1", products=[product(1, task_id="T")])
    q2 = period("2025-Q2", products=[product(1, 0, task_id="T", delivered=False)])
    r = rate([person("x", periods=[q1, q2])])["x"]
    assert (r.measures["tasks"], r.measures["shortfall"], r.level) == (1, 1, Level.NOT_COMPLETED)


def leader(staff, tasks, unit_kinds, managed, pid="L"):
    # own task exceeded (own condition EXCELLENT); unit targets marked unit_target
    products = tasks(exceeded=1) + tasks(unit=True, **unit_kinds)
    return staff(pid, products, is_leader=True, managed_unit_levels=managed)


MANAGED_7_GOOD = (Level.GOOD,) * 7 + (Level.COMPLETED,) * 3
MANAGED_6_GOOD = (Level.GOOD,) * 6 + (Level.COMPLETED,) * 4


@pytest.mark.parametrize("unit_kinds, managed, level", [
    # all 4 targets met, 2 exceeded (50%); managed 100% COMPLETED+, 70% GOOD+ → EXCELLENT
    (dict(ok=2, exceeded=2), MANAGED_7_GOOD, Level.EXCELLENT),
    # 60% GOOD+ fails EXCELLENT and GOOD; met 100% > 70%, 100% COMPLETED+ ≥ 70% → COMPLETED
    (dict(ok=2, exceeded=2), MANAGED_6_GOOD, Level.COMPLETED),
    # nothing exceeded; 4 of 5 on time = 80% → GOOD
    (dict(ok=4, late=1), MANAGED_7_GOOD, Level.GOOD),
    # 2 of 5 met (40% < 50%) → NOT_COMPLETED
    (dict(ok=2, short=3), MANAGED_7_GOOD, Level.NOT_COMPLETED),
])
def test_leader_table(staff, tasks, unit_kinds, managed, level):
    assert rate([leader(staff, tasks, unit_kinds, managed)])["L"].level_before_quota == level


@pytest.mark.parametrize("unit_kinds", [dict(ok=3, short=2), dict(ok=7, short=3)])
def test_leader_gap_unit_met_50_to_70_percent(staff, tasks, unit_kinds):
    # 60% and exactly 70% met: not "> 70%", not "< 50%" → council
    r = rate([leader(staff, tasks, unit_kinds, MANAGED_7_GOOD)])["L"]
    assert r.needs_council and r.reasons[-1].code == "nd90_leader_gap"


def test_leader_managed_levels_from_subordinates(staff, tasks):
    # no managed_unit_levels given: two GOOD subordinates → 100% GOOD+; unit 2 of 4 exceeded
    boss = staff("L", tasks(exceeded=1) + tasks(unit=True, ok=2, exceeded=2), is_leader=True)
    subs = [staff(f"s{i}", tasks(ok=1), manager_id="L") for i in range(2)]
    r = rate([boss] + subs)
    assert r["L"].level_before_quota == Level.EXCELLENT
    assert r["L"].measures["managed"] == 2


@pytest.mark.parametrize("months, reason, level", [
    (F(5), "sick", Level.NOT_RATED),        # < 6 months
    (F(4), "maternity", Level.GOOD),        # maternity: rated on the time worked
    (F(8), "sick", Level.COMPLETED),        # absent 4 months: at most COMPLETED
    (F(9), "unpaid", Level.COMPLETED),      # absent 3 months: the lower bound counts
    (F(6), "sick", Level.GOOD),             # absent 6 months: not "under 6"
    (F(8), None, Level.GOOD),               # joined in May: no leave, no absence
])
def test_who_is_rated_and_the_absence_cap(staff, tasks, months, reason, level):
    r = rate([staff("x", tasks(ok=2), months_worked=months, leave_reason=reason)])["x"]
    assert r.level == level


def test_any_discipline_forces_not_completed(staff, tasks):
    warning = Discipline(form="warning", decided_on=date(2025, 6, 1), connected_with_duties=False)
    r = rate([staff("x", tasks(ok=1, exceeded=1), discipline=(warning,))])["x"]
    assert r.level == Level.NOT_COMPLETED
    assert r.reasons[-1].citation.en == "Decree 90/2020/NĐ-CP, Art. 2 cl. 5 (added by Decree 48/2023/NĐ-CP)"


def test_public_employee_2026_without_regulation(staff, person, period, tasks):
    emp = person("e", category="public_employee", periods=[period("2026-Q1", products=tasks(ok=2))])
    r = rate([emp], year=2026)["e"]
    assert (r.profile, r.level) == ("nd90", Level.GOOD)
    assert r.reasons[0].citation.en == "Decree 233/2026/NĐ-CP, Art. 20 cl. 1"


def test_test_rules_under_nd90(staff, tasks):
    failed = TestResult(status="failed", fraction=F(2, 5))
    r = rate([staff("x", tasks(ok=2), test=failed)], Settings())["x"]
    assert r.level == Level.GOOD and r.reasons[-1].code == "test_rule_not_applicable"
    capped = rate([staff("x", tasks(ok=2), test=failed)], Settings(test_rule="cap"))["x"]
    assert capped.level == Level.COMPLETED


@pytest.mark.parametrize("year, unverified", [(2024, True), (2025, False)])
def test_quota_rate_before_qd366_is_flagged(person, period, tasks, year, unverified):
    # 6 people, one EXCELLENT: within the cap of 1; the QĐ 124 years are UNVERIFIED
    people = [person(f"p{i}", periods=[period(f"{year}-Q1", products=tasks(ok=1, exceeded=i == 0))])
              for i in range(6)]
    r = rate(people, year=year)["p0"]
    assert r.reasons[-1].code == "quota_within" and r.reasons[-1].unverified is unverified


def test_no_task_in_the_year_goes_to_the_council_instead_of_failing_the_run(staff, tasks):
    """A person with no task assigned (a period without products): the task criteria of
    Decree 90 cannot be applied, so the council decides between COMPLETED and NOT_COMPLETED;
    the others of the run are rated as usual."""
    result = rate([staff("idle", []), staff("x", tasks(ok=2))])
    r = result["idle"]
    assert r.needs_council and r.council_options == (Level.COMPLETED, Level.NOT_COMPLETED)
    assert (r.level, r.reasons[-1].code) == (Level.COMPLETED, "nd90_no_tasks")
    assert result["x"].level == Level.GOOD
