"""Profile ``nd90`` (Decree 90/2020 as amended by Decree 48/2023): no point scale; the
yearly level comes from the year's task percentages (RULES.md §4).

Non-leaders (Art. 8–11; numbers partly UNVERIFIED): EXCELLENT = every task completed on
time with quality and ≥ 50% exceeded; GOOD = every task on time with quality; COMPLETED
= every task completed, ≤ 20% not on time or quality; NOT_COMPLETED = > 50% not on time
or quality. Leaders (Art. 2 cl. 2) need their own-task condition and the unit's
condition of the same level. Anything between is a gap: the council decides.
"""
from fractions import Fraction

from scoring.rating.draft import Context, Draft
from scoring.rating.products import TaskStats, completion_rate, nd90_stats
from scoring.rating.types import Level, at_least

TOP_DOWN = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED)
GAP = (Level.COMPLETED, Level.NOT_COMPLETED)


def own_ok(level: Level, own: TaskStats, p) -> bool:
    """The non-leader condition of ``level`` (p: the task_levels rule's params as Fractions)."""
    if level == Level.EXCELLENT:
        return own.shortfall == 0 and own.exceeded >= p["excellent_exceeded_min"]
    if level == Level.GOOD:
        return own.shortfall == 0
    return own.all_met and own.shortfall <= p["completed_shortfall_max"]


def unit_ok(level: Level, unit: TaskStats, managed: tuple, p) -> bool:
    """The leader's unit condition of ``level``; with no rated managed unit only the
    unit's targets are judged (platform default, reported)."""
    done = _share(managed, Level.COMPLETED)
    good = _share(managed, Level.GOOD)
    if level == Level.EXCELLENT:
        return (unit.met == 1 and unit.exceeded >= p["unit_excellent_exceeded_min"]
                and done >= p["managed_completed_min_good"] and good >= p["managed_good_min"])
    if level == Level.GOOD:
        return (unit.on_time >= p["unit_good_on_time_min"]
                and done >= p["managed_completed_min_good"] and good >= p["managed_good_min"])
    return unit.met > p["unit_completed_met_over"] and done >= p["managed_completed_min_completed"]


def _share(levels: tuple, floor: Level) -> Fraction:
    if not levels:
        return Fraction(1)
    return Fraction(sum(1 for lv in levels if at_least(lv, floor)), len(levels))


def _params(rule) -> dict:
    return {name: rule.frac(name) for name in rule.params}


def split_products(d: Draft) -> tuple:
    """(own tasks, unit targets) of the year's worked periods; a leader without separate
    unit targets is judged on the same tasks for both."""
    products = [p for period in d.person.periods if period.worked for p in period.products]
    own = [p for p in products if not p.unit_target] or products
    unit = [p for p in products if p.unit_target] or products
    return own, unit


def managed_levels(d: Draft, subs) -> tuple:
    """The levels of the directly managed units: the input when given, else the direct
    subordinates' individual levels (NOT_RATED left out)."""
    if d.person.managed_unit_levels is not None:
        return tuple(Level(lv) for lv in d.person.managed_unit_levels)
    return tuple(s.level_before_quota for s in subs if s.level_before_quota != Level.NOT_RATED)


def classify(own: TaskStats, unit: TaskStats | None, managed: tuple, staff_p, leader_p) -> Level | None:
    """The highest level whose conditions hold; NOT_COMPLETED below the floors; None
    for a gap the decree leaves open."""
    for level in TOP_DOWN:
        if own_ok(level, own, staff_p) and (unit is None or unit_ok(level, unit, managed, leader_p)):
            return level
    if own.shortfall > staff_p["not_completed_shortfall_over"]:
        return Level.NOT_COMPLETED
    if unit is not None and unit.met < leader_p["unit_not_completed_met_under"]:
        return Level.NOT_COMPLETED
    return None


def rate_nd90(d: Draft, ctx: Context, subs) -> None:
    """Set the level from the year's tasks.  With no task assigned in the year the decree's
    task criteria cannot be applied: the council decides (a gap, like the ones below)."""
    own_products, unit_products = split_products(d)
    if not own_products:
        d.add("level_gap", "nd90_no_tasks", options=GAP)
        d.ask_council(GAP, Level.COMPLETED)
        return
    own = nd90_stats(own_products)
    staff_p = _params(d.policy.rule("task_levels"))
    leader_p = _params(d.policy.rule("leader_levels"))
    unit = nd90_stats(unit_products) if d.person.is_leader else None
    managed = managed_levels(d, subs) if d.person.is_leader else ()
    level = classify(own, unit, managed, staff_p, leader_p)
    record(d, own, unit, managed)
    explain(d, own, unit, managed, classify(own, None, (), staff_p, leader_p), level)
    if level is None:
        d.ask_council(GAP, Level.COMPLETED)
    else:
        d.level = level


def record(d: Draft, own: TaskStats, unit, managed) -> None:
    """The year's shares, for the output."""
    d.measures.update(tasks=own.tasks, met=own.met, on_time=own.on_time, shortfall=own.shortfall,
                      exceeded=own.exceeded)
    rate = completion_rate(split_products(d)[0])
    if rate is not None:
        d.measures["completion_rate"] = rate
    if unit is not None:
        d.measures.update(unit_tasks=unit.tasks, unit_met=unit.met, unit_on_time=unit.on_time,
                          unit_exceeded=unit.exceeded, managed=len(managed))


def explain(d: Draft, own: TaskStats, unit, managed, own_level, level) -> None:
    """Reasons: the own-task shares and their level, the unit's (leaders), or the gap."""
    if own_level is not None:
        d.add("task_levels", "nd90_tasks", tasks=own.tasks, shortfall_pct=own.shortfall * 100,
              exceeded_pct=own.exceeded * 100, level=own_level)
    if unit is not None and not managed:
        d.add("no_managed_units", "nd90_no_managed")
    if unit is not None and level is not None:
        d.add("leader_levels", "nd90_unit", tasks=unit.tasks, met_pct=unit.met * 100,
              on_time_pct=unit.on_time * 100, exceeded_pct=unit.exceeded * 100, managed=len(managed),
              managed_completed_pct=_share(managed, Level.COMPLETED) * 100,
              managed_good_pct=_share(managed, Level.GOOD) * 100, level=level)
    if level is None:
        d.add("level_gap", "nd90_gap" if unit is None else "nd90_leader_gap", shortfall_pct=own.shortfall * 100,
              met_pct=(unit or own).met * 100, options=GAP)
