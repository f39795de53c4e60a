"""Measures of verified products (DECISIONS.md 2): one task record serves every model.

Units: ``target``/``accepted`` in the task's unit of measure; × ``factor`` gives
converted (standard) products. Shares are Fractions in [0, 1].
"""
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction

from scoring.rating.types import ProductResult


def assigned(product: ProductResult) -> Fraction:
    """Converted products assigned: target × factor."""
    return product.target * product.factor


def completed(product: ProductResult) -> Fraction:
    """Converted products completed: min(accepted, target) × factor, 0 if undelivered."""
    return min(product.accepted, product.target) * product.factor if product.delivered else Fraction(0)


@lru_cache(maxsize=256)
def _kept(count: int, deduction: Fraction, floor: Fraction) -> Fraction:
    return max(floor, 1 - deduction * count)


def nd335_measures(products, quality_deduction: Fraction, delay_deduction: Fraction,
                   floor: Fraction = Fraction(0)) -> tuple:
    """(a, b, c) of Decree 335 Art. 14 cl. 2 with the defaults of RULES.md §4a.

    a = Σ completed / Σ assigned; b and c earn each product's completed share reduced
    by ``quality_deduction`` per counted failed review (b) or ``delay_deduction`` per
    counted delay (c), never below ``floor``, over the same assigned total.
    Raises ValueError when nothing is assigned (the shares would be 0/0).

    Exact and equal to the product-by-product sums: completed quantities are added up per
    count of failures (and of delays) and each group is reduced once; whole numbers are
    added as ints (the engine runs this for every product of a province).
    """
    total = done = 0
    by_failures: dict = {}
    by_delays: dict = {}
    for p in products:
        target, factor, accepted = p.target, p.factor, p.accepted
        if target.denominator == 1 and factor.denominator == 1 and accepted.denominator == 1:
            target, factor, accepted = target.numerator, factor.numerator, accepted.numerator
        total += target * factor
        if p.delivered:
            part = (accepted if accepted < target else target) * factor
            done += part
            by_failures[p.quality_failures] = by_failures.get(p.quality_failures, 0) + part
            by_delays[p.delays] = by_delays.get(p.delays, 0) + part
    if total == 0:
        raise ValueError("no assigned products in the period")
    total = Fraction(total)
    b = sum((_kept(k, quality_deduction, floor) * part for k, part in by_failures.items()), Fraction(0))
    c = sum((_kept(k, delay_deduction, floor) * part for k, part in by_delays.items()), Fraction(0))
    return Fraction(done) / total, b / total, c / total


def completion_rate(products, cap: Fraction = Fraction(1)) -> Fraction | None:
    """Vĩnh Phúc completion rate (RULES.md §5, PRACTICE): weighted mean over products of
    min(accepted / target, cap), weights ``weight`` or target × factor; None if empty."""
    products = tuple(products)
    weights = [p.weight if p.weight is not None else assigned(p) for p in products]
    total = sum(weights, Fraction(0))
    if not products or total == 0:
        return None
    rates = [min(p.accepted / p.target, cap) if p.delivered else Fraction(0) for p in products]
    return sum((w * r for w, r in zip(weights, rates)), Fraction(0)) / total


@dataclass(frozen=True)
class TaskStats:
    """nd90 shares over the tasks of a year (each task counts once, whatever its size).

    ``met``: completed (accepted ≥ target); ``on_time``: completed and delivered on
    time; ``shortfall``: not completed on time with quality; ``exceeded``: accepted >
    target; ``all_met``: every task completed.
    """

    tasks: int
    met: Fraction
    on_time: Fraction
    shortfall: Fraction
    exceeded: Fraction
    all_met: bool


def _merge(products) -> list:
    """One entry per task_id over the year: targets and acceptances add up; the task is
    delivered / on time only if every part is; failures add up."""
    by_task = defaultdict(list)
    for p in products:
        by_task[p.task_id].append(p)
    return [(sum((p.target for p in ps), Fraction(0)), sum((p.accepted for p in ps), Fraction(0)),
             all(p.delivered for p in ps), all(p.on_time for p in ps),
             sum(p.quality_failures for p in ps)) for ps in by_task.values()]


def nd90_stats(products) -> TaskStats:
    """TaskStats of ``products`` (ValueError when there are none)."""
    tasks = _merge(products)
    if not tasks:
        raise ValueError("no tasks assigned in the year")
    met = [delivered and accepted >= target for target, accepted, delivered, _, _ in tasks]
    good = [m and on_time and failures == 0 for m, (_, _, _, on_time, failures) in zip(met, tasks)]
    timely = [m and on_time for m, (_, _, _, on_time, _) in zip(met, tasks)]
    exceeded = [delivered and accepted > target for target, accepted, delivered, _, _ in tasks]
    n = len(tasks)
    return TaskStats(n, Fraction(sum(met), n), Fraction(sum(timely), n),
                     Fraction(n - sum(good), n), Fraction(sum(exceeded), n), all(met))
