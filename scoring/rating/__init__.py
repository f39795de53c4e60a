"""The yearly quality rating engine (RULES.md §1–§4a; DECISIONS.md 1–9).

Public API: ``rate_year``, ``choose_profile``, ``explain``, ``level_name``, ``quota_cap``,
``reason_to_json`` / ``reason_from_json``, ``rating_to_json``, the policy loader and the
types of :mod:`scoring.rating.types` (``RatingSettings`` is ``Settings``).
"""
from scoring.rating.engine import choose_profile, rate_year
from scoring.rating.explain import explain, level_name, rating_to_json, reason_from_json, reason_to_json
from scoring.rating.policy import Policy, Rule, load_policy, load_policy_file, policy_from_dict
from scoring.rating.quota import quota_cap
from scoring.rating.types import (Citation, Discipline, Level, PeriodInput, PersonInput, PersonRating,
                                  ProductResult, RatingSettings, Reason, Settings, StaffCategory,
                                  TestResult)

__all__ = ["Citation", "Discipline", "Level", "PeriodInput", "PersonInput", "PersonRating", "Policy",
           "ProductResult", "RatingSettings", "Reason", "Rule", "Settings", "StaffCategory",
           "TestResult", "choose_profile", "explain", "level_name", "load_policy", "load_policy_file",
           "policy_from_dict", "quota_cap", "rate_year", "rating_to_json", "reason_from_json",
           "reason_to_json"]
