"""The correctness table of issue 5: cases worked by hand from the decrees' wording, each
naming the article it tests, run through ``scoring.rating.rate_year``.

Every case gives its inputs, the hand-worked yearly score, the level the individual rules
give (before the quota) and the final level, and the citation that must appear in the
person's reasons.  Scores are exact: task points = 70 × (a + b + c) / 3 with a = b = c =
accepted / target for a product done on time without failed reviews (RULES.md §3, §4a).

The last table follows an EXCELLENT streak year by year through ``rate_year`` and
``scoring.rewards.reward_tier4`` (RULES.md §7; a year counts toward one award only).
"""
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction as F

import pytest

from scoring.rating import Discipline, Level, PeriodInput, PersonInput, ProductResult, Settings, TestResult, rate_year
from scoring.rewards import reward_tier4

E, G, C, N, NR = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, Level.NOT_RATED
NO_TEST = Settings(test_rule="none")
MAXIMA = {"I.1": F(5), "I.2": F(5), **{f"{g}.{i}": F(5, 2) for g in ("II", "III") for i in range(1, 5)}}

ND335 = "Nghị định 335/2025/NĐ-CP"
ND90 = "Nghị định 90/2020/NĐ-CP"


def general(total=30) -> dict:
    """The official form's criteria at full marks, less 30 − ``total`` taken from the last ones."""
    points, cut = dict(MAXIMA), 30 - F(total)
    for code in reversed(MAXIMA):
        take = min(cut, points[code])
        points[code], cut = points[code] - take, cut - take
    return points


_ids = iter(range(1, 1_000_000))


def product(target=1, accepted=None, *, factor=1, delivered=True, on_time=True, failures=0, delays=0):
    return ProductResult(task_id=f"t{next(_ids)}", target=F(target), factor=F(factor), delivered=delivered,
                         accepted=F(target if accepted is None else accepted), on_time=on_time,
                         quality_failures=failures, delays=delays)


def period(label="2026-Q1", total=30, products=None, **kw) -> PeriodInput:
    return PeriodInput(period=label, general_points=general(total), products=products or (product(),), **kw)


def person(pid, *periods, **kw) -> PersonInput:
    kw.setdefault("category", "civil_servant")
    kw.setdefault("rating_unit", "u")
    kw.setdefault("quota_group", "g")
    return PersonInput(person_id=pid, name=pid, periods=periods or (period(),), **kw)


def imported(pid, *scores, year=2026, **kw) -> PersonInput:
    """A person whose periods Q1, Q2 … were scored elsewhere (Art. 21 transfers) at ``scores``."""
    periods = [PeriodInput(period=f"{year}-Q{i}", imported_score=F(s)) for i, s in enumerate(scores, start=1)]
    return person(pid, *periods, **kw)


def nd90(pid, ok=0, exceeded=0, late=0, **kw) -> PersonInput:
    """A 2025 (Decree 90) person with ``ok`` tasks done on time, ``exceeded`` done twice over,
    ``late`` done late."""
    products = [product()] * 0 + [product() for _ in range(ok)] + [product(1, 2) for _ in range(exceeded)]
    products += [product(on_time=False) for _ in range(late)]
    return person(pid, PeriodInput(period="2025-Q1", products=products), **kw)


@dataclass
class Case:
    name: str
    article: str              # the article the case tests, as the reasons cite it
    people: list
    expect: dict              # pid → (score or None, level before the quota, final level)
    settings: Settings = NO_TEST
    year: int = 2026
    council: tuple = ()       # pids marked for the council
    cite: str | None = None   # a citation that must appear in the first person's reasons (default: article)
    extra: dict = field(default_factory=dict)


def rank(n, top=F(95), step=F(1, 4), **kw):
    """``n`` people with distinct scores top, top − step, …; their pids p00, p01 … in that order."""
    return [imported(f"p{i:02d}", top - step * i, **kw) for i in range(n)]


def kept(n, cap):
    """Expectation for ``rank(n)`` when the top ``cap`` keep EXCELLENT (all banded EXCELLENT)."""
    return {f"p{i:02d}": (None, E, E if i < cap else G) for i in range(n)}


CASES = [
    # ── Bands, Decree 335 Art. 20 cl. 1–3 and 4(a), on the unrounded yearly score ───────────
    Case("band 100", f"Điều 20 khoản 1 {ND335}", [person("x")], {"x": (F(100), E, G)}),   # alone: cap ⌊1/6⌋ = 0
    Case("band 90 = 20 + 70", f"Điều 20 khoản 1 {ND335}", [person("x", period(total=20))], {"x": (F(90), E, G)}),
    Case("band 89.99 = 19.99 + 70", f"Điều 20 khoản 2 {ND335}", [person("x", period(total=F("19.99")))],
         {"x": (F("89.99"), G, G)}),
    Case("band 70 = 0 + 70", f"Điều 20 khoản 2 {ND335}", [person("x", period(total=0))], {"x": (F(70), G, G)}),
    Case("band 69.99 = 0 + 70·6999/7000", f"Điều 20 khoản 3 {ND335}",
         [person("x", period(total=0, products=(product(7000, 6999),)))], {"x": (F("69.99"), C, C)}),
    Case("band 50 = 0 + 70·5/7", f"Điều 20 khoản 3 {ND335}",
         [person("x", period(total=0, products=(product(7, 5),)))], {"x": (F(50), C, C)}),
    Case("band 49.99 = 0 + 70·4999/7000", f"Điều 20 khoản 4 điểm a {ND335}",
         [person("x", period(total=0, products=(product(7000, 4999),)))], {"x": (F("49.99"), N, N)}),
    Case("21 + 49 is exactly 70", f"Điều 20 khoản 2 {ND335}",
         [person("x", period(total=21, products=(product(10, 7),)))], {"x": (F(70), G, G)}),
    Case("mean 69.995 shows 70,00 but is COMPLETED", f"Điều 20 khoản 3 {ND335}",
         [imported("x", 60, F("79.99"))], {"x": (F("69.995"), C, C)}),

    # ── Task measures, Art. 14 cl. 2(a)–(c): converted products, 25% deductions ────────────
    # one failed review: b = 3/4 → 70·(1 + 3/4 + 1)/3 = 385/6; + 30 = 565/6 ≈ 94.17
    Case("one failed quality review", f"Điều 14 khoản 2 điểm b {ND335}",
         [person("x", period(products=(product(failures=1),)))], {"x": (F(565, 6), E, G)}),
    # two delays: c = 1/2 → 70·(5/2)/3 = 175/3; + 30 = 265/3 ≈ 88.33
    Case("two delays", f"Điều 14 khoản 2 điểm c {ND335}",
         [person("x", period(products=(product(delays=2),)))], {"x": (F(265, 3), G, G)}),
    # five failed reviews: b = max(0, 1 − 5/4) = 0 → 70·2/3 = 140/3; + 30 = 230/3 ≈ 76.67
    Case("deductions floor at zero", f"Điều 14 khoản 2 điểm b {ND335}",
         [person("x", period(products=(product(failures=5),)))], {"x": (F(230, 3), G, G)}),
    Case("undelivered product scores 0 on a, b, c", f"Điều 14 khoản 2 {ND335}",
         [person("x", period(products=(product(delivered=False, accepted=0),)))], {"x": (F(30), N, N)}),
    # target 2 × factor 2 done (4 converted), target 4 × factor 1/2 not (2): a = b = c = 4/6
    Case("converted products", f"Điều 14 khoản 2 {ND335}",
         [person("x", period(products=(product(2, factor=2), product(4, 0, factor=F(1, 2), delivered=False))))],
         {"x": (F(230, 3), G, G)}),
    Case("over-delivery counts up to the target", f"Điều 14 khoản 2 {ND335}",
         [person("x", period(products=(product(4, 6),)))], {"x": (F(100), E, G)}, cite=f"Điều 12, 14, 15 {ND335}"),

    # ── Forced NOT_COMPLETED, Art. 20 cl. 4(b)–(d), whatever the score ─────────────────────
    Case("reprimand connected with duties", f"Điều 20 khoản 4 điểm c {ND335}",
         [person("x", discipline=(Discipline(form="reprimand", decided_on=date(2026, 5, 4),
                                             connected_with_duties=True),))], {"x": (F(100), N, N)}),
    Case("warning not connected with duties is not counted", f"Điều 20 khoản 1 {ND335}",
         [person("x", discipline=(Discipline(form="warning", decided_on=date(2026, 5, 4),
                                             connected_with_duties=False),))], {"x": (F(100), E, G)}),
    Case("decision of 20/12/2025 counts in 2026 (after the 15 December rating date)", f"Điều 20 khoản 4 điểm c {ND335}",
         [person("x", discipline=(Discipline(form="reprimand", decided_on=date(2025, 12, 20),
                                             connected_with_duties=True),))], {"x": (F(100), N, N)}),
    Case("decision of 10/12/2025 counted in 2025, not 2026", f"Điều 20 khoản 1 {ND335}",
         [person("x", discipline=(Discipline(form="demotion", decided_on=date(2025, 12, 10),
                                             connected_with_duties=True),))], {"x": (F(100), E, G)}),
    Case("conclusion of degradation", f"Điều 20 khoản 4 điểm b {ND335}",
         [person("x", degradation=True)], {"x": (F(100), N, N)}),
    Case("leader whose unit was dealt with for corruption", f"Điều 20 khoản 4 điểm d {ND335}",
         [imported("x", 95, is_leader=True, unit_corruption=True)], {"x": (F(95), N, N)}),
    Case("cl. 4(d) concerns leaders only", f"Điều 20 khoản 1 {ND335}",
         [imported("x", 95, unit_corruption=True)], {"x": (F(95), E, G)}),

    # ── Quota, Art. 20 cl. 5(a): E ≤ 20% of the number rated GOOD; GOOD only: cap ⌊N/6⌋ ─────
    Case("quota: 0 qualifying", f"Điều 20 khoản 3 {ND335}", [imported(f"p{i}", 60) for i in range(3)],
         {f"p{i}": (F(60), C, C) for i in range(3)}),
    Case("quota: 1 qualifying → cap 0", f"Điều 20 khoản 5 điểm a {ND335}", rank(1), kept(1, 0)),
    Case("quota: 5 qualifying → cap 0", f"Điều 20 khoản 5 điểm a {ND335}", rank(5), kept(5, 0)),
    Case("quota: 6 qualifying → cap 1", f"Điều 20 khoản 5 điểm a {ND335}", rank(6), kept(6, 1)),
    Case("quota: 11 qualifying → cap 1", f"Điều 20 khoản 5 điểm a {ND335}", rank(11), kept(11, 1)),
    Case("quota: 12 qualifying → cap 2", f"Điều 20 khoản 5 điểm a {ND335}", rank(12), kept(12, 2)),
    Case("quota: GOOD people count in N (2 E + 10 G → cap 2)", f"Điều 20 khoản 5 điểm a {ND335}",
         rank(2) + [imported(f"g{i}", 80) for i in range(10)],
         {"p00": (None, E, E), "p01": (None, E, E), **{f"g{i}": (F(80), G, G) for i in range(10)}}),
    Case("denominator GOOD or better: 5 → ⌊1⌋ = 1", f"Điều 20 khoản 5 điểm a {ND335}", rank(5), kept(5, 1),
         settings=Settings(test_rule="none", quota_denominator="good_or_better")),
    Case("denominator GOOD or better: 11 → ⌊2.2⌋ = 2", f"Điều 20 khoản 5 điểm a {ND335}", rank(11), kept(11, 2),
         settings=Settings(test_rule="none", quota_denominator="good_or_better")),
    Case("denominator GOOD or better: 12 → ⌊2.4⌋ = 2", f"Điều 20 khoản 5 điểm a {ND335}", rank(12), kept(12, 2),
         settings=Settings(test_rule="none", quota_denominator="good_or_better")),
    # 25%: E ≤ (N − E)/4 ⇔ 5E ≤ N → ⌊10/5⌋ = 2
    Case("exception for an outstanding unit, 25%: 10 → 2", f"Điều 20 khoản 5 điểm b {ND335}", rank(10), kept(10, 2),
         settings=Settings(test_rule="none", quota_exception_units={"u"})),
    # a decision's own ceiling of 22%: E ≤ 0.22·10/1.22 ≈ 1.8 → 1
    Case("exception with a recorded ceiling of 22%: 10 → 1", f"Điều 20 khoản 5 điểm b {ND335}", rank(10),
         kept(10, 1), settings=Settings(test_rule="none", quota_exception_units={"u"},
                                        quota_exception_rates={"u": F(22, 100)})),
    Case("tie at the cut goes to the council", f"Điều 20 khoản 5 điểm a {ND335}",
         [imported("a", 95), imported("b", 95)] + [imported(f"g{i}", 80) for i in range(4)],
         {"a": (F(95), E, E), "b": (F(95), E, E), **{f"g{i}": (F(80), G, G) for i in range(4)}},
         council=("a", "b")),
    Case("quota groups are counted apart", f"Điều 20 khoản 5 điểm a {ND335}",
         rank(6, quota_group="ld") + [imported(f"q{i}", 95 - i) for i in range(5)],
         {**kept(6, 1), **{f"q{i}": (F(95 - i), E, G) for i in range(5)}}),

    # ── Leaders, Art. 15: d from the subordinates' period levels (RULES.md §4a) ─────────────
    # d = 1/2 (s2 not completed), đ = e = 1 → 70·5.5/6 = 385/6; + 30 = 565/6
    Case("leader with one failing subordinate", f"Điều 15 {ND335}",
         [person("lead", period(org_capacity=1, unity=1), is_leader=True, quota_group="ld"),
          person("s1", manager_id="lead"),
          person("s2", period(products=(product(delivered=False, accepted=0),)), manager_id="lead")],
         {"lead": (F(565, 6), E, G), "s1": (F(100), E, G), "s2": (F(30), N, N)}),
    Case("leader whose subordinates all complete", f"Điều 15 {ND335}",
         [person("lead", period(org_capacity=1, unity=1), is_leader=True, quota_group="ld"),
          person("s1", manager_id="lead")], {"lead": (F(100), E, G), "s1": (F(100), E, G)}),
    # d = 1, đ = 0.9, e = 0.8 → 70·5.7/6 = 66.5; + 30 = 96.5
    Case("leader's organising capacity and unity", f"Điều 15 {ND335}",
         [person("lead", period(org_capacity=F(9, 10), unity=F(8, 10), unit_result=1), is_leader=True)],
         {"lead": (F(193, 2), E, G)}, cite=f"Điều 12, 14, 15 {ND335}"),

    # ── Yearly score, Art. 21: mean over the periods actually worked; transfers ───────────
    Case("transfer: Q1 scored in the old agency (80), Q2–Q4 here (100)", f"Điều 21 {ND335}",
         [person("x", PeriodInput(period="2026-Q1", imported_score=F(80)), period("2026-Q2"), period("2026-Q3"),
                 period("2026-Q4"))], {"x": (F(95), E, G)}),
    Case("a period not worked is left out of the mean", f"Điều 21 {ND335}",
         [person("x", period("2026-Q1"), PeriodInput(period="2026-Q2", worked=False), period("2026-Q3", total=20))],
         {"x": (F(95), E, G)}),
    Case("no period worked: not rated", f"Điều 21 {ND335}",
         [person("x", PeriodInput(period="2026-Q1", worked=False))], {"x": (None, NR, NR)}),

    # ── Decree 90 (rating year 2025): who is rated, absence, maternity, discipline ─────────
    Case("nd90: 1 of 2 tasks exceeded → EXCELLENT", f"Điều 8–11 {ND90}", [nd90("x", ok=1, exceeded=1)],
         {"x": (None, E, G)}, year=2025, cite=f"Điều 8–11 {ND90}, sửa đổi bởi Nghị định 48/2023/NĐ-CP"),
    Case("nd90: worked 5 months → not rated", f"Điều 2 khoản 3 {ND90}", [nd90("x", ok=2, months_worked=5)],
         {"x": (None, NR, NR)}, year=2025),
    Case("nd90: 5 months and maternity leave → rated on the time worked", f"Điều 2 khoản 3 {ND90}",
         [nd90("x", ok=2, months_worked=5, leave_reason="maternity")], {"x": (None, G, G)}, year=2025),
    Case("nd90: absent 4 months (sick) → at most COMPLETED", f"Điều 2 khoản 3 {ND90}",
         [nd90("x", ok=1, exceeded=1, months_worked=8, leave_reason="sick")], {"x": (None, C, C)}, year=2025),
    Case("nd90: absent exactly 3 months → capped", f"Điều 2 khoản 3 {ND90}",
         [nd90("x", ok=2, months_worked=9, leave_reason="sick")], {"x": (None, C, C)}, year=2025),
    Case("nd90: absent 2 months → no cap", f"Điều 8–11 {ND90}",
         [nd90("x", ok=2, months_worked=10, leave_reason="sick")], {"x": (None, G, G)}, year=2025,
         cite=f"Điều 8–11 {ND90}, sửa đổi bởi Nghị định 48/2023/NĐ-CP"),
    Case("nd90: worked exactly 6 months (absent 6) → rated, no cap", f"Điều 8–11 {ND90}",
         [nd90("x", ok=2, months_worked=6, leave_reason="unpaid")], {"x": (None, G, G)}, year=2025,
         cite=f"Điều 8–11 {ND90}, sửa đổi bởi Nghị định 48/2023/NĐ-CP"),
    Case("nd90: any discipline in the year, even unconnected", f"Điều 2 khoản 5 {ND90}",
         [nd90("x", ok=2, discipline=(Discipline(form="reprimand", decided_on=date(2025, 3, 1),
                                                 connected_with_duties=False),))], {"x": (None, N, N)}, year=2025),
    Case("public employee 2026 without the unit's own regulation → Decree 90",
         "Điều 20 khoản 1 Nghị định 233/2026/NĐ-CP",
         [person("x", PeriodInput(period="2026-Q1", products=(product(), product())), category="public_employee")],
         {"x": (None, G, G)}),

    # ── Local competency-test rules (not law; DECISIONS.md 5) ────────────────────────────
    # II.1 = 2.5 × 1/2 = 1.25 in place of 2.5 → 28.75 + 70
    Case("test scores criterion II.1: 50% → 1.25 points", "Quy định địa phương", [person("x")],
         {"x": (F("98.75"), E, G)}, settings=Settings(test_rule="general_criteria", test_weight=F(5, 2)),
         extra={"test": TestResult(status="passed", fraction=F(1, 2))}),
    Case("failed test caps at COMPLETED", "Quy định địa phương", [person("x")], {"x": (F(100), C, C)},
         settings=Settings(test_rule="cap"), extra={"test": TestResult(status="failed", fraction=F(2, 5))}),
]


def _with_extra(case: Case) -> list:
    if not case.extra:
        return case.people
    from dataclasses import replace
    return [replace(p, **case.extra) for p in case.people]


def test_the_table_is_long_enough():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rating_table(case):
    results = {r.person_id: r for r in rate_year(_with_extra(case), case.year, case.settings)}
    for pid, (score, before, final) in case.expect.items():
        r = results[pid]
        if score is not None or before == NR:
            assert r.score == score, (pid, r.score)
        assert (r.level_before_quota, r.level) == (before, final), pid
        assert r.needs_council == (pid in case.council), pid
        assert r.quota_moved == (before == E and final == G and pid not in case.council), pid
    first = results[next(iter(case.expect))]
    cited = [x.citation.vi for x in first.reasons if x.citation]
    wanted = case.cite or case.article
    assert any(wanted in c for c in cited), (wanted, cited)


# ── Reward tier 4 from the final levels of successive years (RULES.md §7) ────────────────
def _final_levels(pid_score: dict, years) -> dict:
    """{year: final level of p00} when p00 scores ``pid_score[year]`` among five colleagues at 80
    (N = 6, cap 1: p00 keeps EXCELLENT when banded so)."""
    history = {}
    for year in years:
        people = [imported("p00", pid_score[year], year=year)] + [imported(f"g{i}", 80, year=year) for i in range(5)]
        history[year] = {r.person_id: r for r in rate_year(people, year, NO_TEST)}["p00"].level
    return history


@pytest.mark.parametrize("scores, awards", [
    # 4 EXCELLENT years 2026–2029: award in the 3rd (2028); the 4th starts a new streak
    ({2026: 95, 2027: 95, 2028: 95, 2029: 95}, [2028]),
    # 6 EXCELLENT years 2026–2031: awards in the 3rd and 6th years, none in the 4th and 5th
    ({y: 95 for y in range(2026, 2032)}, [2028, 2031]),
    # 5 EXCELLENT years broken by a GOOD year in 2028 (score 85): 2029–2031 make one award
    ({2026: 95, 2027: 95, 2028: 85, 2029: 95, 2030: 95, 2031: 95}, [2031]),
])
def test_tier4_streaks_from_rated_years(scores, awards):
    history = _final_levels(scores, sorted(scores))
    assert reward_tier4(history) == awards
