"""Readable sentences from reasons, in Vietnamese or English, and reasons as JSON.

Templates live in the policy files (the reason's own policy, then common.json):
``explain(reason, "vi")`` → "Điểm bình quân năm 88,50 → Hoàn thành tốt nhiệm vụ
(Điều 20 khoản 2 Nghị định 335/2025/NĐ-CP)". Scores show 2 decimals rounded half-up,
other numbers at most 2; decimal comma in Vietnamese; dates dd/mm/yyyy.
"""
from dataclasses import fields
from datetime import date
from fractions import Fraction

from scoring.numbers import DECIMAL_MARK, format_decimal
from scoring.rating.policy import LANGS, Policy, load_policy
from scoring.rating.types import Citation, Level, PersonRating, Reason

FIXED_TWO = ("score", "general", "task")


def level_name(level: Level, lang: str = "vi") -> str:
    """The official name of ``level`` ("Hoàn thành tốt nhiệm vụ" / "completing tasks well")."""
    return load_policy("common").extra["levels"][Level(level).value][_lang(lang)]


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} not in {LANGS}")
    return lang


def _number(key: str, value, lang: str) -> str:
    text = _two_places(value, lang)
    if key in FIXED_TWO:
        return text
    return text.rstrip("0").rstrip(",.")


def _two_places(value, lang: str) -> str:
    """``format_decimal(value, lang)`` (2 places, half away from zero) in integer arithmetic:
    the explanation of a whole province formats a few million numbers."""
    if isinstance(value, int):
        return f"{value}{DECIMAL_MARK.get(lang, '.')}00" if value >= 0 else format_decimal(Fraction(value), lang)
    n, d = value.numerator, value.denominator
    magnitude = (abs(n) * 200 + d) // (2 * d)
    whole, part = divmod(magnitude, 100)
    sign = "-" if n < 0 and magnitude else ""
    return f"{sign}{whole}{DECIMAL_MARK.get(lang, '.')}{part:02d}"


def render_value(key: str, value, lang: str) -> str:
    """One param as text: levels by name, numbers, dates, lists and vocabulary words."""
    common = load_policy("common").extra
    if isinstance(value, Level):
        return level_name(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, Fraction)):
        return _number(key, value, lang)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (list, tuple)):
        joiner = common["markers"]["or" if key == "options" else "list_separator"][lang]
        return joiner.join(render_value(key, item, lang) for item in value)
    vocab = common["vocab"].get(key, {})
    return vocab[value][lang] if value in vocab else str(value)


def _template(reason: Reason, policy: Policy | None, lang: str) -> str:
    for source in (policy, _shipped(reason.policy), load_policy("common")):
        if source is not None and reason.code in source.templates:
            return source.templates[reason.code][lang]
    raise ValueError(f"no template for reason {reason.code!r}")


def _shipped(name: str) -> Policy | None:
    try:
        return load_policy(name)
    except ValueError:
        return None


def explain(reason: Reason, lang: str = "vi", policy: Policy | None = None) -> str:
    """The sentence for ``reason`` in ``lang`` ("vi" or "en"), its citation in brackets
    and the flags "not law" / "unverified" when set. ``policy``: a unit's own policy
    whose templates take precedence. Raises ValueError for an unknown language or code."""
    lang = _lang(lang)
    params = {key: render_value(key, value, lang) for key, value in reason.params.items()}
    text = _template(reason, policy, lang).format(**params)
    markers = load_policy("common").extra["markers"]
    notes = [getattr(reason.citation, lang)] if reason.citation else []
    notes += [markers[flag][lang] for flag in ("not_law", "unverified") if getattr(reason, flag)]
    return f"{text} ({'; '.join(notes)})" if notes else text


def _encode(value):
    kind = type(value)
    if kind is Fraction:
        n, d = value.numerator, value.denominator      # str(Fraction), without its method calls
        return {"$fraction": f"{n}/{d}" if d != 1 else f"{n}"}
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, Level):
        return {"$level": value.value}
    if isinstance(value, Fraction):
        return {"$fraction": str(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, Reason):
        return reason_to_json(value)
    if hasattr(value, "items"):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        decoders = {"$level": Level, "$fraction": Fraction, "$date": date.fromisoformat}
        if tag in decoders:
            return decoders[tag](raw)
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def reason_to_json(reason: Reason) -> dict:
    """A JSON-safe dict of ``reason`` (Fractions, levels and dates tagged, exact)."""
    cite = None if reason.citation is None else {"vi": reason.citation.vi, "en": reason.citation.en}
    return {"code": reason.code, "params": {k: _encode(v) for k, v in reason.params.items()},
            "citation": cite, "not_law": reason.not_law, "unverified": reason.unverified,
            "policy": reason.policy}


def reason_from_json(data: dict) -> Reason:
    """The inverse of :func:`reason_to_json`."""
    cite = data.get("citation")
    return Reason(data["code"], {k: _decode(v) for k, v in data["params"].items()},
                  Citation(cite["vi"], cite["en"]) if cite else None, data["not_law"],
                  data.get("unverified", False), data.get("policy", "common"))


def rating_to_json(rating: PersonRating, exclude=()) -> dict:
    """A JSON-safe dict of every field of ``rating`` but ``exclude`` (same tagging as
    reason_to_json: {"$fraction": "257/3"}, {"$level": "GOOD"}), e.g. for a JSON column."""
    return {f.name: _encode(getattr(rating, f.name)) for f in fields(rating) if f.name not in exclude}
