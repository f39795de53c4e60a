"""The EXCELLENT quota, per rating unit × quota group (DECISIONS.md 6), applied to the
levels the individual rules left (RULES.md §4a).

Decree 335 Art. 20 cl. 5(a), Decree 233 Art. 12 cl. 6, Decree 90 Art. 2 cl. 6 with
QĐ 366-QĐ/TW Art. 11: EXCELLENT ≤ rate × the number rated GOOD (rate 20%, or the
exception rate for a unit with a recorded decision). N = people at GOOD or better.

- ``good_only`` (default): E ≤ r·(N − E) ⇔ E ≤ ⌊r·N / (1 + r)⌋ = ⌊N/6⌋ at 20%;
- ``good_or_better``: E ≤ ⌊r·N⌋.

Ranking is by exact yearly score; those beyond the cap move to GOOD. A tie exactly at
the cut is not broken (not by name, id, order or seniority): the tied people are marked
for the council. nd90 people have no score: when a group holds more EXCELLENT than the
cap (cap > 0) and any of them has no score, no ranking is possible and every EXCELLENT
person of the group goes to the council (options EXCELLENT or GOOD); with a cap of 0
all of them move to GOOD, no ranking needed.
"""
import math
from collections import defaultdict
from dataclasses import replace
from fractions import Fraction

from scoring.rating.draft import Context
from scoring.rating.types import Level, at_least

COUNCIL = (Level.EXCELLENT, Level.GOOD)


def quota_cap(n: int, rate: Fraction = Fraction(1, 5), denominator: str = "good_only") -> int:
    """Most people who may be EXCELLENT among ``n`` at GOOD or better (see module doc)."""
    if n < 0 or rate < 0:
        raise ValueError("n and rate must not be negative")
    if denominator == "good_only":
        return math.floor(rate * n / (1 + rate))
    if denominator == "good_or_better":
        return math.floor(rate * n)
    raise ValueError(f"unknown quota denominator {denominator!r}")


def rank_cut(scored: list, cap: int) -> dict:
    """{person_id: "kept" | "moved" | "tie"} for (person_id, score) pairs and a cap."""
    ordered = sorted(scored, key=lambda item: item[1], reverse=True)
    if cap == 0:
        return {pid: "moved" for pid, _ in ordered}
    cut = ordered[cap - 1][1]
    tied = len(ordered) > cap and ordered[cap][1] == cut
    if not tied:
        return {pid: "kept" if i < cap else "moved" for i, (pid, _) in enumerate(ordered)}
    return {pid: "kept" if s > cut else "tie" if s == cut else "moved" for pid, s in ordered}


def _reason(ctx: Context, rating, unit: str, rule_id: str, code: str, **params):
    """A quota reason citing the person's own policy; nd90 rates before the year the
    policy verified (QĐ 124-QĐ/TW years) are flagged unverified."""
    policy = ctx.policy_for(rating.profile, unit)
    rule = policy.rule(rule_id)
    since = rule.params.get("verified_from_year")
    unverified = rule.unverified or (since is not None and ctx.year < since)
    return policy.reason(rule_id, code, unverified=unverified, **params)


def _outcomes(excellent: list, cap: int) -> dict:
    """Over the cap: rank by score; with a cap of 0 no ranking is needed (all move)."""
    if cap == 0:          # no ranking, so nd90 people (no score) move too
        return {r.person_id: "moved" for r in excellent}
    if any(r.score is None for r in excellent):
        return {r.person_id: "unrankable" for r in excellent}
    return rank_cut([(r.person_id, r.score) for r in excellent], cap)


def _updated(rating, outcome: str, extra: tuple):
    if outcome == "moved":
        return replace(rating, level=Level.GOOD, quota_moved=True, reasons=rating.reasons + extra)
    if outcome in ("tie", "unrankable"):
        return replace(rating, needs_council=True, council_options=COUNCIL, reasons=rating.reasons + extra)
    return replace(rating, reasons=rating.reasons + extra)


def quota_group(ratings: list, unit: str, ctx: Context) -> list:
    """The group's ratings after the quota (all members at GOOD or better)."""
    exception = unit in ctx.settings.quota_exception_units
    rule_id = "quota_exception" if exception else "quota"
    rate = min(ctx.policy_for(r.profile, unit).rule(rule_id).frac("rate") for r in ratings)
    if exception and unit in ctx.settings.quota_exception_rates:
        rate = min(rate, ctx.settings.quota_exception_rates[unit])   # the decision's own ceiling
    n, cap = len(ratings), quota_cap(len(ratings), rate, ctx.settings.quota_denominator)
    excellent = [r for r in ratings if r.level == Level.EXCELLENT]
    outcomes = _outcomes(excellent, cap) if len(excellent) > cap else {r.person_id: "within" for r in excellent}
    result = []
    for rating in ratings:
        outcome = outcomes.get(rating.person_id)
        if outcome is None:
            result.append(rating)
            continue
        extra = (_reason(ctx, rating, unit, rule_id, "quota_exception", rate_pct=rate * 100),) if exception else ()
        extra += (_outcome_reason(ctx, rating, unit, rule_id, outcome, excellent, n, cap, rate),)
        result.append(_updated(rating, outcome, extra))
    return result


def _outcome_reason(ctx, rating, unit, rule_id, outcome, excellent, n, cap, rate):
    scores = [r.score for r in excellent]
    if outcome == "within":
        return _reason(ctx, rating, unit, rule_id, "quota_within", excellent=len(excellent), cap=cap, n=n,
                       rate_pct=rate * 100)
    if outcome == "unrankable":
        return _reason(ctx, rating, unit, rule_id, "quota_unrankable", not_law=True,
                       excellent=len(excellent), cap=cap)
    if cap == 0:
        return _reason(ctx, rating, unit, rule_id, "quota_no_place", n=n, rate_pct=rate * 100, level=Level.GOOD)
    rank = 1 + sum(1 for s in scores if s > rating.score)
    if outcome == "tie":
        places = cap - sum(1 for s in scores if s > rating.score)
        return _reason(ctx, rating, unit, rule_id, "quota_tie", not_law=True, score=rating.score,
                       tied=scores.count(rating.score), places=places)
    code, level = ("quota_kept", Level.EXCELLENT) if outcome == "kept" else ("quota_moved", Level.GOOD)
    return _reason(ctx, rating, unit, rule_id, code, rank=rank, cap=cap, n=n, level=level)


def apply_quota(people, ratings: dict, ctx: Context) -> dict:
    """{person_id: PersonRating} after the quota; people below GOOD are untouched."""
    groups = defaultdict(list)
    for person in people:
        if at_least(ratings[person.person_id].level, Level.GOOD):
            groups[(person.rating_unit, person.quota_group)].append(ratings[person.person_id])
    result = dict(ratings)
    for (unit, _), members in groups.items():
        result.update((r.person_id, r) for r in quota_group(members, unit, ctx))
    return result
