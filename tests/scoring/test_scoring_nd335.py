"""Profile nd335: components a, b, c, period and yearly scores, bands, forced
NOT_COMPLETED, the test rules and leaders — every expected value worked out by hand."""
from datetime import date
from fractions import Fraction as F

import pytest

from scoring.rating import Discipline, Level, Settings, TestResult, rate_year
from scoring.rating.products import completion_rate, nd335_measures
from scoring.rating.types import ProductResult

NO_TEST = Settings(test_rule="none")


def rate(people, settings=NO_TEST, year=2026):
    return {r.person_id: r for r in rate_year(people, year, settings)}


def codes(rating):
    return [r.code for r in rating.reasons]


def test_deductions_worked_example(person, period, product):
    # target 4, factor 1/2, accepted 4: assigned = completed = 4 × 1/2 = 2.
    # one counted quality failure; the delay had an objective cause, so delays = 0.
    # a = 2/2 = 1; b = 2 × (1 − 1/4) / 2 = 3/4; c = 2 × 1 / 2 = 1
    # task = (1 + 3/4 + 1) / 3 × 70 = 11/12 × 70 = 385/6 (64.17); general 30
    # score = 30 + 385/6 = 565/6 (94.17) → EXCELLENT, alone in the group: cap ⌊1/6⌋ = 0 → GOOD
    p = product(4, 4, factor=F(1, 2), quality_failures=1, delays=0, on_time=False)
    r = rate([person("x", periods=[period(products=[p])])])["x"]
    assert r.components["2026-Q1"] == {"a": 1, "b": F(3, 4), "c": 1}
    assert r.task_points["2026-Q1"] == F(385, 6)
    assert r.score == F(565, 6)
    assert (r.level_before_quota, r.level, r.quota_moved) == (Level.EXCELLENT, Level.GOOD, True)
    assert "quality_deduction" in codes(r) and "delay_deduction" not in codes(r)


def test_measures_with_undelivered_and_over_delivered_products():
    # A: target 10, accepted 12 (capped at 10), 2 delays; B: target 5 × factor 2, undelivered
    # assigned = 10 + 10 = 20; completed = 10 + 0 = 10
    # a = 10/20 = 1/2; b = 10/20 = 1/2; c = 10 × (1 − 2/4) / 20 = 1/4
    a = ProductResult(task_id="A", target=10, accepted=12, delivered=True, on_time=True, delays=2)
    b = ProductResult(task_id="B", target=5, factor=2, accepted=3, delivered=False, on_time=False)
    assert nd335_measures([a, b], F(1, 4), F(1, 4)) == (F(1, 2), F(1, 2), F(1, 4))
    # completion rate (RULES §5): weights 10 and 10; rates min(12/10, 1) = 1 and 0 → 1/2
    assert completion_rate([a, b]) == F(1, 2)


def test_deductions_floor_at_zero():
    # 5 delays: 1 − 5/4 < 0 → 0, so c = 0; 2 failures: b = 1 − 2/4 = 1/2
    p = ProductResult(task_id="A", target=2, accepted=2, delivered=True, on_time=False, delays=5, quality_failures=2)
    assert nd335_measures([p], F(1, 4), F(1, 4)) == (1, F(1, 2), 0)


def test_no_assigned_products_is_an_input_error(person, period):
    with pytest.raises(ValueError, match="x.*no assigned products"):
        rate([person("x", periods=[period(products=())])])


def test_21_plus_49_is_70_and_good(person, period, general, product):
    # general: III.1–III.4 give 1 + 0 + 0 + 0 → 20 + 1 = 21
    # products: target 10, accepted 7 → a = b = c = 7/10 → 7/10 × 70 = 49 
    g = general({"III.1": 1, "III.2": 0, "III.3": 0, "III.4": 0})
    r = rate([person("x", periods=[period(general_points=g, products=[product(10, 7)])])])["x"]
    assert (r.general_points["2026-Q1"], r.task_points["2026-Q1"], r.score) == (21, 49, 70)
    assert r.level == Level.GOOD
    assert 21 + (0.7 + 0.7 + 0.7) / 3 * 70 < 70  # in floats the same sum would band COMPLETED


def test_yearly_mean_over_worked_periods_only(scored, period):
    # Q1 88, Q2 not worked, Q3 89 → (88 + 89) / 2 = 88.5 → GOOD
    periods = [period("2026-Q1", imported_score=F(88)), period("2026-Q2", worked=False),
               period("2026-Q3", imported_score=F(89))]
    r = rate([scored("x", 0, periods=periods)])["x"]
    assert r.score == F(177, 2)
    assert r.period_scores == {"2026-Q1": 88, "2026-Q3": 89}
    assert r.level == Level.GOOD


@pytest.mark.parametrize("score, level, rule", [
    (F(90), Level.EXCELLENT, "Art. 20 cl. 1"),
    (F(90) - F(1, 10**9), Level.GOOD, "Art. 20 cl. 2"),
    (F(70), Level.GOOD, "Art. 20 cl. 2"),
    (F(50), Level.COMPLETED, "Art. 20 cl. 3"),
    (F(50) - F(1, 3000), Level.NOT_COMPLETED, "Art. 20 cl. 4(a)"),
])
def test_bands_on_the_unrounded_score(scored, score, level, rule):
    r = rate([scored("x", score)])["x"]
    assert r.level_before_quota == level
    assert [x for x in r.reasons if x.code == "yearly_score"][0].citation.en.endswith(rule)


def test_no_period_worked_is_not_rated(person, period):
    r = rate([person("x", periods=[period(worked=False)])])["x"]
    assert (r.level, r.score) == (Level.NOT_RATED, None)


@pytest.mark.parametrize("points, error", [
    ({"I.1": 6}, "I.1"),           # above its maximum 5
    ({"IV.1": 1}, "unknown"),      # not a code of the form
])
def test_general_points_are_checked(person, period, general, points, error):
    with pytest.raises(ValueError, match=error):
        rate([person("x", periods=[period(general_points=general(points))])])


def test_missing_criterion_is_an_error(person, period, general):
    g = general()
    del g["III.4"]
    with pytest.raises(ValueError, match="III.4"):
        rate([person("x", periods=[period(general_points=g)])])


def test_test_rule_general_criteria_w_2_5(person, period, general):
    # fraction 3/5 × W 5/2 = 3/2 replaces the supervisor's 5/2 for II.1 in every period
    # general = 30 − 5/2 + 3/2 = 29; tasks 70 → 99 in both periods
    t = TestResult(status="passed", fraction=F(3, 5))
    r = rate([person("x", test=t, periods=[period("2026-Q1"), period("2026-Q2")])], Settings())["x"]
    assert r.general_detail["2026-Q2"]["II.1"] == F(3, 2)
    assert r.general_points == {"2026-Q1": 29, "2026-Q2": 29}
    assert r.score == 99


def test_test_rule_general_criteria_w_10_replaces_group_ii(person, period, general):
    # W = 10: group II = 10 × 3/5 = 6; I = 10, III = 10 → 26; tasks 70 → 96
    g = {k: v for k, v in general().items() if not k.startswith("II.")}
    t = TestResult(status="failed", fraction=F(3, 5))
    r = rate([person("x", test=t, periods=[period(general_points=g)])], Settings(test_weight=F(10)))["x"]
    assert r.general_detail["2026-Q1"]["II"] == 6
    assert r.score == 96
    with pytest.raises(ValueError, match="test_weight"):
        rate([person("y", test=t, periods=[period()])], Settings(test_weight=F(5)))


def test_test_rule_missed_counts_zero_excused_has_no_effect(person, period):
    missed = rate([person("x", test=TestResult(status="missed"), periods=[period()])], Settings())["x"]
    assert missed.general_points["2026-Q1"] == F(55, 2)   # 30 − 5/2 + 0
    excused = rate([person("x", test=TestResult(status="excused"), periods=[period()])], Settings())["x"]
    assert excused.general_points["2026-Q1"] == 30          # supervisor's II.1 stands
    assert "test_excused" in codes(excused)
    with pytest.raises(ValueError, match="without a fraction"):
        rate([person("x", test=TestResult(status="passed"), periods=[period()])], Settings())


@pytest.mark.parametrize("status, level", [
    ("failed", Level.COMPLETED), ("missed", Level.COMPLETED),
    ("passed", Level.EXCELLENT), ("excused", Level.EXCELLENT), ("none", Level.EXCELLENT)])
def test_test_cap_rule(scored, status, level):
    # score 95 bands EXCELLENT; a failed (or missed) test caps it at COMPLETED before the quota
    t = TestResult(status=status, fraction=F(1, 5) if status in ("failed", "passed") else None)
    r = rate([scored("x", 95, test=t)], Settings(test_rule="cap"))["x"]
    assert r.level_before_quota == level
    assert ("test_cap" in codes(r)) == (level == Level.COMPLETED)


def reprimand(day, connected=True, **kw):
    return Discipline(form="reprimand", decided_on=day, connected_with_duties=connected, **kw)


@pytest.mark.parametrize("record, forced", [
    (reprimand(date(2026, 3, 1)), True),
    (reprimand(date(2026, 3, 1), connected=False), False),  # nd335 cl. 4(c): connected with duties only
    (reprimand(date(2025, 12, 20)), True),    # after the 2025 rating date: counts in 2026
    (reprimand(date(2025, 12, 15)), False),   # counted in 2025
    (reprimand(date(2026, 12, 16)), False),   # after the 2026 rating date: counts in 2027
])
def test_forced_not_completed_by_reprimand(scored, record, forced):
    r = rate([scored("x", 95, discipline=(record,))])["x"]
    assert (r.level == Level.NOT_COMPLETED) == forced
    if forced:
        cite = [x for x in r.reasons if x.code == "forced_discipline"][0].citation
        assert cite.vi == "Điều 20 khoản 4 điểm c Nghị định 335/2025/NĐ-CP"
        assert cite.en == "Decree 335/2025/NĐ-CP, Art. 20 cl. 4(c)"


def test_forced_degradation_and_leader_corruption(scored):
    people = [scored("deg", 95, degradation=True),
              scored("lead", 95, is_leader=True, unit_corruption=True),
              scored("staff", 95, unit_corruption=True)]            # cl. 4(d) is for leaders only
    r = rate(people)
    assert r["deg"].level == r["lead"].level == Level.NOT_COMPLETED
    assert r["staff"].level_before_quota == Level.EXCELLENT


def test_cadre_uses_nd335_scale_flagged_not_law(scored):
    r = rate([scored("c", 80, category="cadre")])["c"]
    assert r.profile == "nd335" and r.reasons[0].code == "profile_cadre" and r.reasons[0].not_law


def subordinate_failing(person, period, general, product):
    # general 10 (group I only); accepted 1 of 4 → a = b = c = 1/4 → task 70/4 = 17.5
    # score 27.5 → NOT_COMPLETED in Q1
    zero = {k: 0 for k in general() if not k.startswith("I.")}
    return person("s1", manager_id="L", periods=[period(general_points=general(zero), products=[product(4, 1)])])


def leader_period(period, general, product, **kw):
    # general: III.3 and III.4 at 0 → 25; one product fully done → a = b = c = 1
    g = general({"III.3": 0, "III.4": 0})
    return period(general_points=g, products=[product()], org_capacity=F(4, 5), unity=F(9, 10), **kw)


def test_leader_whose_subordinate_fails(person, period, general, product):
    # d = 1/2 (one subordinate NOT_COMPLETED in the period)
    # task = (1 + 1 + 1 + 1/2 + 4/5 + 9/10) / 6 × 70 = (26/5) / 6 × 70 = 182/3
    # score = 25 + 182/3 = 257/3 (85.67) → GOOD
    leader = person("L", is_leader=True, periods=[leader_period(period, general, product)])
    ok = person("s2", manager_id="L", periods=[period()])
    r = rate([leader, subordinate_failing(person, period, general, product), ok])  # manager listed first
    assert r["s1"].period_levels["2026-Q1"] == Level.NOT_COMPLETED
    assert r["L"].components["2026-Q1"]["d"] == F(1, 2)
    assert r["L"].task_points["2026-Q1"] == F(182, 3)
    assert (r["L"].score, r["L"].level) == (F(257, 3), Level.GOOD)


def test_leader_whose_subordinates_all_complete(person, period, general, product):
    # d = 1: task = (3 + 1 + 4/5 + 9/10) / 6 × 70 = (57/10) / 6 × 70 = 133/2; score 25 + 66.5 = 91.5
    leader = person("L", is_leader=True, periods=[leader_period(period, general, product)])
    r = rate([leader, person("s2", manager_id="L", periods=[period()])])
    assert r["L"].score == F(183, 2)


def test_leader_inputs_are_required(person, period, general, product):
    alone = person("L", is_leader=True, periods=[leader_period(period, general, product)])
    with pytest.raises(ValueError, match="no unit_result and no rated subordinate"):
        rate([alone])
    given = person("L", is_leader=True, periods=[leader_period(period, general, product, unit_result=F(1, 2))])
    assert rate([given])["L"].score == F(257, 3)   # same numbers as with a failing subordinate
    with pytest.raises(ValueError, match="org_capacity"):
        rate([person("L", is_leader=True, periods=[period(unit_result=F(1))])])


def test_run_errors(scored):
    with pytest.raises(ValueError, match="cycle"):
        rate([scored("a", 80, manager_id="b"), scored("b", 80, manager_id="a")])
    with pytest.raises(ValueError, match="duplicate"):
        rate([scored("a", 80), scored("a", 70)])
    with pytest.raises(ValueError, match="not a month or quarter of 2026"):
        rate([scored("a", 80, year=2027)])
