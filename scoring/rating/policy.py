"""Rating policies are data: JSON files in ``scoring/policies/``, one per profile.

A policy has a ``name``, a ``version``, the ``years`` and staff ``categories`` it covers,
``rules`` (each with a citation in Vietnamese and English, flags ``not_law`` and
``unverified``, a ``note`` and its ``params``) and explanation ``templates``. Numbers in
params are strings ``Fraction()`` accepts ("1/5"), never floats.
"""
import json
import string
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from scoring.numbers import to_fraction
from scoring.rating.types import Citation, Reason, StaffCategory

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
LANGS = ("vi", "en")


@dataclass(frozen=True)
class Rule:
    """One rule of a policy; ``params`` is read-only."""

    id: str
    citation: Citation
    not_law: bool
    unverified: bool
    note: str
    params: MappingProxyType
    _fractions: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def frac(self, name: str) -> Fraction:
        """The param ``name`` as an exact Fraction (ValueError if absent or inexact); parsed
        once per rule (the engine asks for the same params for every person)."""
        found = self._fractions.get(name)
        if found is None:
            if name not in self.params:
                raise ValueError(f"rule {self.id}: missing param {name!r}")
            found = self._fractions[name] = to_fraction(self.params[name], f"{self.id}.{name}")
        return found

    def frac_map(self, name: str) -> dict:
        """The mapping param ``name`` (e.g. criterion → maximum) with exact Fraction values, parsed once."""
        key = ("map", name)
        if key not in self._fractions:
            self._fractions[key] = MappingProxyType(
                {k: to_fraction(v, f"{self.id}.{name}.{k}") for k, v in self.params[name].items()})
        return self._fractions[key]


@dataclass(frozen=True)
class Policy:
    """A loaded, validated policy (see the module docstring); ``extra`` holds the other
    top-level sections (levels, vocab, markers of common.json)."""

    name: str
    version: str
    title: MappingProxyType
    years: tuple
    categories: tuple
    rules: MappingProxyType
    templates: MappingProxyType
    extra: MappingProxyType

    def has(self, rule_id: str) -> bool:
        return rule_id in self.rules

    def rule(self, rule_id: str) -> Rule:
        """The rule ``rule_id``; ValueError names the policy when it lacks one."""
        if rule_id not in self.rules:
            raise ValueError(f"policy {self.name} has no rule {rule_id!r}")
        return self.rules[rule_id]

    def covers(self, year: int) -> bool:
        first, last = self.years
        return first <= year and (last is None or year <= last)

    def reason(self, rule_id: str, code: str, *, not_law=None, unverified=None, **params) -> Reason:
        """A Reason citing ``rule_id``; ``not_law``/``unverified`` override the rule's flags."""
        rule = self.rule(rule_id)
        return Reason(code, params, rule.citation,
                      rule.not_law if not_law is None else not_law,
                      rule.unverified if unverified is None else unverified, self.name)


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _rule(rule_id: str, data: dict) -> Rule:
    cite = data.get("citation") or {}
    if not all(isinstance(cite.get(lang), str) and cite[lang].strip() for lang in LANGS):
        raise ValueError(f"rule {rule_id}: a citation in both vi and en is required")
    flags = (data.get("not_law"), data.get("unverified"))
    if not all(isinstance(flag, bool) for flag in flags):
        raise ValueError(f"rule {rule_id}: not_law and unverified must be true or false")
    return Rule(rule_id, Citation(cite["vi"], cite["en"]), *flags, data.get("note", ""),
                _freeze(data.get("params", {})))


def _placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_templates(name: str, templates: dict) -> None:
    for code, texts in templates.items():
        if set(texts) != set(LANGS):
            raise ValueError(f"policy {name}: template {code!r} needs exactly vi and en")
        if _placeholders(texts["vi"]) != _placeholders(texts["en"]):
            raise ValueError(f"policy {name}: template {code!r} has different fields in vi and en")


def policy_from_dict(data: dict) -> Policy:
    """Validate and freeze a policy read from JSON (a file or a unit's regulation).

    Raises ValueError when a required field is missing, a category is unknown, a rule
    lacks a bilingual citation, or a template differs in fields between languages.
    """
    name, version, years = data.get("name"), data.get("version"), data.get("years") or {}
    if not name or not version or not isinstance(years.get("from"), int):
        raise ValueError("a policy needs name, version and years.from")
    categories = tuple(StaffCategory(c) for c in data.get("categories", ()))
    rules = {rule_id: _rule(rule_id, body) for rule_id, body in data.get("rules", {}).items()}
    templates = data.get("templates", {})
    _check_templates(name, templates)
    extra = {k: v for k, v in data.items() if k not in ("name", "version", "title", "years",
                                                          "categories", "rules", "templates")}
    return Policy(name, str(version), _freeze(data.get("title", {})), (years["from"], years.get("to")),
                  categories, MappingProxyType(rules), _freeze(templates), _freeze(extra))


def load_policy_file(path) -> Policy:
    """A policy from a JSON file at ``path`` (UTF-8)."""
    with open(path, encoding="utf-8") as handle:
        return policy_from_dict(json.load(handle))


@lru_cache(maxsize=None)
def load_policy(name: str) -> Policy:
    """A shipped policy by name: ``nd335``, ``nd233``, ``nd90``, ``local`` or ``common``.

    Raises ValueError for an unknown name. Cached: policies are immutable.
    """
    path = POLICY_DIR / f"{name}.json"
    if not name.isidentifier() or not path.is_file():
        raise ValueError(f"no shipped policy named {name!r}")
    return load_policy_file(path)


def shipped_policies() -> tuple:
    """Names of the policy files shipped in scoring/policies/."""
    return tuple(sorted(p.stem for p in POLICY_DIR.glob("*.json")))
