"""Point-scale profiles: ``nd335`` (Decree 335/2025, civil servants and, by default,
cadres) and ``nd233`` (Decree 233/2026, same scale; its differences are in
:mod:`scoring.rating.individual`).

Period score = general criteria (≤ 30, Art. 12) + task points (≤ 70, Art. 14–15):
non-leaders (a + b + c) / 3 × 70, leaders (a + b + c + d + đ + e) / 6 × 70 — an
UNVERIFIED formula, kept in the policy file. Yearly score = plain mean over the
periods actually worked (Art. 21); bands (Art. 20 cl. 1–3, 4(a)) on the unrounded score.
"""
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from scoring.rating.draft import Context, Draft
from scoring.rating.products import nd335_measures
from scoring.rating.types import Level, PersonRating

PERIOD = re.compile(r"(\d{4})-(Q[1-4]|0[1-9]|1[0-2])")
BANDS = ((Level.EXCELLENT, "band_excellent"), (Level.GOOD, "band_good"), (Level.COMPLETED, "band_completed"))


def band(score: Fraction, policy) -> tuple:
    """(level, rule id) of ``score`` (points, unrounded) by the policy's band minima."""
    for level, rule_id in BANDS:
        if score >= policy.rule(rule_id).frac("min"):
            return level, rule_id
    return Level.NOT_COMPLETED, "band_not_completed"


@dataclass(frozen=True)
class CompetencyPoints:
    """What the 'general criteria' test rule puts in every period: ``points`` under
    ``key`` (a criterion or a whole group), replacing the criteria ``replaces``."""

    key: str
    replaces: tuple
    points: Fraction


def competency_points(d: Draft, ctx: Context) -> CompetencyPoints | None:
    """The test rule "part of the general criteria" (local, not law; DECISIONS.md 5):
    W × test fraction, W = the criterion's max (replaces it) or the group's (replaces the
    group). None while there is no official result (or a make-up is pending)."""
    if ctx.settings.test_rule != "general_criteria":
        return None
    fraction = competency_fraction(d, ctx)
    if fraction is None:
        return None
    rule, weight = d.policy.rule("general_criteria"), ctx.settings.test_weight
    criterion, group = rule.params["test_criterion"], rule.params["test_group"]
    if weight == Fraction(rule.params["criteria"][criterion]):
        key, replaces = criterion, (criterion,)
    elif weight == Fraction(rule.params["groups"][group]):
        key, replaces = group, tuple(c for c in rule.params["criteria"] if c.split(".")[0] == group)
    else:
        raise ValueError(f"test_weight {weight} is neither criterion {criterion}'s nor group {group}'s maximum")
    d.add("test_general_criteria", "test_general_criteria", ctx.local,
          pct=fraction * 100, weight=weight, criterion=key, points=weight * fraction)
    return CompetencyPoints(key, replaces, weight * fraction)


NO_EFFECT = {"none": "test_no_result", "excused": "test_excused"}


def competency_fraction(d: Draft, ctx: Context) -> Fraction | None:
    """The test fraction to use (missed without a valid reason = 0, DECISIONS.md 5), or
    None with a reason when there is no official result or a make-up is pending."""
    test = d.person.test
    if test.status in NO_EFFECT:
        d.add(NO_EFFECT[test.status], NO_EFFECT[test.status], ctx.local)
        return None
    if test.status == "missed":
        d.add("test_missed", "test_missed", ctx.local)
        return Fraction(0)
    if test.fraction is None:
        raise ValueError(f"{d.person.person_id}: test {test.status} without a fraction")
    return test.fraction


def general_detail(d: Draft, period, override: CompetencyPoints | None) -> dict:
    """Final points per criterion code for ``period`` (ValueError on unknown or missing
    codes and points outside [0, max]); the test rule's entry replaces its criteria."""
    rule = d.policy.rule("general_criteria")
    maxima = rule.frac_map("criteria")
    given, replaced = period.general_points, override.replaces if override else ()
    unknown = set(given) - set(maxima)
    if unknown:
        raise ValueError(f"{d.person.person_id} {period.period}: unknown criteria {sorted(unknown)}")
    detail = {}
    for code, most in maxima.items():
        if code in replaced:
            detail.setdefault(override.key, override.points)   # in the form's order
            continue
        if code not in given or not _within(given[code], most):
            raise ValueError(f"{d.person.person_id} {period.period}: criterion {code} missing or outside [0, {most}]")
        detail[code] = given[code]
    return detail


def _within(value: Fraction, most: Fraction) -> bool:
    """0 ≤ value ≤ most, by integer cross-multiplication (denominators are positive)."""
    return 0 <= value.numerator and value.numerator * most.denominator <= most.numerator * value.denominator


def exact_sum(values) -> Fraction:
    """Σ values over their least common denominator: the same Fraction as ``sum``, with one
    division instead of one per term (10 criteria per period, 4 periods per person)."""
    values = tuple(values)
    if not values:
        return Fraction(0)
    common = math.lcm(*(v.denominator for v in values))
    return Fraction(sum(v.numerator * (common // v.denominator) for v in values), common)


def unit_result(d: Draft, period, subs) -> Fraction:
    """Leader's d: ``period.unit_result`` if given, else 1 when every rated subordinate is
    COMPLETED or better in that period, 1/2 when any is NOT_COMPLETED (RULES.md §4a)."""
    if period.unit_result is not None:
        return period.unit_result
    rule = d.policy.rule("leader_components")
    levels = [lv for lv in (sub_level(s, period.period) for s in subs) if lv not in (None, Level.NOT_RATED)]
    if not levels:
        raise ValueError(f"leader {d.person.person_id} {period.period}: no unit_result and no rated subordinate")
    failed = sum(1 for lv in levels if lv == Level.NOT_COMPLETED)
    value = rule.frac("unit_any_not_completed" if failed else "unit_all_completed")
    d.add("leader_components", "unit_result_derived", period=period.period, d_pct=value * 100,
          failed=failed, total=len(levels))
    return value


def sub_level(sub: PersonRating, label: str) -> Level | None:
    """A subordinate's level for period ``label``: the band of its period score; an nd90
    subordinate has no period scores, so its individual yearly level stands in."""
    if sub.profile == "nd90":
        return sub.level_before_quota
    return sub.period_levels.get(label)


def components(d: Draft, period, subs) -> dict:
    """Shares a, b, c (and d, đ, e for leaders) of one period, with deduction reasons."""
    quality, timeliness = d.policy.rule("task_quality"), d.policy.rule("task_timeliness")
    a, b, c = nd335_measures(period.products, quality.frac("deduction"), timeliness.frac("deduction"),
                             quality.frac("floor"))
    explain_products(d, period, quality.frac("deduction"), timeliness.frac("deduction"))
    shares = {"a": a, "b": b, "c": c}
    if d.person.is_leader:
        if period.org_capacity is None or period.unity is None:
            raise ValueError(f"leader {d.person.person_id} {period.period}: org_capacity and unity are required")
        shares.update({"d": unit_result(d, period, subs), "đ": period.org_capacity, "e": period.unity})
    return shares


def explain_products(d: Draft, period, quality_cut: Fraction, delay_cut: Fraction) -> None:
    for p in period.products:
        if not p.delivered:
            d.add("task_quantity", "undelivered", period=period.period, task_id=p.task_id)
            continue
        if p.quality_failures:
            d.add("task_quality", "quality_deduction", period=period.period, task_id=p.task_id,
                  count=p.quality_failures, deduction_pct=min(quality_cut * p.quality_failures, 1) * 100)
        if p.delays:
            d.add("task_timeliness", "delay_deduction", period=period.period, task_id=p.task_id,
                  count=p.delays, deduction_pct=min(delay_cut * p.delays, 1) * 100)


def task_points(d: Draft, shares: dict) -> Fraction:
    """points × mean of the components the policy lists (staff or leaders)."""
    rule = d.policy.rule("task_points")
    letters = rule.params["leader_components" if d.person.is_leader else "staff_components"]
    return rule.frac("points") * sum(shares[x] for x in letters) / len(letters)


def score_period(d: Draft, period, override, subs) -> None:
    """Record one worked period's general points, components, task points, score, band."""
    label = period.period
    if period.imported_score is not None:
        if not 0 <= period.imported_score <= 100:
            raise ValueError(f"{d.person.person_id} {label}: imported score outside [0, 100]")
        score = period.imported_score
        d.add("yearly_mean", "period_imported", period=label, score=score)
    else:
        detail = general_detail(d, period, override)
        shares = components(d, period, subs)
        general, task = exact_sum(detail.values()), task_points(d, shares)
        if general > d.policy.rule("general_criteria").frac("max_total"):
            raise ValueError(f"{d.person.person_id} {label}: general criteria above the maximum")
        d.general_detail[label], d.general_points[label] = detail, general
        d.components[label], d.task_points[label] = shares, task
        score = general + task
        d.add("period_score", "period_score", period=label, general=general, task=task, score=score)
    d.period_scores[label] = score
    d.period_levels[label] = band(score, d.policy)[0]


def check_periods(d: Draft, year: int) -> None:
    labels = [p.period for p in d.person.periods]
    for label in labels:
        match = PERIOD.fullmatch(label)
        if not match or int(match.group(1)) != year:
            raise ValueError(f"{d.person.person_id}: period {label!r} is not a month or quarter of {year}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{d.person.person_id}: a period is listed twice")


def rate_points(d: Draft, ctx: Context, subs) -> None:
    """Score every worked period, then the yearly mean and its band; NOT_RATED when no
    period was worked (there is nothing to average)."""
    check_periods(d, ctx.year)
    worked = [p for p in d.person.periods if p.worked]
    if not worked:
        d.force(Level.NOT_RATED)
        d.add("no_period_worked", "no_period_worked", level=Level.NOT_RATED)
        return
    override = competency_points(d, ctx)
    for period in worked:
        score_period(d, period, override, subs)
    d.score = exact_sum(d.period_scores.values()) / len(worked)
    d.add("yearly_mean", "yearly_mean", count=len(worked), score=d.score)
    level, rule_id = band(d.score, d.policy)
    d.level = level
    d.add(rule_id, "yearly_score", score=d.score, level=level)
