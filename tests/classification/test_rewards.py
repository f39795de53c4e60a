"""Rewards (RULES.md §7): tier 4 from the history and the approved rating, the other tiers
from recorded achievements, "Lao động tiên tiến" for GOOD or better, nothing in a year
with discipline; the list per unit and year as a page and as XLSX."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from accounts.models import AuditLog, DisciplineForm, DisciplineRecord, RatingHistory
from classification import workflow
from extensions import db
from scoring.rating import Level
from scoring.rewards import Award, rewards_for
from tests import factories as f

E, G, C = Level.EXCELLENT, Level.GOOD, Level.COMPLETED


@pytest.mark.parametrize("year, tier4", [(2023, ("2021–2023",)), (2024, None), (2025, None), (2026, ("2024–2026",))])
def test_years_three_to_six_of_an_excellent_streak(year, tier4):
    # EXCELLENT 2021–2026: awards in the 3rd and 6th years; the 4th and 5th start a new streak
    history = {y: E for y in range(2021, year + 1)}
    result = rewards_for(year, history)
    assert result.title
    assert result.awards == ((Award(4, 15_000_000, tier4),) if tier4 else ())


def test_tiers_add_up_and_tier_1_is_paid_per_solution():
    result = rewards_for(2026, {2026: G}, [("tier1", "Giải pháp A"), ("tier1", "Giải pháp B"), ("tier3", "QĐ 1/TTg"),
                                           ("provincial_fighter", "QĐ 9/UBND")])
    assert [(a.tier, a.amount) for a in result.awards] == [(1, 100_000_000), (3, 20_000_000), (4, 15_000_000)]
    assert result.total == 135_000_000 and result.title


def test_streak_and_provincial_fighter_are_one_tier_4_award():
    result = rewards_for(2026, {2024: E, 2025: E, 2026: E}, [("provincial_fighter", "QĐ 9/UBND")])
    assert result.awards == (Award(4, 15_000_000, ("2024–2026", "QĐ 9/UBND")),)


@pytest.mark.parametrize("level, title", [(E, True), (G, True), (C, False), (Level.NOT_COMPLETED, False)])
def test_labour_of_the_advanced_needs_good_or_better(level, title):
    assert rewards_for(2026, {2026: level}).title is title


def test_no_reward_in_a_year_with_discipline():
    result = rewards_for(2026, {2024: E, 2025: E, 2026: E}, [("tier2", "Huân chương")], disciplined=True)
    assert (result.title, result.awards, result.blocked, result.total) == (False, (), "discipline", 0)


def test_unknown_achievement_kind():
    with pytest.raises(ValueError, match="unknown"):
        rewards_for(2026, {2026: G}, [("tier9", "x")])


def test_reward_list_page_and_xlsx(app, unit):
    # 100, 90, 85, 80, 75, 72: N = 6, cap 1 → p0 EXCELLENT, the others GOOD
    staff = unit["make"]([100, 90, 85, 80, 75, 72])
    p0, p1, p2, p3 = staff[:4]
    db.session.add_all([RatingHistory(user_id=p0.id, year=2024, level="EXCELLENT"),
                        RatingHistory(user_id=p0.id, year=2025, level="EXCELLENT"),
                        *[RatingHistory(user_id=p1.id, year=y, level="EXCELLENT") for y in (2023, 2024, 2025)],
                        DisciplineRecord(user_id=p2.id, form=DisciplineForm.WARNING, decided_on=date(2026, 6, 1),
                                         connected_with_duties=False)])
    db.session.commit()
    hr = app.test_client()
    hr.post("/login", data={"username": "hr", "password": f.PASSWORD})
    assert hr.post(f"/rating/run/{unit['U'].id}/2026").status_code == 302
    page = f"/rating/rewards/{unit['U'].id}/2026"
    for person, kind, ref in ((p3, "tier1", "Sáng kiến số hóa hồ sơ"), (p3, "tier1", "Phần mềm một cửa"),
                              (p3, "tier3", "QĐ 15/QĐ-TTg"), (p2, "tier2", "Huân chương Lao động hạng Ba")):
        assert hr.post(page, data={"person": person.id, "kind": kind, "reference": ref}).status_code == 302
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "reward.achievement")).all()) == 4
    assert 'id="provisional"' in hr.get(page).get_data(as_text=True)

    workflow.propose(unit["U"], 2026, unit["hr"])
    workflow.close_council(unit["U"], 2026, unit["sec"])
    workflow.approve(unit["U"], 2026, unit["head"])
    db.session.commit()
    html = hr.get(page).get_data(as_text=True)
    assert 'id="provisional"' not in html and "2024–2026" in html

    # columns: no., name, unit, level, title, rewards, amount (VND), notes (headers follow the locale)
    sheet = openpyxl.load_workbook(io.BytesIO(hr.get(page + ".xlsx").data)).active
    got = {r[1]: r[3:8] for r in sheet.iter_rows(min_row=2, values_only=True)}
    yes = got["P5"][1]
    assert yes and got["P0"][0] == "Hoàn thành xuất sắc nhiệm vụ" and got["P0"][1] == yes
    assert "4" in got["P0"][2] and "2024–2026" in got["P0"][2] and got["P0"][3:] == (15_000_000, None)
    assert got["P1"][1:4] == (yes, None, 0)                                   # award already in 2025
    assert got["P2"][1:4] == (None, None, 0) and got["P2"][4]                 # a warning in 2026: nothing
    tiers = got["P3"][2].split("\n")
    assert got["P3"][1] == yes and got["P3"][3] == 120_000_000
    assert "Sáng kiến số hóa hồ sơ; Phần mềm một cửa" in tiers[0] and "QĐ 15/QĐ-TTg" in tiers[1]


def test_amounts_come_from_the_local_policy_file(monkeypatch):
    """RULES.md §7 amounts are data (policies/local.json ``reward_amounts``), not code."""
    import json

    from scoring import rewards
    from scoring.rating.policy import POLICY_DIR, load_policy, policy_from_dict

    rule = load_policy("local").rule("reward_amounts")
    assert rule.not_law and rule.citation.vi == "Nghị quyết 06/2021/NQ-HĐND tỉnh Vĩnh Phúc"
    assert rewards.tier_amounts() == {1: (50_000_000, "solution"), 2: (25_000_000, "person"),
                                      3: (20_000_000, "person"), 4: (15_000_000, "person"), 5: (10_000_000, "person")}
    # another province's file: tier 4 at 16 million, tier 1 per person
    data = json.loads((POLICY_DIR / "local.json").read_text(encoding="utf-8"))
    data["rules"]["reward_amounts"]["params"]["tiers"]["4"]["amount"] = "16000000"
    data["rules"]["reward_amounts"]["params"]["tiers"]["1"]["per"] = "person"
    other = policy_from_dict(data)
    monkeypatch.setattr(rewards, "load_policy", lambda name: other if name == "local" else load_policy(name))
    result = rewards_for(2026, {2024: E, 2025: E, 2026: E}, [("tier1", "A"), ("tier1", "B")])
    assert [(a.tier, a.amount) for a in result.awards] == [(1, 50_000_000), (4, 16_000_000)]
