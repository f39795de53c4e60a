"""Explanations in Vietnamese and English, reasons as JSON, and the policy files."""
import json
from datetime import date
from fractions import Fraction as F

import pytest

from scoring.rating import (Discipline, Level, Settings, TestResult, explain, level_name, load_policy,
                            policy_from_dict, rate_year, rating_to_json, reason_from_json, reason_to_json)
from scoring.rating.policy import shipped_policies

NO_TEST = Settings(test_rule="none")


def reason(rating, code):
    return [x for x in rating.reasons if x.code == code][0]


def test_yearly_score_sentence(scored, period):
    # periods 88 and 89 → 88.5 → GOOD (cl. 2)
    person = scored("x", 0, periods=[period("2026-Q1", imported_score=F(88)),
                                     period("2026-Q2", imported_score=F(89))])
    r = rate_year([person], 2026, NO_TEST)[0]
    yearly = reason(r, "yearly_score")
    assert explain(yearly, "vi") == "Điểm bình quân năm 88,50 → Hoàn thành tốt nhiệm vụ (Điều 20 khoản 2 Nghị định 335/2025/NĐ-CP)"
    assert explain(yearly, "en") == "Yearly mean score 88.50 → completing tasks well (Decree 335/2025/NĐ-CP, Art. 20 cl. 2)"


def test_discipline_sentence_with_date_and_vocabulary(scored):
    record = Discipline(form="reprimand", decided_on=date(2026, 3, 1), connected_with_duties=True)
    r = rate_year([scored("x", 95, discipline=(record,))], 2026, NO_TEST)[0]
    assert explain(reason(r, "forced_discipline"), "vi") == (
        "Bị kỷ luật khiển trách (quyết định ngày 01/03/2026) trong năm đánh giá → Không hoàn thành nhiệm vụ "
        "(Điều 20 khoản 4 điểm c Nghị định 335/2025/NĐ-CP)")


def test_flags_unverified_and_not_law(person, period, scored):
    r = rate_year([person("x", periods=[period()])], 2026, NO_TEST)[0]
    assert explain(reason(r, "period_score"), "en") == (
        "Period 2026-Q1: general criteria 30.00 + task results 70.00 = 100.00 points "
        "(Decree 335/2025/NĐ-CP, Art. 12, 14–15; unverified)")
    cadre = rate_year([scored("c", 80, category="cadre")], 2026, NO_TEST)[0]
    assert explain(cadre.reasons[0], "vi").endswith("; không phải quy định pháp luật)")


def test_gap_options_and_percentages(person, period, product):
    # 3 of 5 tasks on time with quality: shortfall 40%, every task completed
    tasks = [product() for _ in range(3)] + [product(on_time=False) for _ in range(2)]
    r = rate_year([person("x", periods=[period("2025-Q1", products=tasks)])], 2025, NO_TEST)[0]
    assert explain(r.reasons[-1], "vi").startswith(
        "Nghị định không quy định trường hợp này (chưa bảo đảm chất lượng, tiến độ 40%, hoàn thành 100% "
        "nhiệm vụ): Hội đồng quyết định giữa Hoàn thành nhiệm vụ hoặc Không hoàn thành nhiệm vụ")


def mixed_run(person, period, scored, product):
    """People touching most rules, to render every reason they produce."""
    warning = Discipline(form="warning", decided_on=date(2026, 2, 2), connected_with_duties=True)
    test = TestResult(status="passed", fraction=F(1, 3))
    return [
        person("a", test=test, periods=[period(products=[product(4, 3, delays=1, quality_failures=2),
                                                         product(2, 0, delivered=False)])]),
        scored("b", 95, discipline=(warning,)), scored("c", 93), scored("d", 93), scored("e", 99),
        scored("f", 40, degradation=True), scored("g", 80, category="cadre"),
        person("h", is_leader=True, periods=[period(org_capacity=F(1, 2), unity=F(1))]),
        person("i", manager_id="h", periods=[period()]),
        person("j", category="public_employee", unit_has_nd233_regulation=True,
               months_worked=F(3), leave_reason="maternity", periods=[period()]),
        person("k", category="public_employee", months_worked=F(2), periods=[period()]),
        person("l", category="public_employee", unit_has_nd233_regulation=True, is_leader=True,
               unit_level=Level.COMPLETED, periods=[period(org_capacity=F(1), unity=F(1), unit_result=F(1))]),
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_reason_of_a_mixed_run_renders(person, period, scored, product, lang):
    ratings = rate_year(mixed_run(person, period, scored, product), 2026, Settings())
    sentences = [explain(x, lang) for r in ratings for x in r.reasons]
    assert len(sentences) > 30
    assert not any("{" in s or "}" in s for s in sentences)


def test_reason_json_round_trip(person, period, scored, product):
    ratings = rate_year(mixed_run(person, period, scored, product), 2026, Settings())
    for r in ratings:
        for x in r.reasons:
            assert reason_from_json(json.loads(json.dumps(reason_to_json(x)))) == x


def test_rating_to_json(person, period, general, product):
    # the leader example of test_scoring_nd335 with unit_result given: 257/3
    g = general({"III.3": 0, "III.4": 0})
    lead = period(general_points=g, org_capacity=F(4, 5), unity=F(9, 10), unit_result=F(1, 2))
    r = rate_year([person("L", is_leader=True, periods=[lead])], 2026, NO_TEST)[0]
    data = json.loads(json.dumps(rating_to_json(r)))
    assert data["score"] == {"$fraction": "257/3"}
    assert data["level"] == {"$level": "GOOD"} and data["needs_council"] is False
    assert data["components"]["2026-Q1"]["đ"] == {"$fraction": "4/5"}
    assert data["reasons"][0]["code"] == "profile_nd335"


def test_level_names_and_language_check():
    assert level_name(Level.EXCELLENT, "vi") == "Hoàn thành xuất sắc nhiệm vụ"
    assert level_name(Level.NOT_COMPLETED, "en") == "not completing tasks"
    with pytest.raises(ValueError):
        level_name(Level.GOOD, "fr")


def test_shipped_policies_are_complete():
    assert set(shipped_policies()) == {"common", "local", "nd335", "nd233", "nd90"}
    for name in shipped_policies():
        policy = load_policy(name)
        assert policy.version and policy.years[0] >= 2020 and policy.categories
        assert all(rule.citation.vi and rule.citation.en for rule in policy.rules.values())
    assert all(rule.not_law for rule in load_policy("local").rules.values())


@pytest.mark.parametrize("rule_id, vi, unverified", [
    ("band_good", "Điều 20 khoản 2 Nghị định 335/2025/NĐ-CP", False),
    ("forced_degradation", "Điều 20 khoản 4 điểm b Nghị định 335/2025/NĐ-CP", False),
    ("forced_corruption", "Điều 20 khoản 4 điểm d Nghị định 335/2025/NĐ-CP", False),
    ("quota", "Điều 20 khoản 5 điểm a Nghị định 335/2025/NĐ-CP", False),
    ("quota_exception", "Điều 20 khoản 5 điểm b Nghị định 335/2025/NĐ-CP", True),
    ("task_quality", "Điều 14 khoản 2 điểm b Nghị định 335/2025/NĐ-CP", False),
    ("task_points", "Điều 14, 15 Nghị định 335/2025/NĐ-CP", True),
])
def test_nd335_citations(rule_id, vi, unverified):
    rule = load_policy("nd335").rule(rule_id)
    assert (rule.citation.vi, rule.unverified) == (vi, unverified)


def minimal(**changes):
    data = {"name": "x", "version": "1", "years": {"from": 2026}, "categories": ["civil_servant"],
            "rules": {"r": {"citation": {"vi": "Điều 1", "en": "Art. 1"}, "not_law": False, "unverified": False}},
            "templates": {"t": {"vi": "{a}", "en": "{a}"}}}
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, error", [
    ({"rules": {"r": {"citation": {"vi": "Điều 1"}, "not_law": False, "unverified": False}}}, "citation"),
    ({"rules": {"r": {"citation": {"vi": "Điều 1", "en": "Art. 1"}, "not_law": "no", "unverified": False}}},
     "true or false"),
    ({"templates": {"t": {"vi": "{a}", "en": "{b}"}}}, "different fields"),
    ({"version": ""}, "version"),
    ({"categories": ["contractor"]}, "contractor"),
])
def test_policy_validation(changes, error):
    assert policy_from_dict(minimal()).rule("r").citation.en == "Art. 1"
    with pytest.raises(ValueError, match=error):
        policy_from_dict(minimal(**changes))
