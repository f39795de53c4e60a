"""Profile nd233 (Decree 233/2026, public employees): nd335's numbers by default plus
the differences of RULES.md §3a."""
import json
from datetime import date
from fractions import Fraction as F

import pytest

from scoring.rating import Discipline, Level, Settings, policy_from_dict, rate_year
from scoring.rating.policy import POLICY_DIR

NO_TEST = Settings(test_rule="none")


def rate(people, settings=NO_TEST, year=2026):
    return {r.person_id: r for r in rate_year(people, year, settings)}


@pytest.fixture
def employee(person, period):
    def build(pid, periods=None, **kw):
        kw.setdefault("unit_has_nd233_regulation", True)
        return person(pid, category="public_employee", periods=periods or [period()], **kw)
    return build


def test_same_scale_as_nd335(employee, person, period, general, product):
    # general 25 (III.3, III.4 at 0) + a = 1, b = 3/4 (one failure), c = 1 → 385/6; total 535/6
    p = period(general_points=general({"III.3": 0, "III.4": 0}), products=[product(2, quality_failures=1)])
    both = rate([employee("e", [p]), person("c", periods=[p])])
    assert both["e"].profile == "nd233" and both["c"].profile == "nd335"
    assert both["e"].score == both["c"].score == F(535, 6)
    band = [x for x in both["e"].reasons if x.code == "yearly_score"][0]
    assert band.citation.en == "Decree 233/2026/NĐ-CP, Art. 12 cl. 1–4"


def test_2027_public_employee_is_nd233_whatever_the_unit(employee, period):
    r = rate([employee("e", [period("2027-Q1")], unit_has_nd233_regulation=False)], year=2027)["e"]
    assert (r.profile, r.score) == ("nd233", 100)


@pytest.mark.parametrize("months, reason, rated", [
    (F(5), "unpaid", False),     # < 6 months
    (F(5), None, False),
    (F(4), "sick", True),        # sick and maternity leave: rated on the time worked
    (F(4), "maternity", True),
    (F(6), "unpaid", True),      # unpaid leave with ≥ 6 months worked
])
def test_under_six_months(employee, months, reason, rated):
    r = rate([employee("e", months_worked=months, leave_reason=reason)])["e"]
    assert (r.level != Level.NOT_RATED) == rated
    if not rated:
        assert r.reasons[-1].citation.en == "Decree 233/2026/NĐ-CP, Art. 14 cl. 1–2"


def test_head_not_above_the_unit(employee, period):
    # score 100 → EXCELLENT; the unit is rated GOOD → the head at most GOOD (before the quota)
    lead = period(org_capacity=F(1), unity=F(1), unit_result=F(1))
    r = rate([employee("h", [lead], is_leader=True, unit_level=Level.GOOD)])["h"]
    assert (r.score, r.level_before_quota) == (100, Level.GOOD)
    assert r.reasons[-1].code == "head_cap"
    assert r.reasons[-1].citation.vi == "Điều 12 khoản 7 Nghị định 233/2026/NĐ-CP"


def test_corruption_self_reported_goes_to_the_council(employee, period):
    lead = [period(org_capacity=F(1), unity=F(1), unit_result=F(1))]
    r = rate([employee("a", lead, is_leader=True, unit_corruption=True, corruption_self_reported=True),
              employee("b", lead, is_leader=True, unit_corruption=True)])
    assert r["a"].needs_council and len(r["a"].council_options) == 4
    assert r["b"].level == Level.NOT_COMPLETED and not r["b"].needs_council


@pytest.mark.parametrize("connected, degradation, forced", [
    (True, False, True), (False, True, True), (False, False, False)])
def test_discipline_for_degradation_or_connected_breach(employee, connected, degradation, forced):
    record = Discipline(form="reprimand", decided_on=date(2026, 5, 4), connected_with_duties=connected,
                        for_degradation=degradation)
    r = rate([employee("e", discipline=(record,))])["e"]
    assert (r.level == Level.NOT_COMPLETED) == forced


def test_unit_regulation_sets_points_per_criterion(employee, period, general):
    # the unit's regulation: I.1 up to 8, I.2 up to 2 (group I still 10)
    data = json.loads((POLICY_DIR / "nd233.json").read_text(encoding="utf-8"))
    data["rules"]["general_criteria"]["params"]["criteria"].update({"I.1": "8", "I.2": "2"})
    regulation = policy_from_dict(data)
    people = [employee("e", [period(general_points=general({"I.1": 8, "I.2": 2}))])]
    settings = Settings(test_rule="none", unit_policies={("nd233", "u"): regulation})
    assert rate(people, settings)["e"].score == 100
    with pytest.raises(ValueError, match="I.1"):
        rate(people)      # the shipped default allows only 5 for I.1
