"""Pure scoring: grading of responses and attempts, the yearly rating engine, rewards.

No Flask, SQLAlchemy or sibling imports; frozen dataclasses in and out; exact
``fractions.Fraction`` arithmetic; rules and their citations live in JSON policy files
under ``scoring/policies/``. See scoring/README.md for the formulas and their sources.

- :mod:`scoring.grading`: ``grade_response``, ``grade_attempt`` (question types in
  :mod:`scoring.qtypes`);
- :mod:`scoring.rating`: ``rate_year``, ``choose_profile``, ``explain``;
- :mod:`scoring.rewards`: ``reward_tier4``.
"""
from scoring.grading import AttemptResult, Grade, SlotInput, grade_attempt, grade_response

__all__ = ["AttemptResult", "Grade", "SlotInput", "grade_attempt", "grade_response"]
