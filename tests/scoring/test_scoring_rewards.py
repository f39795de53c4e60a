"""Reward tier 4: EXCELLENT three years in a row, a year counts toward one award only."""
import pytest

from scoring.rating import Level
from scoring.rewards import reward_tier4

E, G = Level.EXCELLENT, Level.GOOD


def test_years_four_five_six_of_a_streak():
    # 2021–2026 all EXCELLENT: award in 2023 (3rd year); 2024 and 2025 start a new streak,
    # so no award in the 4th and 5th years; 2026 completes it → award in the 6th year
    history = {year: E for year in range(2021, 2027)}
    assert reward_tier4(history) == [2023, 2026]


@pytest.mark.parametrize("history, awards", [
    ({2021: E, 2022: E}, []),
    ({2021: E, 2022: G, 2023: E, 2024: E, 2025: E}, [2025]),   # GOOD breaks the streak
    ({2021: E, 2022: E, 2024: E}, []),                          # a missing year breaks it too
    ({2021: E, 2022: E, 2023: E, 2024: E, 2025: G, 2026: E}, [2023]),
    ({2026: E, 2024: E, 2025: E}, [2026]),                      # order of the dict is irrelevant
    ({2024: "EXCELLENT", 2025: "EXCELLENT", 2026: "EXCELLENT"}, [2026]),
])
def test_streaks(history, awards):
    assert reward_tier4(history) == awards


def test_streak_length_setting():
    assert reward_tier4({2024: E, 2025: E, 2026: E, 2027: E}, years_in_row=2) == [2025, 2027]
