"""The engine's working state for one person, and the run's context.

``Draft`` is mutable on purpose and never leaves the package: ``freeze()`` turns it
into the frozen :class:`PersonRating` the engine returns.
"""
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from scoring.rating.policy import Policy, load_policy
from scoring.rating.types import RANK, Level, PersonInput, PersonRating, Settings


@dataclass(frozen=True)
class Context:
    """One rating run: the year, the settings, and the policies they select."""

    year: int
    settings: Settings
    common: Policy
    local: Policy

    @classmethod
    def build(cls, year: int, settings: Settings) -> "Context":
        return cls(year, settings, load_policy("common"), load_policy("local"))

    def policy_for(self, profile: str, rating_unit: str) -> Policy:
        """The unit's own regulation, else the settings' override, else the shipped file."""
        unit = self.settings.unit_policies.get((profile, rating_unit))
        return unit or self.settings.policies.get(profile) or load_policy(profile)

    def rating_date(self, year: int) -> date:
        """The rating date of ``year`` (setting, default 15 December; DECISIONS.md 9)."""
        chosen = self.settings.rating_date
        if chosen is not None:
            if chosen.year != self.year:
                raise ValueError(f"rating_date {chosen} is not in rating year {self.year}")
            return chosen.replace(year=year)
        rule = self.common.rule("rating_date")
        return date(year, int(rule.params["month"]), int(rule.params["day"]))

    def in_rating_year(self, day: date) -> bool:
        """True for a decision after last year's rating date and up to this year's, so a
        decision counts in exactly one rating year."""
        return self.rating_date(self.year - 1) < day <= self.rating_date(self.year)


@dataclass
class Draft:
    """A rating being built: level, provisional council options, reasons, details."""

    person: PersonInput
    profile: str
    policy: Policy
    level: Level = Level.NOT_RATED
    score: Fraction | None = None
    council_options: tuple = ()
    reasons: list = field(default_factory=list)
    period_scores: dict = field(default_factory=dict)
    task_points: dict = field(default_factory=dict)
    general_points: dict = field(default_factory=dict)
    general_detail: dict = field(default_factory=dict)
    components: dict = field(default_factory=dict)
    period_levels: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)

    def add(self, rule_id: str, code: str, policy: Policy | None = None, **params) -> None:
        """Append a reason citing ``rule_id`` of ``policy`` (default: the person's profile)."""
        self.reasons.append((policy or self.policy).reason(rule_id, code, **params))

    def force(self, level: Level) -> None:
        """Set ``level`` whatever the score; a forced level needs no council."""
        self.level, self.council_options = level, ()

    def ask_council(self, options: tuple, provisional: Level) -> None:
        self.level, self.council_options = provisional, tuple(options)

    def cap(self, ceiling: Level) -> bool:
        """Lower the level (and council options) to at most ``ceiling``; True if lowered."""
        options = tuple(o for o in self.council_options if RANK[o] <= RANK[ceiling])
        if self.council_options:
            self.council_options = options if len(options) > 1 else ()
        if RANK.get(self.level, 0) > RANK[ceiling]:
            self.level = ceiling
            return True
        return False

    def freeze(self) -> PersonRating:
        return PersonRating(
            self.person.person_id, self.profile, self.score, self.level, self.level,
            needs_council=bool(self.council_options), council_options=self.council_options,
            reasons=tuple(self.reasons), period_scores=self.period_scores, task_points=self.task_points,
            general_points=self.general_points, general_detail=self.general_detail,
            components=self.components, period_levels=self.period_levels, measures=self.measures)
