"""Individual rules applied after banding and before the quota (RULES.md §4a).

A rule applies when the person's policy has it, so the profiles differ by data:
``not_rated_short`` (nd90 Art. 2 cl. 3; nd233 Art. 14 cl. 1–2), ``forced_discipline``
(nd335 Art. 20 cl. 4(c); nd233 Art. 14 cl. 3; nd90 Art. 2 cl. 5), ``forced_degradation``
(nd335 cl. 4(b)), ``forced_corruption`` (nd335 cl. 4(d); nd233 Art. 12 cl. 4, with its
self-report exception), ``absence_cap`` (nd90), ``head_cap`` (nd233 Art. 12 cl. 7), and
the local test cap (not law).
"""
from fractions import Fraction

from scoring.rating.draft import Context, Draft
from scoring.rating.types import Level

ALL_LEVELS = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)


def months_worked(d: Draft) -> Fraction:
    return Fraction(12) if d.person.months_worked is None else d.person.months_worked


def not_rated(d: Draft) -> bool:
    """Worked fewer than ``min_months`` → NOT_RATED unless the leave reason is one of
    the exceptions (rated on the time actually worked). True when NOT_RATED."""
    if not d.policy.has("not_rated_short"):
        return False
    rule, months = d.policy.rule("not_rated_short"), months_worked(d)
    if months >= rule.frac("min_months"):
        return False
    if d.person.leave_reason in rule.params["exceptions"]:
        d.add("rated_on_worked_time", "rated_on_worked_time", leave_reason=d.person.leave_reason, months=months)
        return False
    d.force(Level.NOT_RATED)
    d.add("not_rated_short", "not_rated_short", months=months, min_months=rule.frac("min_months"),
          level=Level.NOT_RATED)
    return True


def counted_discipline(d: Draft, ctx: Context) -> list:
    """Discipline decisions of the rating year that the profile counts."""
    rule = d.policy.rule("forced_discipline")
    connected_only, degradation = rule.params["connected_only"], rule.params["for_degradation_counts"]
    return sorted((x for x in d.person.discipline if ctx.in_rating_year(x.decided_on)
                   and (not connected_only or x.connected_with_duties or (degradation and x.for_degradation))),
                  key=lambda x: x.decided_on)


def force_not_completed(d: Draft, ctx: Context) -> None:
    """Forced NOT_COMPLETED whatever the score (or the nd233 case-by-case council)."""
    person, done = d.person, Level.NOT_COMPLETED
    if person.is_leader and person.unit_corruption and d.policy.has("forced_corruption"):
        rule = d.policy.rule("forced_corruption")
        if rule.params["self_report_exception"] and person.corruption_self_reported:
            d.ask_council(ALL_LEVELS, d.level)
            d.add("corruption_case_by_case", "corruption_case_by_case")
        else:
            d.force(done)
            d.add("forced_corruption", "forced_corruption", level=done)
    if person.degradation and d.policy.has("forced_degradation"):
        d.force(done)
        d.add("forced_degradation", "forced_degradation", level=done)
    if d.policy.has("forced_discipline"):
        for record in counted_discipline(d, ctx):
            d.force(done)
            d.add("forced_discipline", "forced_discipline", form=record.form, decided_on=record.decided_on,
                  level=done)


def absence_cap(d: Draft) -> None:
    """nd90: on leave ``min_absent`` to under ``max_absent`` months → at most COMPLETED.
    Absence = 12 − months worked, counted only when a leave reason is recorded."""
    if not d.policy.has("absence_cap") or d.person.leave_reason is None:
        return
    rule = d.policy.rule("absence_cap")
    if d.person.leave_reason in rule.params["exceptions"]:
        return
    absent, cap = 12 - months_worked(d), Level(rule.params["cap"])
    if rule.frac("min_absent") <= absent < rule.frac("max_absent") and d.cap(cap):
        d.add("absence_cap", "absence_cap", absent=absent, min_absent=rule.frac("min_absent"),
              max_absent=rule.frac("max_absent"), level=cap)


def head_cap(d: Draft) -> None:
    """nd233: a head's level is not above the level of the unit they lead."""
    unit_level = d.person.unit_level
    if d.policy.has("head_cap") and d.person.is_leader and unit_level not in (None, Level.NOT_RATED):
        if d.cap(Level(unit_level)):
            d.add("head_cap", "head_cap", unit_level=Level(unit_level), level=Level(unit_level))


def competency_cap(d: Draft, ctx: Context) -> None:
    """Local rule "cap": a failed test (or one missed without a valid reason) caps the
    level at COMPLETED; excused or no result: no effect, flagged."""
    if ctx.settings.test_rule == "general_criteria" and d.profile == "nd90":
        d.add("test_rule_not_applicable", "test_rule_not_applicable", ctx.local)
    if ctx.settings.test_rule != "cap":
        return
    status, local = d.person.test.status, ctx.local
    if status in ("none", "excused"):
        code = "test_no_result" if status == "none" else "test_excused"
        d.add(code, code, local)
        return
    if status == "missed":
        d.add("test_missed", "test_missed", local)
    cap = Level(local.rule("test_cap").params["cap"])
    if status in ("failed", "missed") and d.cap(cap):
        d.add("test_cap", "test_cap", local, level=cap)


def apply_individual_rules(d: Draft, ctx: Context) -> None:
    """Forced NOT_COMPLETED, then the caps (absence, head, test), on a rated draft."""
    force_not_completed(d, ctx)
    absence_cap(d)
    head_cap(d)
    competency_cap(d, ctx)
