"""The batch engine (numpy int64, DECISIONS.md 8) against the reference engine (Fractions).

Seeded random populations of nd335, nd233 and nd90 people (leaders two levels deep,
transfers, absences, discipline, the three test rules, both quota denominators, an
outstanding unit) must give, person by person, the very same PersonRating — levels,
exact scores, quota decisions, reasons and details, compared as their exact JSON — and the
batch path must not have fallen back to the reference to get there.
"""
import random
from datetime import date
from fractions import Fraction as F

import pytest

from scoring.rating import (Discipline, Level, PeriodInput, PersonInput, ProductResult, Settings, TestResult, explain,
                            rate_year, rating_to_json, reason_to_json)
from scoring.rating.batch import Population, PopulationBuilder, ReasonJSON, rate_batch

CRITERIA = {"I.1": F(5), "I.2": F(5), **{f"{g}.{i}": F(5, 2) for g in ("II", "III") for i in range(1, 5)}}
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def _general(rng, perfect=False):
    if perfect:
        return dict(CRITERIA)
    return {c: max(F(0), m - F(rng.choice((0, 0, 0, 1, 2, 4)), 4)) for c, m in CRITERIA.items()}


def _products(rng, prefix, exact=None, clean=False):
    if exact is not None:      # one whole product, fully done: task points 70 × share
        return (ProductResult(task_id=f"{prefix}.0", target=4, accepted=exact, delivered=True, on_time=True),)
    out = []
    for k in range(rng.randint(1, 4)):
        target = rng.choice((F(1), F(2), F(3), F(5), F(5, 2)))
        delivered = clean or rng.random() < 0.85
        accepted = rng.choice((target, target + 1) if clean else (target, target, target, target + 1, target / 2, F(0)))
        accepted = accepted if delivered else F(0)
        out.append(ProductResult(task_id=f"{prefix}.{k}", target=target, factor=rng.choice((1, 1, F(3, 2), 2)),
                                 accepted=accepted, delivered=delivered, on_time=clean or rng.random() < 0.8,
                                 quality_failures=0 if clean else rng.choice((0, 0, 0, 1, 2, 5)),
                                 delays=rng.choice((0, 0, 0, 1, 4)),
                                 unit_target=rng.random() < 0.2))
    return tuple(out)


def _period(rng, pid, q, leader, *, score=None, plain=False, clean=False):
    label = f"2026-{q}"
    if score is not None:      # an exact period score on a band edge: 30 general + 70 × share
        return PeriodInput(period=label, imported_score=score) if rng.random() < 0.5 else PeriodInput(
            period=label, general_points=dict(CRITERIA), products=_products(rng, f"{pid}{q}", exact=(score - 30) * 4 / 70),
            org_capacity=F(1) if leader else None, unity=F(1) if leader else None,
            unit_result=F(1) if leader else None)
    roll = 1 if plain else rng.random()     # nd90 people need tasks in some worked period
    if roll < 0.05:
        return PeriodInput(period=label, worked=False)
    if roll < 0.12:
        return PeriodInput(period=label, imported_score=min(F(100), F(rng.randint(40, 100)) + F(rng.randint(0, 3), 4)))
    kw = {}
    if leader:
        kw = dict(org_capacity=F(rng.randint(60, 100), 100), unity=F(rng.randint(60, 100), 100))
        if rng.random() < 0.3:
            kw["unit_result"] = rng.choice((F(1), F(1, 2), F(3, 4)))
    return PeriodInput(period=label, general_points=_general(rng, rng.random() < 0.4),
                       products=_products(rng, f"{pid}{q}", clean=clean), **kw)


def population(seed: int, size: int = 160, year: int = 2026) -> list:
    """Rating units of a leader, sub-leaders and staff; a mix of profiles and records."""
    rng = random.Random(seed)
    people = []
    units = [f"U{u}" for u in range(max(1, size // 20))]
    for u, unit in enumerate(units):
        head = f"{unit}.h"
        subheads = [f"{unit}.s{k}" for k in range(rng.randint(0, 2))]
        members = [head] + subheads + [f"{unit}.p{k}" for k in range(size // len(units) - 1 - len(subheads))]
        edge = rng.choice((None, F(90), F(70), F(50), F(95)))
        for pid in members:
            leader = pid == head or pid in subheads
            manager = None if pid == head else (head if leader or not subheads else rng.choice([head] + subheads))
            category = rng.choice(("civil_servant", "civil_servant", "cadre", "public_employee"))
            nd90 = year <= 2025 or (category == "public_employee" and u % 3 != 0)
            on_edge = edge is not None and rng.random() < 0.5 and not leader and not nd90
            clean = nd90 and rng.random() < 0.6      # nd90 levels above NOT_COMPLETED need clean years
            periods = tuple(_period(rng, pid, q, leader, score=edge if on_edge else None, plain=nd90 and q == "Q1",
                                    clean=clean) for q in QUARTERS)
            test = rng.choice((TestResult(), TestResult(status="passed", fraction=F(rng.randint(30, 60), 60)),
                               TestResult(status="failed", fraction=F(rng.randint(0, 29), 60)),
                               TestResult(status="missed"), TestResult(status="excused")))
            discipline = ()
            if rng.random() < 0.04:
                discipline = (Discipline(form=rng.choice(("reprimand", "warning")),
                                         decided_on=date(2026, rng.randint(1, 12), rng.randint(1, 28)),
                                         connected_with_duties=rng.random() < 0.7,
                                         for_degradation=rng.random() < 0.3),)
            months, leave = None, None
            if rng.random() < 0.12:
                months, leave = F(rng.randint(3, 11)), rng.choice(("maternity", "sick", "unpaid", "unpaid", None))
            people.append(PersonInput(
                person_id=pid, name=pid, category=category, rating_unit=unit,
                quota_group="lead" if leader else rng.choice(("g1", "g1", "g2")), is_leader=leader,
                manager_id=manager, periods=periods, test=test, discipline=discipline,
                degradation=rng.random() < 0.02, unit_corruption=leader and rng.random() < 0.25,
                corruption_self_reported=rng.random() < 0.5, months_worked=months, leave_reason=leave,
                unit_has_nd233_regulation=u % 3 == 0,
                unit_level=rng.choice((None, None, Level.GOOD, Level.COMPLETED)) if leader else None))
    return people


SETTINGS = [
    Settings(test_rule="none"),
    Settings(),                                                     # general criteria, W = 2.5
    Settings(test_rule="general_criteria", test_weight=10, quota_denominator="good_or_better"),
    Settings(test_rule="cap", quota_exception_units={"U0", "U2"}, quota_exception_rates={"U2": F(1, 5)}),
]


def _same(people, year, settings):
    reference = rate_year(people, year, settings)
    batch = rate_batch(Population.from_inputs(people), year, settings)
    assert batch.fallback is None
    assert batch.levels() == [r.level for r in reference]
    for i, expected in enumerate(reference):
        got = batch.rating(i)
        assert got.score == expected.score and got.level == expected.level
        assert rating_to_json(got) == rating_to_json(expected), expected.person_id
    return reference


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("settings", SETTINGS, ids=("none", "criterion", "group", "cap"))
def test_batch_equals_reference_on_random_populations(seed, settings):
    reference = _same(population(seed), 2026, settings)
    assert {r.profile for r in reference} == {"nd335", "nd233", "nd90"}


@pytest.mark.parametrize("seed", range(3))
def test_batch_equals_reference_in_a_decree_90_year(seed):
    reference = _same(population(100 + seed, year=2025), 2025, Settings(test_rule="cap"))
    assert {r.profile for r in reference} == {"nd90"}


def _edge_person(pid, score, unit="E", group="g"):
    """One quarter scored 30 general + 70 × (accepted / 4): an exact score."""
    share = (F(score) - 30) / 70
    product = ProductResult(task_id=f"{pid}.t", target=4, accepted=4 * share, delivered=True, on_time=True)
    period = PeriodInput(period="2026-Q1", general_points=dict(CRITERIA), products=(product,))
    return PersonInput(person_id=pid, name=pid, category="civil_servant", rating_unit=unit, quota_group=group,
                       periods=(period,))


@pytest.mark.parametrize("score,level", [(90, Level.EXCELLENT), (F(8999, 100), Level.GOOD), (70, Level.GOOD),
                                         (F(6999, 100), Level.COMPLETED), (50, Level.COMPLETED),
                                         (F(4999, 100), Level.NOT_COMPLETED)])
def test_band_edges_are_exact(score, level):
    # Decree 335/2025 Art. 20 cl. 1–3 and 4(a): bands on the unrounded score
    batch = rate_batch(Population.from_inputs([_edge_person("x", score)]), 2026, Settings(test_rule="none"))
    assert batch.fallback is None
    # (alone in the group, an EXCELLENT has no quota place: level_before_quota is the band)
    assert batch.rating(0).score == F(score) and batch.rating(0).level_before_quota == level


def test_tie_at_the_quota_cut_goes_to_the_council():
    # Decree 335/2025 Art. 20 cl. 5(a), DECISIONS.md 6: 12 at GOOD or better → cap 2;
    # 96 kept, two at 93 for the one place left → council; 91 moved to GOOD
    scores = [96, 93, 93, 91] + [80] * 8
    people = [_edge_person(f"p{k}", s) for k, s in enumerate(scores)]
    reference = _same(people, 2026, Settings(test_rule="none"))
    batch = rate_batch(Population.from_inputs(people), 2026, Settings(test_rule="none"))
    assert [batch.needs_council(i) for i in range(4)] == [False, True, True, False]
    assert [batch.quota_moved(i) for i in range(4)] == [False, False, False, True]
    assert batch.rating(1).reasons[-1].code == "quota_tie" and reference[1].reasons[-1].code == "quota_tie"


def test_builder_columns_give_the_same_result_as_inputs():
    people = population(7, 60)
    b = PopulationBuilder()
    for p in people:
        i = b.add_person(**{name: getattr(p, name) for name in PopulationBuilder.PERSON})
        for x in p.periods:
            r = b.add_period(i, x.period, worked=x.worked, general_points=dict(x.general_points),
                             org_capacity=x.org_capacity, unity=x.unity, unit_result=x.unit_result,
                             imported_score=x.imported_score)
            for y in x.products:
                b.add_product(r, task_id=y.task_id, target=(y.target.numerator, y.target.denominator),
                              factor=y.factor, accepted=y.accepted, delivered=y.delivered, on_time=y.on_time,
                              quality_failures=y.quality_failures, delays=y.delays, weight=y.weight,
                              unit_target=y.unit_target)
    settings = Settings()
    batch = rate_batch(b.build(), 2026, settings)
    assert batch.fallback is None
    assert [rating_to_json(batch.rating(i)) for i in range(len(people))] == \
        [rating_to_json(r) for r in rate_year(people, 2026, settings)]


def test_invalid_input_raises_as_the_reference_does():
    person = _edge_person("x", 80)
    bad = PersonInput(**{**{k: getattr(person, k) for k in PopulationBuilder.PERSON},
                         "periods": (PeriodInput(period="2025-Q1", general_points=dict(CRITERIA),
                                                 products=person.periods[0].products),)})
    with pytest.raises(ValueError, match="not a month or quarter of 2026"):
        rate_batch(Population.from_inputs([bad]), 2026, Settings(test_rule="none"))


def test_numbers_beyond_int64_fall_back_to_the_exact_reference():
    huge = F(2 ** 70 + 1, 2 ** 69)
    person = _edge_person("x", 80)
    period = PeriodInput(period="2026-Q1", general_points=dict(CRITERIA),
                         products=(ProductResult(task_id="t", target=huge, accepted=huge, delivered=True, on_time=True),))
    big = PersonInput(**{**{k: getattr(person, k) for k in PopulationBuilder.PERSON}, "periods": (period,)})
    batch = rate_batch(Population.from_inputs([big]), 2026, Settings(test_rule="none"))
    assert batch.fallback is not None and "int64" in batch.fallback
    assert batch.rating(0).score == 100


def _stored_reference(reason):
    # what classification.services stores for a reason: its exact JSON and both sentences
    return {**reason_to_json(reason), "vi": explain(reason, "vi"), "en": explain(reason, "en")}


@pytest.mark.parametrize("seed,settings", [(0, SETTINGS[0]), (1, SETTINGS[1]), (2, SETTINGS[2]), (3, SETTINGS[3])])
def test_stored_json_equals_the_reference_reasons_and_details(seed, settings):
    people = population(seed, 100)
    reference = rate_year(people, 2026, settings)
    batch = rate_batch(Population.from_inputs(people), 2026, settings)
    memo = ReasonJSON()
    for i, expected in enumerate(reference):
        rating, reasons = batch.stored(i, memo)
        assert reasons == [_stored_reference(r) for r in expected.reasons], expected.person_id
        assert rating_to_json(rating, exclude=("reasons",)) == rating_to_json(expected, exclude=("reasons",))
