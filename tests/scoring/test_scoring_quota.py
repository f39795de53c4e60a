"""The EXCELLENT quota (RULES.md §3 and §4a, DECISIONS.md 6)."""
from fractions import Fraction as F

import pytest

from scoring.rating import Level, Settings, quota_cap, rate_year
from scoring.rating.quota import rank_cut

NO_TEST = Settings(test_rule="none")


def rate(people, settings=NO_TEST, year=2026):
    return {r.person_id: r for r in rate_year(people, year, settings)}


@pytest.mark.parametrize("n, cap", [(0, 0), (5, 0), (6, 1), (11, 1), (12, 2), (13, 2), (17, 2), (18, 3)])
def test_cap_good_only_is_floor_n_over_6(n, cap):
    # E ≤ 0.2 (N − E) ⇔ 6E ≤ N: ⌊N/6⌋
    assert quota_cap(n) == cap


@pytest.mark.parametrize("n", [5, 6, 11, 12, 13])
def test_cap_is_the_largest_e_with_e_at_most_a_fifth_of_the_good(n):
    e = quota_cap(n)
    assert e <= F(1, 5) * (n - e)                 # allowed
    assert not e + 1 <= F(1, 5) * (n - e - 1)     # one more would break the rule


def test_cap_other_settings():
    assert quota_cap(5, denominator="good_or_better") == 1     # ⌊0.2 × 5⌋
    assert quota_cap(12, denominator="good_or_better") == 2    # ⌊2.4⌋
    # exception rate 1/4, GOOD only: E ≤ (N − E)/4 ⇔ 5E ≤ N → ⌊N/5⌋
    assert [quota_cap(n, F(1, 4)) for n in (4, 5, 9, 10)] == [0, 1, 1, 2]
    with pytest.raises(ValueError):
        quota_cap(5, denominator="all")


@pytest.mark.parametrize("n", [5, 6, 11, 12, 13])
def test_rules_example_everyone_excellent(scored, n):
    # N people all banded EXCELLENT with distinct scores 90, 90.5, 91 …: the top ⌊N/6⌋ keep it
    people = [scored(f"p{i:02d}", 90 + F(i, 2)) for i in range(n)]
    r = rate(people)
    kept = sorted(pid for pid, x in r.items() if x.level == Level.EXCELLENT)
    assert kept == sorted(f"p{i:02d}" for i in range(n - n // 6, n))
    moved = [x for x in r.values() if x.quota_moved]
    assert len(moved) == n - n // 6 and all(x.level == Level.GOOD for x in moved)
    assert all(x.level_before_quota == Level.EXCELLENT for x in r.values())


def test_tie_at_the_cut_goes_to_the_council(scored):
    # N = 12 (4 EXCELLENT + 8 GOOD) → cap 2; scores 95, 93, 93, 91:
    # 95 keeps EXCELLENT; the two 93s tie for the one place left → council; 91 → GOOD
    people = [scored("a", 95), scored("b", 93), scored("c", 93), scored("d", 91)]
    people += [scored(f"g{i}", 80) for i in range(8)]
    r = rate(people)
    assert (r["a"].level, r["a"].needs_council) == (Level.EXCELLENT, False)
    for tied in ("b", "c"):
        assert r[tied].needs_council and r[tied].council_options == (Level.EXCELLENT, Level.GOOD)
        reason = r[tied].reasons[-1]
        assert (reason.code, reason.params["tied"], reason.params["places"]) == ("quota_tie", 2, 1)
        assert reason.not_law
    assert (r["d"].level, r["d"].quota_moved) == (Level.GOOD, True)
    assert not any(r[f"g{i}"].needs_council for i in range(8))


def test_rank_cut():
    assert rank_cut([("a", 3), ("b", 2), ("c", 1)], 2) == {"a": "kept", "b": "kept", "c": "moved"}
    assert rank_cut([("a", 3), ("b", 3), ("c", 3)], 1) == {"a": "tie", "b": "tie", "c": "tie"}
    assert rank_cut([("a", 3), ("b", 3)], 0) == {"a": "moved", "b": "moved"}


def test_groups_and_units_are_counted_separately(scored):
    # group g: 6 people → cap 1; group h: 5 people → cap 0; unit v: 6 people → cap 1
    people = [scored(f"g{i}", 91 + i) for i in range(6)]
    people += [scored(f"h{i}", 91 + i, quota_group="h") for i in range(5)]
    people += [scored(f"v{i}", 91 + i, rating_unit="v") for i in range(6)]
    r = rate(people)
    excellent = sorted(pid for pid, x in r.items() if x.level == Level.EXCELLENT)
    assert excellent == ["g5", "v5"]


def test_people_below_good_do_not_count(scored):
    # 5 at GOOD or better + 7 COMPLETED: N = 5 → cap 0
    people = [scored(f"e{i}", 95 + i) for i in range(2)] + [scored(f"g{i}", 80) for i in range(3)]
    people += [scored(f"c{i}", 60) for i in range(7)]
    assert not any(x.level == Level.EXCELLENT for x in rate(people).values())


def test_exception_unit_and_good_or_better(scored):
    # 5 EXCELLENT: cap 0 by default; 1 with the exception (⌊5/5⌋) or with "GOOD or better" (⌊1⌋)
    people = [scored(f"p{i}", 90 + i) for i in range(5)]
    exception = rate(people, Settings(test_rule="none", quota_exception_units={"u"}))
    assert [pid for pid, x in exception.items() if x.level == Level.EXCELLENT] == ["p4"]
    flagged = [x for x in exception["p4"].reasons if x.code == "quota_exception"][0]
    assert flagged.unverified            # nd335 cl. 5(b): the ceiling was not read
    wider = rate(people, Settings(test_rule="none", quota_denominator="good_or_better"))
    assert [pid for pid, x in wider.items() if x.level == Level.EXCELLENT] == ["p4"]


def nd90_person(person, period, product, pid, excellent):
    # one task: exceeded (accepted 2 of 1) → EXCELLENT; done exactly → GOOD
    task = product(1, 2 if excellent else 1)
    return person(pid, periods=[period("2025-Q1", products=[task])])


def test_nd90_people_without_scores_cannot_be_ranked(person, period, product):
    # 2025, 6 people → cap 1; two EXCELLENT and no scores → both to the council
    people = [nd90_person(person, period, product, f"p{i}", i < 2) for i in range(6)]
    r = rate(people, year=2025)
    for pid in ("p0", "p1"):
        assert r[pid].needs_council and r[pid].reasons[-1].code == "quota_unrankable"
        assert r[pid].level == Level.EXCELLENT   # provisional until the council decides
    # one EXCELLENT within the cap: kept, nothing to rank
    r = rate([nd90_person(person, period, product, f"p{i}", i < 1) for i in range(6)], year=2025)
    assert r["p0"].level == Level.EXCELLENT and not r["p0"].needs_council
