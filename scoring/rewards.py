"""Rewards of Vĩnh Phúc Resolution 06/2021/NQ-HĐND (RULES.md §7; local, not law) and the
statutory title "Lao động tiên tiến".  Tier 4: EXCELLENT three years in a row.

Counted on final levels (after quota and council). A year counts toward one award
only (RULES.md §4a default), so after an award the streak restarts at zero: a run of
six EXCELLENT years gives awards in years 3 and 6, none in 4 and 5. A missing year in
the history, or any other level, breaks the streak.
"""
from dataclasses import dataclass

from scoring.rating.policy import load_policy
from scoring.rating.types import Level


def reward_tier4(history, years_in_row: int | None = None) -> list:
    """Award years for ``history`` ({year: final Level}), ascending.

    ``years_in_row`` defaults to the ``reward_tier4`` rule of policies/local.json (3).
    Raises ValueError when it is below 1.
    """
    needed = years_in_row or int(load_policy("local").rule("reward_tier4").params["years_in_row"])
    if needed < 1:
        raise ValueError("years_in_row must be at least 1")
    awards, streak, previous = [], 0, None
    for year in sorted(history):
        excellent = Level(history[year]) == Level.EXCELLENT
        consecutive = previous is not None and year == previous + 1
        streak = (streak + 1 if consecutive else 1) if excellent else 0
        if streak == needed:
            awards.append(year)
            streak = 0
        previous = year
    return awards


def tier_amounts() -> dict:
    """Tier → (VND, paid per "solution" or "person"): the ``reward_amounts`` rule of
    policies/local.json (Vĩnh Phúc Resolution 06/2021/NQ-HĐND, RULES.md §7; local, not law)."""
    tiers = load_policy("local").rule("reward_amounts").params["tiers"]
    return {int(tier): (int(body["amount"]), body["per"]) for tier, body in tiers.items()}


ACHIEVEMENT_TIERS = {"tier1": 1, "tier2": 2, "tier3": 3, "provincial_fighter": 4, "tier5": 5}
TITLE_LEVELS = (Level.EXCELLENT, Level.GOOD)
CITATION_LOCAL = "Nghị quyết 06/2021/NQ-HĐND tỉnh Vĩnh Phúc"
CITATION_LAW = "Luật Thi đua, khen thưởng năm 2022"


@dataclass(frozen=True)
class Award:
    """One reward: ``tier`` 1–5 with its amount in VND, and what it rests on (the
    achievements' references, or the streak's years for tier 4)."""

    tier: int
    amount: int
    basis: tuple


@dataclass(frozen=True)
class Rewards:
    """One person's rewards for one year: the statutory title "Lao động tiên tiến" and
    the local tiers; ``blocked`` names why there is none ("discipline")."""

    title: bool
    awards: tuple
    blocked: str | None = None

    @property
    def total(self) -> int:
        return sum(a.amount for a in self.awards)


def rewards_for(year: int, history, achievements=(), disciplined: bool = False,
                years_in_row: int | None = None) -> Rewards:
    """The rewards of ``year`` for one person.

    ``history``: {year: final level} up to and including ``year`` (tier 4 by the streak,
    :func:`reward_tier4`); ``achievements``: (kind, reference) pairs recorded for ``year``,
    kind one of ACHIEVEMENT_TIERS; ``disciplined``: any discipline decision counted in the
    year, which rules out every reward of the year (Law on Emulation and Commendation
    2022, RULES.md §7).  "Lao động tiên tiến" needs GOOD or better (same law).  Tiers add
    up; tier 1 is paid per solution, the others once per person.
    Raises ValueError for an unknown achievement kind.
    """
    achievements = tuple(achievements)
    unknown = [kind for kind, _ in achievements if kind not in ACHIEVEMENT_TIERS]
    if unknown:
        raise ValueError(f"unknown achievement kinds {unknown}")
    if disciplined:
        return Rewards(title=False, awards=(), blocked="discipline")
    level = history.get(year)
    title = level is not None and Level(level) in TITLE_LEVELS
    basis: dict[int, list] = {}
    for kind, reference in achievements:
        basis.setdefault(ACHIEVEMENT_TIERS[kind], []).append(reference)
    if year in reward_tier4(history, years_in_row):
        needed = years_in_row or int(load_policy("local").rule("reward_tier4").params["years_in_row"])
        basis.setdefault(4, []).insert(0, f"{year - needed + 1}–{year}")
    awards, amounts = [], tier_amounts()
    for tier in sorted(basis):
        amount, per = amounts[tier]
        count = len(basis[tier]) if per == "solution" else 1
        awards.append(Award(tier, amount * count, tuple(basis[tier])))
    return Rewards(title=title, awards=tuple(awards))
