"""The rating engine for a whole population at once (DECISIONS.md 8).

``rate_batch(population, year, settings)`` gives exactly what ``rate_year`` gives for the
same people — the same levels, exact scores, quota decisions, reasons and details — but
computes the point-scale profiles (``nd335``, ``nd233``) on numpy int64 arrays: every
share, task point, period score and yearly mean is an integer numerator over an integer
denominator (reduced by their gcd), bands and quota ranks are decided by exact integer
comparison, and nothing is rounded. Every multiplication is checked against 2**62 (in
float64, per element); a value that would not fit, an input the vectorised path does not
cover, or an input the reference engine rejects makes the run fall back to ``rate_year``
(the reference, exact with Fractions), which then returns or raises exactly as before.

What stays per person, on purpose:
- ``nd90`` people (no point scale; their yearly level from per-task shares) are rated by
  the reference code (:func:`scoring.rating.engine.rate_person`) inside the batch run,
  in the same bottom-up order;
- the rare individual rules with a record behind them (discipline, degradation,
  corruption, the nd90 absence cap, the nd233 head cap) replay the reference functions
  on a :class:`Draft` for the few people concerned;
- reasons and the detail dicts are built only when :meth:`BatchResult.rating` is asked
  for a person, from the arrays, with the policies' own rules and citations.

The population is column data (:class:`Population`), built with :class:`PopulationBuilder`
or :meth:`Population.from_inputs`.
"""
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from scoring.rating.draft import Context, Draft
from scoring.rating.engine import bottom_up, choose_profile, no_cycle_collection, profile_rule, rate_person, rate_year
from scoring.rating.individual import apply_individual_rules
from scoring.rating.nd335 import NO_EFFECT, PERIOD
from scoring.rating.quota import COUNCIL, _reason as quota_reason, _updated as quota_updated, quota_cap
from scoring.rating.types import (Level, PeriodInput, PersonInput, PersonRating, ProductResult, Reason, Settings,
                                  StaffCategory, TestResult)

LIMIT = 2 ** 62
CODE = {Level.NOT_RATED: 0, Level.NOT_COMPLETED: 1, Level.COMPLETED: 2, Level.GOOD: 3, Level.EXCELLENT: 4}
LEVEL = (Level.NOT_RATED, Level.NOT_COMPLETED, Level.COMPLETED, Level.GOOD, Level.EXCELLENT)
BAND_RULE = {4: "band_excellent", 3: "band_good", 2: "band_completed", 1: "band_not_completed"}
LETTERS = ("a", "b", "c", "d", "đ", "e")
I64 = np.int64


class Fallback(Exception):
    """The vectorised path does not cover this input (or it would not fit in int64)."""


def frac(n, d) -> Fraction:
    """A Fraction from an already reduced numerator/denominator pair (no gcd again)."""
    return Fraction(int(n), int(d), _normalize=False) if _FAST else Fraction(int(n), int(d))


try:
    Fraction(1, 2, _normalize=False)
    _FAST = True
except TypeError:           # pragma: no cover - Python ≥ 3.12 has no _normalize
    _FAST = False


# ── exact int64 helpers ────────────────────────────────────────────────────────────────────
def _bound(a) -> int:
    """max |a| as a Python int (0 for an empty array)."""
    if not a.size:
        return 0
    return max(int(a.max()), -int(a.min()))


def _mul(a, b):
    """a × b in int64, refusing (Fallback) any product of magnitude ≥ 2**62: the maxima
    decide at once when they can; otherwise every element is checked in float64."""
    a, b = np.asarray(a, I64), np.asarray(b, I64)
    if _bound(a) * _bound(b) >= LIMIT and np.abs(a.astype(np.float64) * b.astype(np.float64)).max(initial=0) >= LIMIT:
        raise Fallback("int64 bound exceeded (product)")
    return a * b


def _add(a, b):
    a, b = np.asarray(a, I64), np.asarray(b, I64)
    if _bound(a) + _bound(b) >= LIMIT and (
            np.abs(a.astype(np.float64)) + np.abs(b.astype(np.float64))).max(initial=0) >= LIMIT:
        raise Fallback("int64 bound exceeded (sum)")
    return a + b


def _reduce(n, d):
    g = np.gcd(n, d)
    g[g == 0] = 1
    return n // g, d // g


def _fadd(n1, d1, n2, d2):
    """n1/d1 + n2/d2, reduced (denominators > 0)."""
    g = np.gcd(d1, d2)
    den = _mul(d1 // g, d2)
    return _reduce(_add(_mul(n1, den // d1), _mul(n2, den // d2)), den)


def _ge(n1, d1, n2, d2):
    """n1/d1 ≥ n2/d2 exactly (positive denominators)."""
    return _mul(n1, d2) >= _mul(n2, d1)


def _segsum(values, starts, ends):
    """Exact sums of ``values`` over the index ranges [starts, ends)."""
    values = np.asarray(values, I64)
    if _bound(values) * len(values) >= LIMIT and np.abs(values.astype(np.float64)).sum() >= LIMIT:
        raise Fallback("int64 bound exceeded (segment sum)")
    cs = np.concatenate(([0], np.cumsum(values, dtype=I64)))
    return cs[ends] - cs[starts]


def _pair(value):
    """(numerator, denominator) of an exact number; (0, 0) for None."""
    if value is None:
        return 0, 0
    if type(value) is tuple:
        return value
    if type(value) is int:
        return value, 1
    if type(value) is not Fraction:
        from scoring.numbers import to_fraction
        value = to_fraction(value)
    return value.numerator, value.denominator


# ── the population as columns ──────────────────────────────────────────────────────────────
class PopulationBuilder:
    """Collects people, periods and products as plain columns (no object per product).

    Exact numbers may be given as Fraction, int, or a reduced (numerator, denominator)
    tuple; None where the input type allows it.
    """

    PERSON = ("person_id", "name", "category", "rating_unit", "quota_group", "is_leader", "manager_id", "test",
              "discipline", "degradation", "unit_corruption", "corruption_self_reported", "months_worked",
              "leave_reason", "unit_has_nd233_regulation", "managed_unit_levels", "unit_level")

    def __init__(self):
        self.people = {name: [] for name in self.PERSON}
        self.rows = {"person": [], "period": [], "worked": [], "general": [], "org": [], "unity": [],
                     "unit_result": [], "imported": []}
        self.general = {}            # encoded points → key (rows share identical points)
        self.products = {"row": [], "task_id": [], "target": [], "factor": [], "accepted": [], "delivered": [],
                         "on_time": [], "quality_failures": [], "delays": [], "weight": [], "unit_target": []}

    def add_person(self, *, person_id, name, category, rating_unit, quota_group, is_leader=False, manager_id=None,
                   test=TestResult(), discipline=(), degradation=False, unit_corruption=False,
                   corruption_self_reported=False, months_worked=None, leave_reason=None,
                   unit_has_nd233_regulation=False, managed_unit_levels=None, unit_level=None) -> int:
        values = locals()
        for name in self.PERSON:
            self.people[name].append(values[name])
        return len(self.people["person_id"]) - 1

    def add_period(self, person: int, period: str, *, worked=True, general_points=None, org_capacity=None,
                   unity=None, unit_result=None, imported_score=None) -> int:
        rows = self.rows
        rows["person"].append(person)
        rows["period"].append(period)
        rows["worked"].append(worked)
        encoded = general_points if type(general_points) is tuple else encode_general(general_points or {})
        key = self.general.get(encoded)
        if key is None:
            key = self.general[encoded] = len(self.general)
        rows["general"].append(key)
        rows["org"].append(_pair(org_capacity))
        rows["unity"].append(_pair(unity))
        rows["unit_result"].append(_pair(unit_result))
        rows["imported"].append(_pair(imported_score))
        return len(rows["person"]) - 1

    def add_product(self, row: int, *, task_id, target, delivered, on_time, factor=1, accepted=0,
                    quality_failures=0, delays=0, weight=None, unit_target=False) -> None:
        p = self.products
        p["row"].append(row)
        p["task_id"].append(task_id)
        p["target"].append(_pair(target))
        p["factor"].append(_pair(factor))
        p["accepted"].append(_pair(accepted))
        p["delivered"].append(delivered)
        p["on_time"].append(on_time)
        p["quality_failures"].append(quality_failures)
        p["delays"].append(delays)
        p["weight"].append(_pair(weight))
        p["unit_target"].append(unit_target)

    def build(self) -> "Population":
        return Population.from_columns(self.people, self.rows, self.products, list(self.general))


def encode_general(points: dict) -> tuple:
    """General points {code: exact number} as ((code, numerator, denominator), …)."""
    return tuple((code, *_norm(*_pair(value))) for code, value in points.items())


def _pairs(values) -> tuple:
    """Columns (num, den) of a list of pairs; None when a number does not fit in int64."""
    if not values:
        return np.zeros(0, I64), np.zeros(0, I64)
    try:
        arr = np.array(values, dtype=I64).reshape(-1, 2)
    except OverflowError:
        return None
    return arr[:, 0].copy(), arr[:, 1].copy()


@dataclass
class Population:
    """People (lists, index i), periods (rows, grouped by person in input order) and
    products (grouped by row in input order). Rationals are (num, den) int64 columns, den
    0 meaning None. ``inputs``: the PersonInputs it was built from, if any."""

    people: dict
    row_person: np.ndarray
    row_period: list
    row_worked: np.ndarray
    gen_key: np.ndarray           # row → index in gen_table
    gen_table: list               # encoded general points ((code, num, den), …)
    row_rat: dict                 # name → (num, den) for org, unity, unit_result, imported
    prod_row: np.ndarray
    prod: dict                    # columns; rationals as (num, den)
    inputs: list | None = None
    big: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def __len__(self):
        return len(self.people["person_id"])

    @classmethod
    def from_columns(cls, people: dict, rows: dict, products: dict, gen_table: list, inputs=None) -> "Population":
        rp = np.asarray(rows["person"], dtype=I64)
        order = np.argsort(rp, kind="stable")
        if not np.array_equal(order, np.arange(len(rp))):      # group rows by person
            rows = {k: [v[i] for i in order] for k, v in rows.items()}
            rp = rp[order]
            new_index = np.empty_like(order)
            new_index[order] = np.arange(len(order))
            products = dict(products, row=[int(new_index[r]) for r in products["row"]])
        pr = np.asarray(products["row"], dtype=I64)
        porder = np.argsort(pr, kind="stable")
        if not np.array_equal(porder, np.arange(len(pr))):
            products = {k: [v[i] for i in porder] for k, v in products.items()}
            pr = pr[porder]
        rat = {name: _pairs(rows[name]) for name in ("org", "unity", "unit_result", "imported")}
        prod = {"task_id": products["task_id"],
                "delivered": np.asarray(products["delivered"], dtype=bool),
                "on_time": np.asarray(products["on_time"], dtype=bool),
                "quality_failures": np.asarray(products["quality_failures"], dtype=I64),
                "delays": np.asarray(products["delays"], dtype=I64),
                "unit_target": np.asarray(products["unit_target"], dtype=bool)}
        for name in ("target", "factor", "accepted", "weight"):
            prod[name] = _pairs(products[name])
        big = any(v is None for v in (*rat.values(), *(prod[k] for k in ("target", "factor", "accepted", "weight"))))
        if big:                                    # the reference path takes them as they are
            zero = (np.zeros(len(rp), I64), np.zeros(len(rp), I64))
            rat = {k: v if v is not None else zero for k, v in rat.items()}
            zero = (np.zeros(len(pr), I64), np.ones(len(pr), I64))
            prod.update({k: prod[k] if prod[k] is not None else zero
                         for k in ("target", "factor", "accepted", "weight")})
            if inputs is None:
                raise ValueError("an exact number does not fit in int64: build the population from inputs")
        pop = cls(people, rp, list(rows["period"]), np.asarray(rows["worked"], dtype=bool),
                  np.asarray(rows["general"], dtype=I64), gen_table, rat, pr, prod, inputs)
        pop.big = big
        labels, codes = {}, []
        for label in pop.row_period:
            codes.append(labels.setdefault(label, len(labels)))
        pop.labels, pop.row_label = list(labels), np.asarray(codes, dtype=I64)
        names, flat = {}, ([], [], [], [])
        for key, entries in enumerate(gen_table):
            for code, num, den in entries:
                flat[0].append(key)
                flat[1].append(names.setdefault(code, len(names)))
                flat[2].append(num)
                flat[3].append(den)
        pop.gen_codes = list(names)
        P = people
        pop.index = {pid: i for i, pid in enumerate(P["person_id"])}
        pop.mgr = np.fromiter((pop.index.get(m, -1) if m is not None else -1 for m in P["manager_id"]), dtype=I64,
                              count=len(P["person_id"]))
        groups, kinds = {}, {}
        pop.gcode = np.fromiter((groups.setdefault(k, len(groups)) for k in zip(P["rating_unit"], P["quota_group"])),
                                dtype=I64, count=len(P["person_id"]))
        pop.kcode = np.fromiter((kinds.setdefault(k, len(kinds)) for k in
                                 zip(P["category"], P["unit_has_nd233_regulation"], P["rating_unit"])),
                                dtype=I64, count=len(P["person_id"]))
        pop.gkeys, pop.kkeys = list(groups), list(kinds)
        try:
            pop.gen_flat = tuple(np.asarray(column, dtype=I64) for column in flat)
        except OverflowError:
            pop.big = True
            if inputs is None:
                raise ValueError("an exact number does not fit in int64: build the population from inputs") from None
        return pop

    @classmethod
    def from_inputs(cls, people) -> "Population":
        """The columns of ``people`` (PersonInput), keeping them for the reference paths."""
        people = tuple(people)
        b = PopulationBuilder()
        for p in people:
            i = b.add_person(**{name: getattr(p, name) for name in PopulationBuilder.PERSON})
            for period in p.periods:
                r = b.add_period(i, period.period, worked=period.worked, general_points=dict(period.general_points),
                                 org_capacity=period.org_capacity, unity=period.unity,
                                 unit_result=period.unit_result, imported_score=period.imported_score)
                for x in period.products:
                    b.add_product(r, task_id=x.task_id, target=x.target, factor=x.factor, accepted=x.accepted,
                                  delivered=x.delivered, on_time=x.on_time, quality_failures=x.quality_failures,
                                  delays=x.delays, weight=x.weight, unit_target=x.unit_target)
        return cls.from_columns(b.people, b.rows, b.products, list(b.general), inputs=list(people))

    # rows and products of one person
    def row_range(self, i: int) -> tuple:
        bounds = self._cache.get("rows")
        if bounds is None:
            idx = np.arange(len(self) + 1)
            bounds = self._cache["rows"] = np.searchsorted(self.row_person, idx).tolist()
        return bounds[i], bounds[i + 1]

    def prod_range(self, r: int) -> tuple:
        bounds = self._cache.get("prods")
        if bounds is None:
            bounds = self._cache["prods"] = np.searchsorted(self.prod_row, np.arange(len(self.row_person) + 1)).tolist()
        return bounds[r], bounds[r + 1]

    def general(self, r: int) -> dict:
        """Row ``r``'s general points {code: Fraction} (one dict per distinct set; do not mutate)."""
        key = int(self.gen_key[r])
        found = self._cache.setdefault("general", {}).get(key)
        if found is None:
            found = self._cache["general"][key] = {c: frac(n, d) for c, n, d in self.gen_table[key]}
        return found

    def _rat(self, name, k, source):
        n, d = source[name]
        return None if d[k] == 0 else frac(*_norm(int(n[k]), int(d[k])))

    def person_input(self, i: int) -> PersonInput:
        """The reference engine's input for person ``i`` (built again from the columns)."""
        if self.inputs is not None:
            return self.inputs[i]
        periods = []
        for r in range(*self.row_range(i)):
            products = []
            for k in range(*self.prod_range(r)):
                products.append(ProductResult(
                    task_id=self.prod["task_id"][k], target=self._rat("target", k, self.prod),
                    factor=self._rat("factor", k, self.prod), accepted=self._rat("accepted", k, self.prod),
                    delivered=bool(self.prod["delivered"][k]), on_time=bool(self.prod["on_time"][k]),
                    quality_failures=int(self.prod["quality_failures"][k]), delays=int(self.prod["delays"][k]),
                    weight=self._rat("weight", k, self.prod), unit_target=bool(self.prod["unit_target"][k])))
            periods.append(PeriodInput(
                period=self.row_period[r], worked=bool(self.row_worked[r]), general_points=self.general(r),
                products=tuple(products), org_capacity=self._rat("org", r, self.row_rat),
                unity=self._rat("unity", r, self.row_rat), unit_result=self._rat("unit_result", r, self.row_rat),
                imported_score=self._rat("imported", r, self.row_rat)))
        fields_ = {name: self.people[name][i] for name in PopulationBuilder.PERSON}
        return PersonInput(periods=tuple(periods), **fields_)

    def to_inputs(self) -> list:
        return list(self.inputs) if self.inputs is not None else [self.person_input(i) for i in range(len(self))]


def _norm(n: int, d: int) -> tuple:
    g = math.gcd(n, d) or 1
    return n // g, d // g


# ── results ────────────────────────────────────────────────────────────────────────────────
class ReferenceResult:
    """The reference engine's ratings behind the BatchResult interface (after a fallback)."""

    def __init__(self, ratings: list, why: str):
        self._ratings, self.fallback = ratings, why
        self.person_ids = [r.person_id for r in ratings]

    def __len__(self):
        return len(self._ratings)

    def rating(self, i: int) -> PersonRating:
        return self._ratings[i]

    def ratings(self) -> list:
        return list(self._ratings)

    def levels(self) -> list:
        return [r.level for r in self._ratings]

    def stored(self, i: int, memo: "_ReasonJSON | None" = None) -> tuple:
        rating, memo = self._ratings[i], memo if memo is not None else _ReasonJSON()
        return replace(rating, reasons=()), [memo.of(r) for r in rating.reasons]


def rate_batch(population: Population, year: int, settings: Settings | None = None):
    """Rate ``population`` for ``year``: a :class:`BatchResult`, or a ReferenceResult when
    the input falls outside the vectorised path (``.fallback`` says why). ValueError as
    ``rate_year`` raises it for invalid input."""
    settings = settings or Settings()
    with no_cycle_collection():
        try:
            if population.big:
                raise Fallback("an input number does not fit in int64")
            return _Run(population, year, settings).run()
        except Fallback as why:
            return ReferenceResult(rate_year(population.to_inputs(), year, settings), str(why))
        except ValueError as error:      # the reference names the person and the rule
            return ReferenceResult(rate_year(population.to_inputs(), year, settings), f"invalid input: {error}")


@dataclass
class _PolicyParams:
    """One policy's numbers as plain ints (point-scale profiles)."""

    policy: object
    qq: tuple          # (Q, kept numerator base, deduction per count, floor numerator) quality
    qt: tuple          # same for timeliness
    points: tuple      # (num, den)
    staff: tuple       # letters
    leader: tuple
    bands: tuple       # ((num, den) excellent, good, completed)
    max_total: tuple
    maxima: dict       # code → Fraction


def _kept_params(rule) -> tuple:
    ded, floor = rule.frac("deduction"), rule.frac("floor")
    q = math.lcm(ded.denominator, floor.denominator)
    return q, ded.numerator * (q // ded.denominator), floor.numerator * (q // floor.denominator)


def _policy_params(policy) -> _PolicyParams:
    tp = policy.rule("task_points")
    bands = tuple(_pair(policy.rule(r).frac("min")) for r in ("band_excellent", "band_good", "band_completed"))
    policy.rule("band_not_completed")
    letters = tuple(tp.params["staff_components"]), tuple(tp.params["leader_components"])
    if not set(letters[0]) <= {"a", "b", "c"} or not set(letters[1]) <= set(LETTERS) or not all(letters):
        raise Fallback("task point letters outside a–e")
    gc_rule = policy.rule("general_criteria")
    return _PolicyParams(policy, _kept_params(policy.rule("task_quality")), _kept_params(policy.rule("task_timeliness")),
                         _pair(tp.frac("points")), *letters, bands, _pair(gc_rule.frac("max_total")),
                         dict(gc_rule.frac_map("criteria")))


class _Run:
    def __init__(self, pop: Population, year: int, settings: Settings):
        self.pop, self.year, self.settings = pop, year, settings
        self.ctx = Context.build(year, settings)
        self.n = len(pop)

    # ── setup ──
    def run(self):
        pop, n = self.pop, self.n
        if len(pop.index) != n:
            raise Fallback("duplicate person_id")
        self.mgr = pop.mgr
        self._profiles()
        self._heights()
        self._not_rated()
        self._rows()
        self.level = np.zeros(n, dtype=I64)          # individual level (before quota)
        self.options = {}                            # i → council options (individual)
        self.extra = {}                              # i → individual-rule reasons (replayed)
        self.capped = np.zeros(n, dtype=bool)        # local test cap lowered the level
        self.nd90 = {}                               # i → reference PersonRating (pre-quota)
        self.year_num = np.zeros(n, dtype=I64)
        self.year_den = np.ones(n, dtype=I64)
        self.band_level = np.zeros(n, dtype=I64)
        self._bottom_up()
        return self._quota()

    def _profiles(self):
        pop, ctx = self.pop, self.ctx
        self.params, seen, per_kind = [], {}, []
        for cat, has, unit in pop.kkeys:          # distinct (category, own regulation, unit)
            prof = choose_profile(self.year, StaffCategory(cat), bool(has))
            pol = ctx.policy_for(prof, unit)
            k = seen.get(id(pol))
            if k is None:
                k = seen[id(pol)] = len(self.params)
                self.params.append(None if prof == "nd90" else _policy_params(pol))
            per_kind.append((prof, pol, k))
        self.profile = [per_kind[c][0] for c in pop.kcode.tolist()]
        self.policy = [per_kind[c][1] for c in pop.kcode.tolist()]
        pol_ids = np.array([k for _, _, k in per_kind] or [0], dtype=I64)[pop.kcode]
        self.pol = np.asarray(pol_ids, dtype=I64)
        self.points = np.array([p != "nd90" for p in self.profile], dtype=bool)
        self.is_leader = np.asarray(pop.people["is_leader"], dtype=bool)

    def _heights(self):
        """Height in the manager tree (subordinates first), iterated to a fixed point."""
        n, mgr = self.n, self.mgr
        h = np.zeros(n, dtype=I64)
        has = np.nonzero(mgr >= 0)[0]
        for step in range(n + 1):
            new = h.copy()
            np.maximum.at(new, mgr[has], h[has] + 1)
            if np.array_equal(new, h):
                break
            h = new
            if step == 64:       # deeper than any agency tree: make sure it is not a cycle
                bottom_up({pid: _Mgr(m) for pid, m in zip(self.pop.people["person_id"], self.pop.people["manager_id"])})
        self.height = h

    def _not_rated(self):
        """nd233 Art. 14 cl. 1–2 / nd90: 0 = rated, 1 = rated on worked time, 2 = NOT_RATED."""
        pop = self.pop
        self.nr = np.zeros(self.n, dtype=I64)
        self.months = {}
        months, reasons = pop.people["months_worked"], pop.people["leave_reason"]
        for k, params in enumerate(self.params):
            if params is None or not params.policy.has("not_rated_short"):
                continue
            rule = params.policy.rule("not_rated_short")
            least, exceptions = rule.frac("min_months"), rule.params["exceptions"]
            for i in np.nonzero(self.pol == k)[0].tolist():
                m = Fraction(12) if months[i] is None else Fraction(months[i])
                if m >= least:
                    continue
                self.nr[i] = 1 if reasons[i] in exceptions else 2
                self.months[i] = m

    # ── periods ──
    def _rows(self):
        """Static part of every period row of the point-scale people who are rated."""
        pop = self.pop
        rp = pop.row_person
        R = len(rp)
        scored_person = self.points & (self.nr != 2)
        self.scored_row = scored_person[rp] & pop.row_worked if R else np.zeros(0, bool)
        self._check_labels(scored_person)
        imp_n, imp_d = pop.row_rat["imported"]
        self.imported = self.scored_row & (imp_d != 0)
        comp = self.scored_row & (imp_d == 0)
        self.computed = comp
        self.worked_count = np.bincount(rp[self.scored_row], minlength=self.n).astype(I64)
        self.row_pol = self.pol[rp] if R else np.zeros(0, I64)
        # outputs per row
        self.score_n, self.score_d = np.zeros(R, I64), np.ones(R, I64)
        self.row_level = np.zeros(R, I64)
        self.derive = np.zeros(R, dtype=bool)
        self.d_failed, self.d_total = np.zeros(R, I64), np.zeros(R, I64)
        self.d_n, self.d_d = np.zeros(R, I64), np.ones(R, I64)
        if self.imported.any():
            sel = self.imported
            if ((imp_n[sel] < 0) | (imp_n[sel] > _mul(100, imp_d[sel]))).any():
                raise Fallback("imported score outside [0, 100]")
            self.score_n[sel], self.score_d[sel] = _reduce(imp_n[sel].copy(), imp_d[sel].copy())
            self._band_rows(np.nonzero(sel)[0])
        self._override()
        self._general(comp)
        self._tasks(comp)
        done = comp & ~self.derive
        self._finish_rows(np.nonzero(done)[0])

    def _check_labels(self, scored_person):
        pop = self.pop
        rows = np.nonzero(scored_person[pop.row_person])[0] if len(pop.row_person) else np.zeros(0, I64)
        labels, codes = pop.labels, pop.row_label
        for k, label in enumerate(labels):
            match = PERIOD.fullmatch(label) if isinstance(label, str) else None
            if (not match or int(match.group(1)) != self.year) and (codes[rows] == k).any():
                raise Fallback("a period label is not of the rating year")
        self.labels, self.row_label = labels, codes
        key = pop.row_person[rows] * max(len(labels), 1) + codes[rows]
        if len(key) and np.bincount(key).max() > 1:
            raise Fallback("a period is listed twice")

    def _override(self):
        """The test rule 'part of the general criteria' (DECISIONS.md 5): per person the
        points that replace a criterion or group, or none."""
        self.ov = {}                 # i → (status code, Fraction or None)
        self.ov_key = {}             # policy index → (key, replaces)
        n = self.n
        self.ov_n, self.ov_d = np.zeros(n, I64), np.ones(n, I64)
        self.has_ov = np.zeros(n, dtype=bool)
        if self.settings.test_rule != "general_criteria":
            return
        weight = self.settings.test_weight
        rated = np.nonzero(self.points & (self.nr != 2) & (self.worked_count > 0))[0]
        tests = self.pop.people["test"]
        for i in rated.tolist():
            test = tests[i]
            if test.status in NO_EFFECT:
                continue
            fraction = Fraction(0) if test.status == "missed" else test.fraction
            if fraction is None:
                raise Fallback("test without a fraction")
            k = int(self.pol[i])
            if k not in self.ov_key:
                rule = self.params[k].policy.rule("general_criteria")
                criterion, group = rule.params["test_criterion"], rule.params["test_group"]
                if weight == Fraction(rule.params["criteria"][criterion]):
                    self.ov_key[k] = (criterion, (criterion,))
                elif weight == Fraction(rule.params["groups"][group]):
                    self.ov_key[k] = (group, tuple(c for c in rule.params["criteria"] if c.split(".")[0] == group))
                else:
                    raise Fallback("test_weight is no criterion's or group's maximum")
            points = weight * fraction
            self.has_ov[i] = True
            self.ov_n[i], self.ov_d[i] = points.numerator, points.denominator
            self.ov[i] = fraction

    def _general(self, comp):
        """Σ of the final points per criterion (validated against the policy's maxima)."""
        pop = self.pop
        rows = np.nonzero(comp)[0]
        R = len(pop.row_person)
        self.g_n, self.g_d = np.zeros(R, I64), np.ones(R, I64)
        if not len(rows):
            return
        codes = {}
        for params in self.params:
            if params is not None:
                for c in params.maxima:
                    codes.setdefault(c, len(codes))
        keys = pop.gen_key[rows]
        n_codes, K = len(codes), len(pop.gen_table)
        used = np.zeros(K, bool)
        used[keys] = True
        fk, fc, fn, fd = pop.gen_flat
        sel = used[fk]
        col = np.array([codes.get(c, -1) for c in pop.gen_codes] or [0], dtype=I64)[fc[sel]]
        if (col < 0).any():
            raise Fallback("unknown criterion")
        tab_n, tab_d = np.zeros((K, n_codes), I64), np.zeros((K, n_codes), I64)
        tab_n[fk[sel], col], tab_d[fk[sel], col] = fn[sel], fd[sel]
        gn, gd = tab_n[keys], tab_d[keys]
        self.codes = list(codes)
        # which columns count, and their maxima, per row (by policy and override)
        person = pop.row_person[rows]
        pol = self.pol[person]
        use = np.zeros((len(self.params), n_codes), bool)
        mx_n, mx_d = np.zeros((len(self.params), n_codes), I64), np.ones((len(self.params), n_codes), I64)
        replaced = np.zeros((len(self.params), n_codes), bool)
        for k, params in enumerate(self.params):
            if params is None:
                continue
            for c, most in params.maxima.items():
                use[k, codes[c]] = True
                mx_n[k, codes[c]], mx_d[k, codes[c]] = most.numerator, most.denominator
            if k in self.ov_key:
                for c in self.ov_key[k][1]:
                    replaced[k, codes[c]] = True
        counted = use[pol] & ~(replaced[pol] & self.has_ov[person][:, None])
        present = gd > 0
        if (present & ~use[pol]).any():
            raise Fallback("criterion not in the person's policy")
        if (counted & ~present).any():
            raise Fallback("criterion missing")
        den = np.where(counted, gd, 1)
        if (((gn < 0) & counted) | ~_ge(mx_n[pol], mx_d[pol], np.where(counted, gn, 0), den)).any():
            raise Fallback("criterion outside [0, max]")
        common = math.lcm(*np.unique(tab_d[used]).tolist(), 1)     # one denominator for all criteria
        if common * n_codes * max(_bound(tab_n[used]), 1) < LIMIT:
            total = (np.where(counted, gn, 0) * (common // den)).sum(axis=1)
            tn, td = _reduce(total, np.full(len(rows), common, I64))
        else:
            lcm = np.ones(len(rows), I64)
            for col in range(n_codes):
                g = np.gcd(lcm, den[:, col])
                lcm = _mul(lcm // g, den[:, col])
            total = np.zeros(len(rows), I64)
            for col in range(n_codes):
                total = _add(total, _mul(np.where(counted[:, col], gn[:, col], 0), lcm // den[:, col]))
            tn, td = _reduce(total, lcm)
        ov = self.has_ov[person]
        if ov.any():
            tn, td = _fadd(tn, td, np.where(ov, self.ov_n[person], 0), np.where(ov, self.ov_d[person], 1))
        mt = np.array([p.max_total if p else (0, 1) for p in self.params], dtype=I64)
        if (~_ge(mt[pol, 0], mt[pol, 1], tn, td)).any():
            raise Fallback("general criteria above the maximum")
        self.g_n[rows], self.g_d[rows] = tn, td

    def _tasks(self, comp):
        """Shares a, b, c (Art. 14 cl. 2) from the products, and the static letters' sum."""
        pop, prod = self.pop, self.pop.prod
        R = len(pop.row_person)
        rows = np.nonzero(comp)[0]
        self.t_n, self.t_d = np.zeros(R, I64), np.ones(R, I64)
        self.s_n, self.s_d = np.zeros(R, I64), np.ones(R, I64)
        self.shares = {x: (np.zeros(R, I64), np.ones(R, I64)) for x in ("a", "b", "c")}
        if not len(rows):
            self.flagged = np.zeros(0, I64)
            return
        sel = np.nonzero(comp[pop.prod_row])[0] if len(pop.prod_row) else np.zeros(0, I64)
        pr = pop.prod_row[sel]
        tn, td = prod["target"][0][sel], prod["target"][1][sel]
        fn, fd = prod["factor"][0][sel], prod["factor"][1][sel]
        an, ad = prod["accepted"][0][sel], prod["accepted"][1][sel]
        delivered = prod["delivered"][sel]
        fails, delays = prod["quality_failures"][sel], prod["delays"][sel]
        if ((tn <= 0) | (td <= 0) | (fn <= 0) | (fd <= 0) | (an < 0) | (ad <= 0) | (fails < 0) | (delays < 0)).any():
            raise Fallback("invalid product numbers")
        as_n, as_d = _reduce(_mul(tn, fn), _mul(td, fd))
        short = _mul(an, td) < _mul(tn, ad)
        cn, cd = np.where(short, an, tn), np.where(short, ad, td)
        co_n, co_d = _reduce(_mul(cn, fn), _mul(cd, fd))
        co_n = np.where(delivered, co_n, 0)
        co_d = np.where(delivered, co_d, 1)
        dens = set(np.unique(as_d[as_d != 1]).tolist()) | set(np.unique(co_d[co_d != 1]).tolist())
        scale = math.lcm(*dens) if dens else 1
        if scale >= LIMIT:
            raise Fallback("product denominators too large")
        if scale != 1:
            as_n, co_n = _mul(as_n, scale // as_d), _mul(co_n, scale // co_d)
        starts = np.searchsorted(pr, rows, "left")
        ends = np.searchsorted(pr, rows, "right")
        total = _segsum(as_n, starts, ends)
        if (total <= 0).any():
            raise Fallback("no assigned products in a period")
        done = _segsum(co_n, starts, ends)
        ppol = self.pol[pop.row_person[pr]]
        q = np.array([p.qq if p else (1, 0, 0) for p in self.params], dtype=I64)
        t = np.array([p.qt if p else (1, 0, 0) for p in self.params], dtype=I64)

        def kept(tab, count):
            qq, step, floor = tab[ppol, 0], tab[ppol, 1], tab[ppol, 2]
            return np.maximum(floor, _add(qq, -_mul(step, count))), qq

        kq, qq = kept(q, fails)
        kt, qt = kept(t, delays)
        b_num = _segsum(_mul(kq, co_n), starts, ends)
        c_num = _segsum(_mul(kt, co_n), starts, ends)
        rq = q[self.pol[pop.row_person[rows]], 0]
        rt = t[self.pol[pop.row_person[rows]], 0]
        a, b, c = (done, total), (b_num, _mul(rq, total)), (c_num, _mul(rt, total))   # not reduced
        for name, (xn, xd) in zip("abc", (a, b, c)):
            self.shares[name][0][rows], self.shares[name][1][rows] = xn, xd
        # flagged products (reasons): undelivered, or failures / delays
        allp = np.arange(len(pop.prod_row))
        flag = ~prod["delivered"] | (prod["quality_failures"] > 0) | (prod["delays"] > 0)
        self.flagged = allp[flag]
        # letters per row
        person = pop.row_person[rows]
        leader = self.is_leader[person]
        pol = self.pol[person]
        kinds = np.asarray(pol * 2 + leader, dtype=I64)        # (policy, leader?) code per row
        letters = {}
        for k, params in enumerate(self.params):
            if params is not None:
                letters[2 * k], letters[2 * k + 1] = params.staff, params.leader
        extra = {}
        if leader.any():
            for name, key in (("đ", "org"), ("e", "unity"), ("d", "unit_result")):
                extra[name] = (pop.row_rat[key][0][rows], pop.row_rat[key][1][rows])
            if ((extra["đ"][1] == 0) | (extra["e"][1] == 0))[leader].any():
                raise Fallback("leader period without org_capacity or unity")
            for name in ("đ", "e", "d"):
                xn, xd = extra[name]
                if ((xd != 0) & ((xn < 0) | (xn > xd)))[leader].any():
                    raise Fallback("leader share outside [0, 1]")
            self.derive[rows] = leader & (extra["d"][1] == 0)
        nlet = np.zeros(len(rows), I64)
        self.has_d = np.zeros(R, bool)
        masks = {}
        for name in LETTERS:
            table = np.array([name in letters.get(code, ()) for code in range(2 * len(self.params))], dtype=bool)
            masks[name] = table[kinds]
            nlet += masks[name]
        # a + b + c over one denominator K·T (K = lcm of the two deduction denominators)
        k = np.lcm(rq, rt)
        sn = _add(_add(_mul(masks["a"] * done, k), _mul(masks["b"] * b_num, k // rq)), _mul(masks["c"] * c_num, k // rt))
        sn, sd = _reduce(sn, _mul(k, total))
        lead = np.nonzero(masks["d"] | masks["đ"] | masks["e"])[0]
        ln, ld = sn[lead], sd[lead]
        for name in ("d", "đ", "e"):
            mask = masks[name][lead]
            if not mask.any():
                continue
            xn, xd = extra[name][0][lead], extra[name][1][lead]
            if name == "d":
                self.has_d[rows[lead]] = mask
                mask = mask & (xd != 0)          # a derived d is added bottom-up
                xd = np.where(xd == 0, 1, xd)
            ln, ld = _fadd(ln, ld, np.where(mask, xn, 0), np.where(mask, xd, 1))
        sn[lead], sd[lead] = ln, ld
        self.s_n[rows], self.s_d[rows] = sn, sd
        self.nlet = np.zeros(R, I64)
        self.nlet[rows] = nlet

    def _finish_rows(self, rows):
        """Task points = points × Σ letters / count; score = general + task; band."""
        if not len(rows):
            return
        sn, sd = self.s_n[rows], self.s_d[rows]
        der = self.derive[rows] & self.has_d[rows]   # noqa: the static sum left d out
        if der.any():
            sn, sd = _fadd(sn, sd, np.where(der, self.d_n[rows], 0), np.where(der, self.d_d[rows], 1))
        pts = np.array([p.points if p else (0, 1) for p in self.params], dtype=I64)[self.row_pol[rows]]
        tn, td = _reduce(_mul(pts[:, 0], sn), _mul(_mul(pts[:, 1], sd), self.nlet[rows]))
        self.t_n[rows], self.t_d[rows] = tn, td
        self.score_n[rows], self.score_d[rows] = _fadd(self.g_n[rows], self.g_d[rows], tn, td)
        self._band_rows(rows)

    def _band(self, n, d, pol):
        if "bands" not in self.__dict__:
            self.bands = np.array([p.bands if p else ((0, 1),) * 3 for p in self.params], dtype=I64)
        bands = self.bands[pol]
        level = np.ones(len(n), I64)
        for j, code in ((2, 2), (1, 3), (0, 4)):
            hit = _ge(n, d, bands[:, j, 0], bands[:, j, 1])
            level = np.where(hit & (level < code), code, level)
        return level

    def _band_rows(self, rows):
        self.row_level[rows] = self._band(self.score_n[rows], self.score_d[rows], self.row_pol[rows])

    # ── bottom-up: derived unit results, yearly means, individual rules, nd90 ──
    def _bottom_up(self):
        pop, n = self.pop, self.n
        L = max(len(self.labels), 1)
        cnt, fail = np.zeros((n, L), I64), np.zeros((n, L), I64)
        all_cnt, all_fail = np.zeros(n, I64), np.zeros(n, I64)
        subs90 = {}                  # nd90 leaders read their subordinates' individual levels
        rp = pop.row_person
        for h in range(int(self.height.max(initial=0)) + 1):
            at = self.height == h
            rows = np.nonzero(self.derive & at[rp])[0] if len(rp) else np.zeros(0, I64)
            if len(rows):
                p, lab = rp[rows], self.row_label[rows]
                tot, bad = cnt[p, lab] + all_cnt[p], fail[p, lab] + all_fail[p]
                if (tot == 0).any():
                    raise Fallback("leader period without unit_result and without a rated subordinate")
                self.d_total[rows], self.d_failed[rows] = tot, bad
                dd = np.zeros((len(rows), 2), I64)
                for k, params in enumerate(self.params):
                    if params is None:
                        continue
                    here = self.row_pol[rows] == k
                    if not here.any():
                        continue
                    rule = params.policy.rule("leader_components")
                    ok, any_nc = _pair(rule.frac("unit_all_completed")), _pair(rule.frac("unit_any_not_completed"))
                    dd[here] = np.where((bad[here] > 0)[:, None], np.array(any_nc, I64), np.array(ok, I64))
                self.d_n[rows], self.d_d[rows] = dd[:, 0], dd[:, 1]
                self._finish_rows(rows)
            people = np.nonzero(at & self.points)[0]
            self._yearly(people)
            self._individual(people)
            for i in np.nonzero(at & ~self.points)[0].tolist():
                self._rate_nd90(i, subs90.get(i, []))
            # feed the managers
            members = np.nonzero(at & (self.mgr >= 0))[0]
            if not len(members):
                continue
            srow = np.nonzero(self.scored_row & at[rp] & (self.mgr[rp] >= 0))[0] if len(rp) else np.zeros(0, I64)
            if len(srow):
                m, lab = self.mgr[rp[srow]], self.row_label[srow]
                np.add.at(cnt, (m, lab), 1)
                np.add.at(fail, (m, lab), (self.row_level[srow] == 1).astype(I64))
            ninety = members[~self.points[members] & (self.level[members] != 0)]
            if len(ninety):
                np.add.at(all_cnt, self.mgr[ninety], 1)
                np.add.at(all_fail, self.mgr[ninety], (self.level[ninety] == 1).astype(I64))
            for i in members[~self.points[self.mgr[members]]].tolist():
                subs90.setdefault(int(self.mgr[i]), []).append(_Sub(self.profile[i], LEVEL[int(self.level[i])]))

    def _yearly(self, people):
        """Mean of the worked periods' scores (Art. 21), exact; band (Art. 20)."""
        if not len(people):
            return
        pop = self.pop
        rp = pop.row_person
        mine = np.zeros(self.n, bool)
        mine[people] = True
        rows = np.nonzero(self.scored_row & mine[rp])[0] if len(rp) else np.zeros(0, I64)
        has = people[self.worked_count[people] > 0]
        if not len(rows):
            return
        p = rp[rows]
        first = np.searchsorted(p, p, "left")
        pos = np.arange(len(rows)) - first
        acc_n, acc_d = np.zeros(self.n, I64), np.ones(self.n, I64)
        for k in range(int(pos.max()) + 1):
            sel = rows[pos == k]
            who = rp[sel]
            acc_n[who], acc_d[who] = _fadd(acc_n[who], acc_d[who], self.score_n[sel], self.score_d[sel])
        yn, yd = _reduce(acc_n[has], _mul(acc_d[has], self.worked_count[has]))
        self.year_num[has], self.year_den[has] = yn, yd
        self.level[has] = self.band_level[has] = self._band(yn, yd, self.pol[has])

    def _individual(self, people):
        """Forced NOT_COMPLETED and the caps (RULES.md §4a order): the people with a record
        behind one of them are replayed on a Draft with the reference functions; the
        local test cap is vectorised for the rest."""
        people = people[(self.level[people] != 0)]
        if not len(people):
            return
        flags = self._flags()
        special = people[flags[people]]
        for i in special.tolist():
            d = Draft(self.pop.person_input(i), self.profile[i], self.policy[i])
            d.level = LEVEL[int(self.level[i])]
            apply_individual_rules(d, self.ctx)
            self.level[i] = CODE[d.level]
            if d.council_options:
                self.options[i] = d.council_options
            self.extra[i] = tuple(d.reasons)
        if self.settings.test_rule == "cap":
            cap = CODE[Level(self.ctx.local.rule("test_cap").params["cap"])]
            rest = people[~flags[people]]
            hit = rest[self._failed_test[rest] & (self.level[rest] > cap)]
            self.level[hit] = cap
            self.capped[hit] = True

    def _flags(self):
        """People for whom a record-based individual rule may apply."""
        if "flags" in self.__dict__:
            return self.__dict__["flags"]
        P, n = self.pop.people, self.n
        has = {name: np.array([p is not None and p.has(name) for p in (x.policy if x else None for x in self.params)],
                              dtype=bool)[self.pol] if self.params else np.zeros(n, bool)
               for name in ("forced_corruption", "forced_degradation", "forced_discipline", "absence_cap", "head_cap")}
        arr = lambda values: np.fromiter(values, dtype=bool, count=n)   # noqa: E731
        leader = self.is_leader
        flags = ((leader & arr(map(bool, P["unit_corruption"])) & has["forced_corruption"])
                 | (arr(map(bool, P["degradation"])) & has["forced_degradation"])
                 | (arr(map(bool, P["discipline"])) & has["forced_discipline"])
                 | (arr(x is not None for x in P["leave_reason"]) & has["absence_cap"])
                 | (leader & has["head_cap"] & arr(x not in (None, Level.NOT_RATED) for x in P["unit_level"])))
        self.__dict__["flags"] = flags
        self._failed_test = arr(t.status in ("failed", "missed") for t in P["test"])
        return flags

    def _rate_nd90(self, i, subs):
        try:
            rating = rate_person(self.pop.person_input(i), self.ctx, subs)
        except ValueError as error:
            raise Fallback(f"nd90 input rejected: {error}") from None
        self.nd90[i] = rating
        self.level[i] = CODE[rating.level]
        if rating.council_options:
            self.options[i] = rating.council_options

    # ── quota (DECISIONS.md 6) ──
    def _quota(self):
        """Per rating unit × quota group, over the people at GOOD or better: counts by
        bincount, the ranking only in the groups with more EXCELLENT than the cap."""
        pop, settings = self.pop, self.settings
        final = self.level.copy()
        quota = {}
        gcode, keys = pop.gcode, pop.gkeys
        G = len(keys)
        eligible = self.level >= 3
        size = np.bincount(gcode[eligible], minlength=G)
        best = self.level == 4
        n_best = np.bincount(gcode[best], minlength=G)
        # the rate: the lowest of the members' policies (and a recorded decision's ceiling)
        exception = np.array([unit in settings.quota_exception_units for unit, _ in keys], dtype=bool)
        rate = [None] * G
        for k in np.unique(self.pol[eligible]).tolist():
            policy = self.params[k].policy if self.params[k] else next(
                self.policy[i] for i in np.nonzero(eligible & (self.pol == k))[0][:1].tolist())
            groups = np.unique(gcode[eligible & (self.pol == k)]).tolist()
            for g in groups:
                value = policy.rule("quota_exception" if exception[g] else "quota").frac("rate")
                rate[g] = value if rate[g] is None else min(rate[g], value)
        caps, info = {}, {}
        order = np.nonzero(best)[0]
        order = order[np.argsort(gcode[order], kind="stable")]
        bounds = np.searchsorted(gcode[order], np.arange(G + 1)).tolist()
        for g in np.nonzero(n_best)[0].tolist():
            unit = keys[g][0]
            r = rate[g]
            if exception[g] and unit in settings.quota_exception_rates:
                r = min(r, settings.quota_exception_rates[unit])
            n = int(size[g])
            cap = caps.get((n, r))
            if cap is None:
                cap = caps[(n, r)] = quota_cap(n, r, settings.quota_denominator)
            excellent = order[bounds[g]:bounds[g + 1]].tolist()
            group_info = (unit, "quota_exception" if exception[g] else "quota", bool(exception[g]), r, n, cap, excellent)
            if len(excellent) > cap:
                for i, outcome in self._outcomes(excellent, cap).items():
                    quota[i] = (outcome, group_info)
                    if outcome == "moved":
                        final[i] = 3
            else:
                for i in excellent:
                    quota[i] = ("within", group_info)
        return BatchResult(self, final, quota)

    @property
    def L(self):
        """The arrays the explanations read, as Python lists (fast scalar access)."""
        if "_lists" not in self.__dict__:
            names = ("nr", "worked_count", "year_num", "year_den", "imported", "is_leader", "g_n", "g_d", "t_n", "t_d",
                     "score_n", "score_d", "row_level", "derive", "d_failed", "d_total", "has_ov", "ov_n", "ov_d",
                     "pol", "level", "capped", "band_level")
            lists = {name: getattr(self, name).tolist() for name in names}
            for x in "abc":
                lists[x] = (self.shares[x][0].tolist(), self.shares[x][1].tolist())
            prod = self.pop.prod
            lists.update(worked=self.pop.row_worked.tolist(), delivered=prod["delivered"].tolist(),
                         failures=prod["quality_failures"].tolist(), delays=prod["delays"].tolist())
            self.__dict__["_lists"] = lists
        return self.__dict__["_lists"]

    def _score(self, i):
        if not self.points[i] or self.worked_count[i] == 0:
            return None
        return frac(self.year_num[i], self.year_den[i])

    def _outcomes(self, excellent, cap):
        if cap == 0:
            return {i: "moved" for i in excellent}
        if any(not self.points[i] or self.worked_count[i] == 0 for i in excellent):
            return {i: "unrankable" for i in excellent}
        dens = math.lcm(*(int(self.year_den[i]) for i in excellent))
        keys = {i: int(self.year_num[i]) * (dens // int(self.year_den[i])) for i in excellent}
        ordered = sorted(excellent, key=keys.__getitem__, reverse=True)
        cut = keys[ordered[cap - 1]]
        tied = len(ordered) > cap and keys[ordered[cap]] == cut
        if not tied:
            return {i: "kept" if j < cap else "moved" for j, i in enumerate(ordered)}
        return {i: "kept" if keys[i] > cut else "tie" if keys[i] == cut else "moved" for i in ordered}


@dataclass(frozen=True)
class _Sub:
    """What an nd90 leader reads of a subordinate (its profile and individual level)."""

    profile: str
    level_before_quota: Level


@dataclass(frozen=True)
class _Mgr:
    manager_id: str | None


class BatchResult:
    """The batch run's decisions as arrays; :meth:`rating` builds one person's
    :class:`PersonRating` (reasons and details included), equal to ``rate_year``'s."""

    fallback = None

    def __init__(self, run: _Run, final, quota: dict):
        self._run, self.final, self._quota = run, final, quota
        self.person_ids = run.pop.people["person_id"]
        self.individual = run.level

    def __len__(self):
        return self._run.n

    def levels(self) -> list:
        return [LEVEL[c] for c in self.final.tolist()]

    def score(self, i: int) -> Fraction | None:
        return self._run._score(i) if self._run.points[i] else self._run.nd90[i].score

    def needs_council(self, i: int) -> bool:
        q = self._quota.get(i)
        return bool(q and q[0] in ("tie", "unrankable")) or i in self._run.options

    def quota_moved(self, i: int) -> bool:
        q = self._quota.get(i)
        return bool(q and q[0] == "moved")

    def ratings(self) -> list:
        return [self.rating(i) for i in range(len(self))]

    def rating(self, i: int) -> PersonRating:
        run = self._run
        before = run.nd90[i] if not run.points[i] else _Explain(run, i).rating()
        q = self._quota.get(i)
        if q is None:
            return before
        return quota_updated(before, q[0], self._quota_reasons(before, q))

    def stored(self, i: int, memo: "_ReasonJSON | None" = None) -> tuple:
        """(rating without its reasons, the reasons as stored JSON): the JSON that
        ``reason_to_json`` + ``explain`` give for ``rating(i).reasons``, built directly."""
        run = self._run
        if not run.points[i]:
            rating = self.rating(i)
            memo = memo if memo is not None else _ReasonJSON()
            return replace(rating, reasons=()), [memo.of(r) for r in rating.reasons]
        memo = memo if memo is not None else _ReasonJSON()
        before = _Explain(run, i, memo).rating()
        reasons = list(before.reasons)
        q = self._quota.get(i)
        if q is not None:
            extra = self._quota_reasons(before, q)
            reasons.extend(memo.of(r) for r in extra)
            before = quota_updated(before, q[0], ())
        return replace(before, reasons=()), reasons

    def _quota_reasons(self, before, q) -> tuple:
        run = self._run
        outcome, (unit, rule_id, exception, rate, size, cap, excellent) = q
        ctx = run.ctx
        extra = (quota_reason(ctx, before, unit, rule_id, "quota_exception", rate_pct=rate * 100),) if exception else ()
        if outcome == "within":
            last = quota_reason(ctx, before, unit, rule_id, "quota_within", excellent=len(excellent), cap=cap, n=size,
                                rate_pct=rate * 100)
        elif outcome == "unrankable":
            last = quota_reason(ctx, before, unit, rule_id, "quota_unrankable", not_law=True,
                                excellent=len(excellent), cap=cap)
        elif cap == 0:
            last = quota_reason(ctx, before, unit, rule_id, "quota_no_place", n=size, rate_pct=rate * 100,
                                level=Level.GOOD)
        else:
            scores = [run._score(j) for j in excellent]
            above = sum(1 for s in scores if s > before.score)
            if outcome == "tie":
                last = quota_reason(ctx, before, unit, rule_id, "quota_tie", not_law=True, score=before.score,
                                    tied=scores.count(before.score), places=cap - above)
            else:
                code, level = ("quota_kept", Level.EXCELLENT) if outcome == "kept" else ("quota_moved", Level.GOOD)
                last = quota_reason(ctx, before, unit, rule_id, code, rank=1 + above, cap=cap, n=size, level=level)
        return extra + (last,)


class _ReasonJSON:
    """The stored form of a reason — ``{**reason_to_json(r), "vi": explain(r, "vi"), "en":
    explain(r, "en")}`` — built without the Reason object, its parts cached per rule."""

    def __init__(self):
        self.static = {}

    def __call__(self, policy, rule_id, code, not_law=None, unverified=None, **params) -> dict:
        key = (id(policy), rule_id, code, not_law, unverified)
        static = self.static.get(key)
        if static is None:
            reason = policy.reason(rule_id, code, not_law=not_law, unverified=unverified)
            static = self.static[key] = self._static(reason)
        return self._fill(static, code, params)

    def of(self, reason) -> dict:
        """The same for a Reason object (quota and replayed individual rules)."""
        key = ("R", reason.policy, reason.citation, reason.code, reason.not_law, reason.unverified)
        static = self.static.get(key)
        if static is None:
            static = self.static[key] = self._static(reason)
        return self._fill(static, reason.code, reason.params)

    @staticmethod
    def _static(reason):
        from scoring.rating.explain import _template, reason_to_json
        from scoring.rating.policy import load_policy
        base = reason_to_json(Reason(reason.code, {}, reason.citation, reason.not_law, reason.unverified,
                                     reason.policy))
        markers = load_policy("common").extra["markers"]
        notes = {}
        for lang in ("vi", "en"):
            parts = [getattr(reason.citation, lang)] if reason.citation else []
            parts += [markers[flag][lang] for flag in ("not_law", "unverified") if getattr(reason, flag)]
            notes[lang] = f" ({'; '.join(parts)})" if parts else ""
        return (base["citation"], base["not_law"], base["unverified"], base["policy"],
                _template(reason, None, "vi"), _template(reason, None, "en"), notes["vi"], notes["en"])

    @staticmethod
    def _fill(static, code, params) -> dict:
        from scoring.rating.explain import _encode
        citation, not_law, unverified, policy, vi, en, note_vi, note_en = static
        texts_vi, texts_en = {}, {}
        for k, v in params.items():
            texts_vi[k], texts_en[k] = _both(k, v)
        return {"code": code, "params": {k: _encode(v) for k, v in params.items()}, "citation": citation,
                "not_law": not_law, "unverified": unverified, "policy": policy,
                "vi": vi.format(**texts_vi) + note_vi, "en": en.format(**texts_en) + note_en}


def _both(key, value) -> tuple:
    """``render_value(key, value, "vi")`` and ``(…, "en")`` at once, fast for the common
    types (numbers, vocabulary words); the others go through render_value itself."""
    from scoring.rating.explain import FIXED_TWO, render_value
    kind = type(value)
    if kind is Fraction or (kind is int and value >= 0):
        if kind is int:
            sign, whole, part = "", value, 0
        else:
            n, d = value.numerator, value.denominator
            magnitude = (abs(n) * 200 + d) // (2 * d)          # half away from zero, 2 places
            whole, part = divmod(magnitude, 100)
            sign = "-" if n < 0 and magnitude else ""
        vi, en = f"{sign}{whole},{part:02d}", f"{sign}{whole}.{part:02d}"
        if key in FIXED_TWO:
            return vi, en
        return vi.rstrip("0").rstrip(",."), en.rstrip("0").rstrip(",.")
    if kind is str:
        vocab = _VOCAB.get("v")
        if vocab is None:
            from scoring.rating.policy import load_policy
            vocab = _VOCAB["v"] = load_policy("common").extra["vocab"]
        words = vocab.get(key, {})
        if value in words:
            return words[value]["vi"], words[value]["en"]
        return value, value
    return render_value(key, value, "vi"), render_value(key, value, "en")


_VOCAB = {}


class _Explain:
    """One point-scale person's PersonRating before the quota, from the run's arrays, with
    the reasons in the reference engine's order."""

    def __init__(self, run: _Run, i: int, as_json: _ReasonJSON | None = None):
        self.run, self.i, self.L = run, i, run.L
        self.policy = run.policy[i]
        self.reasons = []
        self.as_json = as_json         # reasons as their stored JSON instead of Reason objects

    def add(self, rule_id, code, policy=None, **params):
        if self.as_json is not None:
            self.reasons.append(self.as_json(policy or self.policy, rule_id, code, **params))
        else:
            self.reasons.append((policy or self.policy).reason(rule_id, code, **params))

    def rating(self) -> PersonRating:
        run, i, pop, L = self.run, self.i, self.run.pop, self.L
        person = pop.people
        category = StaffCategory(person["category"][i])
        rule = profile_rule(run.year, category, run.profile[i])
        self.add(rule, rule, run.ctx.common, year=run.year)
        out = dict(period_scores={}, task_points={}, general_points={}, general_detail={}, components={},
                   period_levels={})
        status = L["nr"][i]
        if status:
            rule = self.policy.rule("not_rated_short")
            if status == 1:
                self.add("not_rated_short", "rated_on_worked_time", leave_reason=person["leave_reason"][i],
                         months=run.months[i])
            else:
                self.add("not_rated_short", "not_rated_short", months=run.months[i], min_months=rule.frac("min_months"),
                         level=Level.NOT_RATED)
                return self._freeze(None, Level.NOT_RATED, out)
        count = L["worked_count"][i]
        if count == 0:
            self.add("no_period_worked", "no_period_worked", level=Level.NOT_RATED)
            return self._freeze(None, Level.NOT_RATED, out)
        self._competency()
        worked = L["worked"]
        for r in range(*pop.row_range(i)):
            if worked[r]:
                self._period(r, out)
        score = frac(L["year_num"][i], L["year_den"][i])
        self.add("yearly_mean", "yearly_mean", count=count, score=score)
        band = L["band_level"][i]
        self.add(BAND_RULE[band], "yearly_score", score=score, level=LEVEL[band])
        if i in run.extra:
            self.reasons.extend(run.extra[i] if self.as_json is None else map(self.as_json.of, run.extra[i]))
        else:
            self._test_cap()
        return self._freeze(score, LEVEL[L["level"][i]], out)

    def _freeze(self, score, level, out) -> PersonRating:
        options = self.run.options.get(self.i, ())
        return PersonRating(self.run.pop.people["person_id"][self.i], self.run.profile[self.i], score, level, level,
                            needs_council=bool(options), council_options=options, reasons=tuple(self.reasons),
                            measures={}, **out)

    def _competency(self):
        run, i = self.run, self.i
        if run.settings.test_rule != "general_criteria":
            return
        test, local = run.pop.people["test"][i], run.ctx.local
        if test.status in NO_EFFECT:
            self.add(NO_EFFECT[test.status], NO_EFFECT[test.status], local)
            return
        if test.status == "missed":
            self.add("test_missed", "test_missed", local)
        fraction, weight = run.ov[i], run.settings.test_weight
        key = run.ov_key[self.L["pol"][i]][0]
        self.add("test_general_criteria", "test_general_criteria", local, pct=fraction * 100, weight=weight,
                 criterion=key, points=weight * fraction)

    def _period(self, r, out):
        run, pop, L = self.run, self.run.pop, self.L
        label = pop.row_period[r]
        if L["imported"][r]:
            score = pop._rat("imported", r, pop.row_rat)
            self.add("yearly_mean", "period_imported", period=label, score=score)
        else:
            detail = self._detail(r)
            quality, timeliness = self.policy.rule("task_quality"), self.policy.rule("task_timeliness")
            self._products(r, label, quality.frac("deduction"), timeliness.frac("deduction"))
            shares = {x: Fraction(L[x][0][r], L[x][1][r]) for x in "abc"}
            if L["is_leader"][self.i]:
                shares["d"] = self._unit_result(r, label)
                shares["đ"] = pop._rat("org", r, pop.row_rat)
                shares["e"] = pop._rat("unity", r, pop.row_rat)
            general, task = frac(L["g_n"][r], L["g_d"][r]), frac(L["t_n"][r], L["t_d"][r])
            out["general_detail"][label], out["general_points"][label] = detail, general
            out["components"][label], out["task_points"][label] = shares, task
            score = frac(L["score_n"][r], L["score_d"][r])
            self.add("period_score", "period_score", period=label, general=general, task=task, score=score)
        out["period_scores"][label] = score
        out["period_levels"][label] = LEVEL[L["row_level"][r]]

    def _detail(self, r) -> dict:
        """The criteria in the form's order, the test rule's entry in place of its criteria."""
        run, i, L = self.run, self.i, self.L
        ov = L["has_ov"][i]
        key = (int(run.pop.gen_key[r]), id(self.policy), (L["ov_n"][i], L["ov_d"][i]) if ov else None)
        cache = run.__dict__.setdefault("_details", {})
        found = cache.get(key)
        if found is None:
            given = run.pop.general(r)
            maxima = self.policy.rule("general_criteria").frac_map("criteria")
            if ov:
                name, replaced = run.ov_key[L["pol"][i]]
                points = frac(L["ov_n"][i], L["ov_d"][i])
            else:
                name, replaced, points = None, (), None
            found = {}
            for code in maxima:
                if code in replaced:
                    found.setdefault(name, points)
                    continue
                found[code] = given[code]
            cache[key] = found
        return dict(found)

    def _products(self, r, label, quality_cut, delay_cut):
        run, L = self.run, self.L
        start, end = run.pop.prod_range(r)
        flagged = run.flagged
        lo, hi = np.searchsorted(flagged, [start, end]).tolist()
        if lo == hi:
            return
        task_ids = run.pop.prod["task_id"]
        for k in flagged[lo:hi].tolist():
            task_id = task_ids[k]
            if not L["delivered"][k]:
                self.add("task_quantity", "undelivered", period=label, task_id=task_id)
                continue
            fails, delays = L["failures"][k], L["delays"][k]
            if fails:
                self.add("task_quality", "quality_deduction", period=label, task_id=task_id, count=fails,
                         deduction_pct=min(quality_cut * fails, 1) * 100)
            if delays:
                self.add("task_timeliness", "delay_deduction", period=label, task_id=task_id, count=delays,
                         deduction_pct=min(delay_cut * delays, 1) * 100)

    def _unit_result(self, r, label):
        run, pop, L = self.run, self.run.pop, self.L
        if not L["derive"][r]:
            return pop._rat("unit_result", r, pop.row_rat)
        rule = self.policy.rule("leader_components")
        failed, total = L["d_failed"][r], L["d_total"][r]
        value = rule.frac("unit_any_not_completed" if failed else "unit_all_completed")
        self.add("leader_components", "unit_result_derived", period=label, d_pct=value * 100, failed=failed,
                 total=total)
        return value

    def _test_cap(self):
        run, i = self.run, self.i
        if run.settings.test_rule != "cap":
            return
        status, local = run.pop.people["test"][i].status, run.ctx.local
        if status in ("none", "excused"):
            code = "test_no_result" if status == "none" else "test_excused"
            self.add(code, code, local)
            return
        if status == "missed":
            self.add("test_missed", "test_missed", local)
        if self.L["capped"][i]:
            self.add("test_cap", "test_cap", local, level=Level(local.rule("test_cap").params["cap"]))


ReasonJSON = _ReasonJSON

__all__ = ["BatchResult", "Fallback", "Population", "PopulationBuilder", "ReasonJSON", "ReferenceResult", "rate_batch"]
