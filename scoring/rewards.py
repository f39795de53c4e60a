"""Reward tier 4 of Vĩnh Phúc Resolution 06/2021/NQ-HĐND (RULES.md §7; local, not law):
EXCELLENT three years in a row.

Counted on final levels (after quota and council). A year counts toward one award
only (RULES.md §4a default), so after an award the streak restarts at zero: a run of
six EXCELLENT years gives awards in years 3 and 6, none in 4 and 5. A missing year in
the history, or any other level, breaks the streak.
"""
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
