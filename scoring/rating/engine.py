"""The yearly rating run: profile per person, bottom-up individual ratings, then the quota.

``rate_year(people, year, settings)`` rates subordinates before their managers (a
leader's unit result needs their levels), applies each person's profile and the
individual rules, then the quota per (rating_unit, quota_group), and returns one
:class:`PersonRating` per person in input order.
"""
import gc
from contextlib import contextmanager
from graphlib import CycleError, TopologicalSorter

from scoring.rating.draft import Context, Draft
from scoring.rating.individual import apply_individual_rules, not_rated
from scoring.rating.nd90 import rate_nd90
from scoring.rating.nd335 import rate_points
from scoring.rating.quota import apply_quota
from scoring.rating.types import Level, PersonInput, Settings, StaffCategory

PROFILES = ("nd90", "nd335", "nd233")


def choose_profile(year: int, category, unit_has_nd233_regulation: bool = False) -> str:
    """The rule profile of one person and rating year, exactly per DECISIONS.md 1:
    ≤ 2025 → nd90; civil servants and cadres from 2026 → nd335 (cadres: not law, Party
    rules); public employees: 2026 → nd233 if their unit has its own regulation, else
    nd90 (Decree 233/2026 Art. 20 cl. 1); from 2027 → nd233.
    Raises ValueError before 2020 (no profile) or for an unknown category."""
    category = StaffCategory(category)
    if year < 2020:
        raise ValueError(f"no rating profile for year {year}")
    if year <= 2025:
        return "nd90"
    if category in (StaffCategory.CIVIL_SERVANT, StaffCategory.CADRE):
        return "nd335"
    if year == 2026 and not unit_has_nd233_regulation:
        return "nd90"
    return "nd233"


def profile_rule(year: int, category: StaffCategory, profile: str) -> str:
    """The common.json rule explaining the profile choice."""
    if profile == "nd90":
        return "profile_nd90" if year <= 2025 else "profile_nd90_2026"
    if profile == "nd335":
        return "profile_cadre" if category == StaffCategory.CADRE else "profile_nd335"
    return "profile_nd233"


def bottom_up(people: dict) -> list:
    """Person ids, every subordinate before their manager (managers outside the run are
    ignored). Raises ValueError on a cycle in manager_id."""
    graph = {pid: set() for pid in people}
    for pid, person in people.items():
        if person.manager_id in people:
            graph[person.manager_id].add(pid)
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise ValueError(f"manager_id cycle: {' → '.join(map(str, error.args[1]))}") from None


def rate_person(person: PersonInput, ctx: Context, subs: list):
    """One person's individual rating (before the quota), ``subs`` already rated."""
    profile = choose_profile(ctx.year, person.category, person.unit_has_nd233_regulation)
    d = Draft(person, profile, ctx.policy_for(profile, person.rating_unit))
    d.add(profile_rule(ctx.year, person.category, profile), profile_rule(ctx.year, person.category, profile),
          ctx.common, year=ctx.year)
    if not_rated(d):
        return d.freeze()
    if profile == "nd90":
        rate_nd90(d, ctx, subs)
    else:
        rate_points(d, ctx, subs)
    if d.level != Level.NOT_RATED:
        apply_individual_rules(d, ctx)
    return d.freeze()


def rate_year(people, year: int, settings: Settings | None = None) -> list:
    """Rate everyone in ``people`` (PersonInput) for rating ``year``.

    Returns PersonRating in input order. Raises ValueError on duplicate person ids, a
    manager cycle, or incomplete input (a worked period without assigned products or
    general points, a leader period without đ/e or a source for d …), naming the person.
    """
    with no_cycle_collection():
        return _rate_all(tuple(people), year, settings)


@contextmanager
def no_cycle_collection():
    """The run allocates millions of short-lived, acyclic objects (Fractions, reasons); the
    cyclic collector would rescan the growing heap again and again (half the time of a
    50,000-person run).  Reference counting still frees them; the collector resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rate_all(people: tuple, year: int, settings: Settings | None) -> list:
    index = {p.person_id: p for p in people}
    if len(index) != len(people):
        raise ValueError("duplicate person_id in the run")
    ctx = Context.build(year, settings or Settings())
    subordinates = {pid: [] for pid in index}
    for person in people:
        if person.manager_id in index:
            subordinates[person.manager_id].append(person.person_id)
    rated = {}
    for pid in bottom_up(index):
        rated[pid] = _rate_one(index[pid], ctx, [rated[s] for s in subordinates[pid]])
    final = apply_quota(people, rated, ctx)
    return [final[p.person_id] for p in people]


def _rate_one(person: PersonInput, ctx: Context, subs: list):
    try:
        return rate_person(person, ctx, subs)
    except ValueError as error:
        if person.person_id in str(error):
            raise
        raise ValueError(f"{person.person_id}: {error}") from error
