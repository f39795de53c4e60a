"""Item analysis of one exam with the formulas of Moodle's quiz statistics report.

Sources: MoodleDocs "Quiz statistics calculations" and Moodle's code that implements it
(``question/classes/statistics/questions/calculator.php``,
``mod/quiz/report/statistics/classes/calculator.php``), so the figures can be compared with
Moodle's. Statistics keep Moodle's scales: facility and random-guess score are fractions,
SDs are in marks, weights, discrimination index, discriminative efficiency, CIC and error
ratio are percentages.

For item j, over the s attempts that were asked it, with x its mark, y = T − x the rest of
the test and T the attempt's total (all variances and covariances divide by s − 1):

- facility F = mean(x) / max_mark; SD = sd(x);
- discrimination index DI = 100 cov(x, y) / sqrt(var x · var y);
- discriminative efficiency DE = 100 cov(x, y) / covmax, covmax the covariance of x and y
  each sorted ascending (the largest covariance their values allow);
- effective weight EW = 100 sqrt(cov(x, T)) / Σ_i sqrt(cov(x_i, T)) over the items with
  cov ≥ 0; None for an item with a negative covariance;
- intended weight = 100 max_mark / max_score; random-guess score as Moodle's qtypes give it.

For the test, over the n totals T: mean, median, SD (n − 1), skewness k3 / k2^1.5 and
kurtosis k4 / k2² (Fisher's k-statistics, as Moodle), CIC = 100 p/(p − 1)(1 − Σ var / k2)
over the p positions of the paper (Cronbach's alpha in percent), error ratio
ER = 100 sqrt(1 − CIC/100) and standard error SE = ER · SD / 100 (marks).

One difference from Moodle: when each paper draws its questions at random, Moodle
correlates a drawn question with the whole total; here every item is correlated with the
*rest* of the test (the issue's definition), which for a fixed paper is exactly Moodle's.

Beyond Moodle: Kelley's upper and lower groups (the top and bottom 27% of attempts by
total, ties at the cut broken by input order), the upper-lower discrimination
D = F_upper − F_lower, and per option how often each group chose it (distractor analysis).
Flags name what a reader should look at; their thresholds are the constants below.
"""
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import factorial

import numpy as np

__all__ = ["Flag", "ItemAnalysis", "ItemSpec", "ItemStats", "OptionSpec", "OptionStats", "TestStats",
           "analyse", "random_guess_score", "FLAG_CODES"]

GROUP_SHARE = 0.27        # Kelley (1939): the top and bottom 27% of attempts
TOO_EASY = 0.90           # Moodle's facility bands: 90–95 % "very easy", 96–100 % "extremely easy"
TOO_HARD = 0.20           # … 11–20 % "difficult", 6–10 % "very difficult", ≤ 5 % "extremely difficult"
MIN_ATTEMPTS = 10         # fewer attempts at an item: no flag (too little to judge)
FLAG_CODES = ("too_easy", "too_hard", "negative_discrimination", "distractor_attracts_top", "key_looks_wrong")


@dataclass(frozen=True)
class OptionSpec:
    """One option of a choice question: its id and the fraction of the mark it earns."""

    key: str
    fraction: float


@dataclass(frozen=True)
class ItemSpec:
    """One distinct question of the exam (the caller's ``key``: a version id)."""

    key: object
    max_mark: float
    random_guess: float | None = None
    options: tuple[OptionSpec, ...] = ()

    @property
    def answer_key(self) -> int | None:
        """Index of the keyed option (the highest positive fraction), None without options."""
        if not self.options:
            return None
        best = max(range(len(self.options)), key=lambda i: self.options[i].fraction)
        return best if self.options[best].fraction > 0 else None


@dataclass(frozen=True)
class OptionStats:
    """How often the option was chosen: by all who were asked the item, and by the upper
    and lower groups (shares of the group members asked the item)."""

    key: str
    fraction: float
    is_key: bool
    count: int
    share: float | None
    upper_share: float | None
    lower_share: float | None


@dataclass(frozen=True)
class Flag:
    """Something to look at: ``code`` in FLAG_CODES, the item's index, the option's key
    (for the two option flags) and the figure that triggered it."""

    code: str
    item: int
    option: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class ItemStats:
    key: object
    attempts: int
    max_mark: float
    facility: float | None
    sd: float | None
    random_guess: float | None
    intended_weight: float | None
    effective_weight: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    upper_facility: float | None
    lower_facility: float | None
    upper_lower: float | None
    options: tuple[OptionStats, ...] = ()
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class TestStats:
    attempts: int
    max_score: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class ItemAnalysis:
    test: TestStats
    items: tuple[ItemStats, ...]
    group_size: int
    flags: tuple[Flag, ...] = field(default=())


def analyse(marks, items, choices=None, position_marks=None, max_score: float | None = None,
            min_attempts: int = MIN_ATTEMPTS) -> ItemAnalysis:
    """Analyse ``marks``, an (n attempts × k items) float array of the mark each attempt got
    on each item, NaN where the attempt was not asked the item; ``items`` the k ItemSpecs.

    ``choices`` (n × k ints): index into ``items[j].options`` of the option chosen, −1 for
    none. ``position_marks`` (n × p, no NaN): the marks by position on the paper, for the
    CIC; by default ``marks`` itself when no attempt misses an item (a fixed paper), else the
    CIC is None. ``max_score``: the paper's maximum, by default the mean over attempts of the
    max marks of the items asked. Raises ValueError on mismatched shapes.
    """
    marks = np.asarray(marks, dtype=float)
    n, k = marks.shape
    if len(items) != k:
        raise ValueError(f"{k} item columns but {len(items)} ItemSpecs")
    asked = ~np.isnan(marks)
    x = np.where(asked, marks, 0.0)
    totals = x.sum(axis=1)
    maxima = np.array([it.max_mark for it in items], dtype=float)
    if max_score is None:
        max_score = float((asked * maxima).sum(axis=1).mean()) if n else float(maxima.sum())
    if position_marks is None and asked.all():
        position_marks = marks
    test = _test_stats(totals, position_marks, max_score)
    upper, lower, group = _groups(totals)
    columns = _item_columns(x, asked, totals)
    stats = []
    for j, item in enumerate(items):
        options = _option_stats(item, j, choices, asked, upper, lower)
        stats.append(_item_stats(item, j, columns, asked, x, upper, lower, options, max_score))
    stats = [_with_flags(s, j, items[j], min_attempts) for j, s in enumerate(stats)]
    flags = tuple(f for s in stats for f in s.flags)
    return ItemAnalysis(test=test, items=tuple(stats), group_size=group, flags=flags)


def _test_stats(totals: np.ndarray, position_marks, max_score: float) -> TestStats:
    s = len(totals)
    if s == 0:
        return TestStats(0, max_score, None, None, None, None, None, None, None, None)
    mean = float(totals.mean())
    median = float(np.median(totals))
    sd = skew = kurt = cic = er = se = None
    if s > 1:
        d = totals - mean
        p2, p3, p4 = float((d ** 2).sum()), float((d ** 3).sum()), float((d ** 4).sum())
        sd = (p2 / (s - 1)) ** 0.5
        if s > 2:
            m2, m3, m4 = p2 / s, p3 / s, p4 / s
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            if k2 != 0:
                skew = k3 / k2 ** 1.5
                if s > 3:
                    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                    kurt = k4 / (k2 * k2)
                cic, er, se = _reliability(position_marks, k2, sd)
    return TestStats(s, max_score, mean, median, sd, skew, kurt, cic, er, se)


def _reliability(position_marks, k2: float, sd: float):
    if position_marks is None:
        return None, None, None
    pm = np.asarray(position_marks, dtype=float)
    p = pm.shape[1]
    if p < 2 or np.isnan(pm).any():
        return None, None, None
    cic = 100 * p / (p - 1) * (1 - float(pm.var(axis=0, ddof=1).sum()) / k2)
    er = 100 * (1 - cic / 100) ** 0.5
    return cic, er, er * sd / 100


def _groups(totals: np.ndarray):
    """Boolean masks of the upper and lower 27% (round half up, at least 1 when n ≥ 2)."""
    n = len(totals)
    upper, lower = np.zeros(n, bool), np.zeros(n, bool)
    if n < 2:
        return upper, lower, 0
    size = min(max(1, int(GROUP_SHARE * n + 0.5)), n // 2)
    order = np.argsort(-totals, kind="stable")
    upper[order[:size]] = True
    lower[np.argsort(totals, kind="stable")[:size]] = True
    return upper, lower, size


def _item_columns(x, asked, totals) -> dict:
    """Moodle's per-item moments, for all items at once (masked by ``asked``)."""
    s = asked.sum(axis=0)
    safe = np.maximum(s, 1)
    rest = np.where(asked, totals[:, None] - x, 0.0)
    xm, rm, tm = x.sum(0) / safe, rest.sum(0) / safe, (asked * totals[:, None]).sum(0) / safe
    dx = np.where(asked, x - xm, 0.0)
    dr = np.where(asked, rest - rm, 0.0)
    dt = np.where(asked, totals[:, None] - tm, 0.0)
    # covmax: pair the sorted marks with the sorted rests (NaN, sorted last, fill the unasked rows).
    sx = np.sort(np.where(asked, x, np.nan), axis=0) - xm
    sr = np.sort(np.where(asked, rest, np.nan), axis=0) - rm
    denom = np.maximum(s - 1, 1)
    cov_total = (dx * dt).sum(0) / denom
    weighable = (s > 1) & (cov_total >= 0)
    roots = np.sqrt(np.where(weighable, cov_total, 0.0))
    weights = 100 * roots / roots.sum() if roots.sum() else np.zeros_like(roots)
    return {
        "s": s, "mean": xm, "var": (dx ** 2).sum(0) / denom, "rest_var": (dr ** 2).sum(0) / denom,
        "cov": (dx * dr).sum(0) / denom, "covmax": np.nansum(sx * sr, axis=0) / denom,
        "weight": np.where(weighable & (roots.sum() > 0), weights, np.nan),
    }


def _item_stats(item, j, c, asked, x, upper, lower, options, max_score) -> ItemStats:
    s = int(c["s"][j])
    facility = float(c["mean"][j] / item.max_mark) if s and item.max_mark else None
    sd = di = de = None
    if s > 1:
        var, rest_var, cov, covmax = (float(c[name][j]) for name in ("var", "rest_var", "cov", "covmax"))
        sd = var ** 0.5
        di = 100 * cov / (var * rest_var) ** 0.5 if var * rest_var else None
        de = 100 * cov / covmax if covmax else None
    up, low = _group_facility(x[:, j], asked[:, j], upper, item), _group_facility(x[:, j], asked[:, j], lower, item)
    return ItemStats(
        key=item.key, attempts=s, max_mark=item.max_mark, facility=facility, sd=sd,
        random_guess=item.random_guess,
        intended_weight=100 * item.max_mark / max_score if max_score else None,
        effective_weight=_none_if_nan(c["weight"][j]), discrimination_index=di, discriminative_efficiency=de,
        upper_facility=up, lower_facility=low, upper_lower=None if up is None or low is None else up - low,
        options=options)


def _none_if_nan(value) -> float | None:
    return None if np.isnan(value) else float(value)


def _group_facility(col, asked_col, group, item) -> float | None:
    members = asked_col & group
    if not members.any() or not item.max_mark:
        return None
    return float(col[members].mean() / item.max_mark)


def _option_stats(item: ItemSpec, j: int, choices, asked, upper, lower) -> tuple[OptionStats, ...]:
    if not item.options or choices is None:
        return ()
    col = np.asarray(choices)[:, j]
    m = len(item.options)
    key = item.answer_key

    def counts(mask):
        picked = col[mask & asked[:, j] & (col >= 0) & (col < m)]
        return np.bincount(picked, minlength=m), int((mask & asked[:, j]).sum())

    everyone, n_all = counts(np.ones(len(col), bool))
    top, n_top = counts(upper)
    bottom, n_bottom = counts(lower)
    return tuple(OptionStats(
        key=o.key, fraction=o.fraction, is_key=i == key, count=int(everyone[i]),
        share=everyone[i] / n_all if n_all else None, upper_share=top[i] / n_top if n_top else None,
        lower_share=bottom[i] / n_bottom if n_bottom else None) for i, o in enumerate(item.options))


def _with_flags(stats: ItemStats, j: int, item: ItemSpec, min_attempts: int) -> ItemStats:
    """Add the flags an item earns (none below ``min_attempts``)."""
    if stats.attempts < min_attempts or stats.facility is None:
        return stats
    flags = []
    if stats.facility >= TOO_EASY:
        flags.append(Flag("too_easy", j, value=stats.facility))
    if stats.facility <= TOO_HARD:
        flags.append(Flag("too_hard", j, value=stats.facility))
    if stats.discrimination_index is not None and stats.discrimination_index < 0:
        flags.append(Flag("negative_discrimination", j, value=stats.discrimination_index))
    key = next((o for o in stats.options if o.is_key), None)
    for o in stats.options:
        if o.is_key or o.upper_share is None or o.lower_share is None:
            continue
        if o.upper_share > o.lower_share:
            flags.append(Flag("distractor_attracts_top", j, o.key, o.upper_share - o.lower_share))
        if key is not None and o.upper_share > key.upper_share:
            flags.append(Flag("key_looks_wrong", j, o.key, o.upper_share))
    return replace(stats, flags=tuple(flags))


# ---- random-guess score (Moodle's get_random_guess_score per qtype) -----------------

def random_guess_score(qtype: str, payload: dict) -> float | None:
    """The fraction a blind guess earns on average, as Moodle's question types define it:
    multichoice (one answer) the mean of the options' fractions, several answers None;
    truefalse ½; shortanswer and numerical the fraction of a ``*`` answer, else 0; matching
    1 / number of distinct answers; ordering 1/n! (all or nothing) or 1/n (per position);
    cloze the mark-weighted mean of its parts; essay and description None."""
    payload = payload or {}
    if qtype == "multichoice":
        answers = payload.get("answers") or []
        if not payload.get("single", True) or not answers:
            return None
        return float(sum(Fraction(a["fraction"]) for a in answers) / len(answers))
    if qtype == "truefalse":
        return 0.5
    if qtype in ("shortanswer", "numerical"):
        field_name = "text" if qtype == "shortanswer" else "value"
        star = [a for a in payload.get("answers") or [] if str(a.get(field_name, "")).strip() == "*"]
        return float(Fraction(star[0]["fraction"])) if star else 0.0
    if qtype == "matching":
        answers = {s["answer"] for s in payload.get("subquestions") or []}
        return 1 / len(answers) if answers else None
    if qtype == "ordering":
        n = len(payload.get("items") or [])
        if not n:
            return None
        return 1 / n if payload.get("grading") == "absolute_position" else 1 / factorial(n)
    if qtype == "cloze":
        return _cloze_guess(payload)
    return None


def _cloze_guess(payload: dict) -> float | None:
    parts = payload.get("parts") or []
    weights = [(Fraction(p["mark"]), random_guess_score(p["qtype"], p.get("payload"))) for p in parts]
    total = sum((w for w, _ in weights), Fraction(0))
    if not total or any(g is None for _, g in weights):
        return None
    return float(sum(float(w) * g for w, g in weights) / float(total))
