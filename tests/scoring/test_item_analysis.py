"""Item analysis against a published worked example and an independent implementation.

1. Moodle's own worked example: the 25 attempts × 7 questions of
   ``mod/quiz/report/statistics/tests/fixtures/results00.csv`` and the statistics Moodle's
   test expects for them (``qstats00.csv`` and ``check_quiz_stats_for_quiz_00`` in
   ``stats_from_steps_walkthrough_test.php``), which its author computed independently in a
   spreadsheet (github.com/jamiepratt/moodle-quiz-tools, statsspreadsheet). Matched to 1e-9.
2. An independent implementation written here from the definitions, in exact ``Fraction``
   arithmetic with Python's ``statistics`` module (no numpy), on random papers drawn from a
   pool with partial credit and unequal marks; matched to 1e-9.
3. Upper/lower groups, distractor counts and flags on a small example worked by hand.
"""
import math
import random
import statistics
from fractions import Fraction

import numpy as np
import pytest

from scoring.item_analysis import ItemSpec, OptionSpec, analyse, random_guess_score

# results00.csv: marks of slots 1–7 (each out of 1) for quiz attempts 1–25.
MOODLE_MARKS = [
    [1, 1, 1, 1, 1, 0, 1], [1, 1, 1, 1, .5, 1, 0], [1, 1, 1, 1, .5, 0, 1], [0, 0, 1, 1, 1, 0, 0],
    [1, 0, 1, 0, 0, 1, .5], [1, 1, 1, 1, .5, 0, .5], [0, 1, 1, 1, .5, 1, .5], [1, 1, 1, 0, .5, 1, .5],
    [1, 0, 1, 1, 1, 1, 1], [0, 1, 1, 0, .5, 1, .5], [.8, 0, 1, 1, .5, 1, .5], [1, 1, 1, 0, .5, 1, 1],
    [1, 0, 1, 1, .5, 1, .5], [1, 0, 1, 1, 1, 0, .5], [0, 0, 1, 1, 0, 1, 1], [1, 0, 1, 0, .5, 1, 1],
    [.8, 0, 1, 1, .5, 0, 1], [1, 0, 1, 1, 0, 1, .5], [1, 0, 1, 1, .5, 0, .5], [0, 1, 1, 0, .5, 1, 0],
    [1, 1, 0.3333333, 1, .5, 0, .5], [1, 1, 1, 0, .5, 0, .5], [1, 1, 1, 1, 0, 1, .5], [0, 0, 1, 0, .5, 1, 1],
    [0, 0, 1, 1, 1, 1, 1],
]
# qstats00.csv: facility, sd, effectiveweight, discriminationindex, discriminativeefficiency per slot.
MOODLE_QSTATS = [
    (0.704, 0.4513682901, 21.2922742344, -7.0650767526, -9.4550536967),
    (0.48, 0.5099019514, 18.8979800309, -28.8982125772, -36.7834118938),
    (0.973333332, 0.13333334, 4.443012573, -9.1230674268, -21.6545012165),
    (0.68, 0.4760952286, 18.9347251357, -22.6306444113, -31.4411395613),
    (0.52, 0.3055050463, 11.1450138688, -17.6997047674, -21.1794802584),
    (0.64, 0.4898979486, 9.8081339177, -45.3785178421, -56.9365974439),
    (0.62, 0.331662479, 15.4788602394, -5.6543166602, -6.5043742058),
]
MOODLE_QUIZ = {"median": 4.5, "mean": 4.617333332, "sd": 0.8117265554, "skewness": -0.092502502,
               "kurtosis": -0.7073968557, "cic": -87.2230935542, "error_ratio": 136.8294900795,
               "standard_error": 1.1106813066}


def moodle_example():
    return analyse(np.array(MOODLE_MARKS, dtype=float), [ItemSpec(slot, 1.0) for slot in range(1, 8)])


def test_question_statistics_match_moodles_worked_example():
    result = moodle_example()
    for item, expected in zip(result.items, MOODLE_QSTATS):
        got = (item.facility, item.sd, item.effective_weight, item.discrimination_index,
               item.discriminative_efficiency)
        assert got == pytest.approx(expected, abs=1e-9, rel=0), item.key


def test_test_statistics_match_moodles_worked_example():
    test = moodle_example().test
    assert test.attempts == 25 and test.max_score == 7
    for name, expected in MOODLE_QUIZ.items():
        assert getattr(test, name) == pytest.approx(expected, abs=1e-9, rel=0), name


# ---- an independent implementation, exact ----------------------------------------------

def _reference(papers, max_mark, k):
    """Per item (facility, sd, DI, DE, EW) and test (mean, median, sd, skew, kurt), from
    the definitions, with Fractions; ``papers[i]`` maps item → mark of attempt i."""
    totals = [sum(p.values(), Fraction(0)) for p in papers]
    per_item, roots = [], {}
    for j in range(k):
        rows = [(p[j], t - p[j], t) for p, t in zip(papers, totals) if j in p]
        x, rest, tot = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        var_x, var_r, cov = statistics.variance(x), statistics.variance(rest), statistics.covariance(x, rest)
        covmax = statistics.covariance(sorted(x), sorted(rest))
        cov_t = statistics.covariance(x, tot)
        roots[j] = math.sqrt(cov_t) if cov_t >= 0 else None
        per_item.append([statistics.mean(x) / max_mark[j], math.sqrt(var_x),
                         100 * float(cov) / math.sqrt(var_x * var_r), 100 * float(cov / covmax)])
    total_root = sum(r for r in roots.values() if r is not None)
    for j, row in enumerate(per_item):
        row.append(None if roots[j] is None else 100 * roots[j] / total_root)
    n, mean = len(totals), statistics.mean(totals)
    m = [sum((t - mean) ** e for t in totals) / n for e in (2, 3, 4)]
    k2 = n * m[0] / (n - 1)
    k3 = n * n * m[1] / ((n - 1) * (n - 2))
    k4 = n * n * ((n + 1) * m[2] - 3 * (n - 1) * m[0] ** 2) / ((n - 1) * (n - 2) * (n - 3))
    test = [mean, statistics.median(totals), math.sqrt(statistics.variance(totals)),
            float(k3) / float(k2) ** 1.5, float(k4 / k2 ** 2)]
    return per_item, test


def test_random_papers_match_an_exact_independent_implementation():
    rng = random.Random(20260415)
    k, per_paper, n = 12, 7, 80
    max_mark = [Fraction(rng.choice([1, 2])) for _ in range(k)]
    credit = [Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(1)]
    papers = []
    for _ in range(n):
        ability = rng.random()
        drawn = rng.sample(range(k), per_paper)
        papers.append({j: max_mark[j] * (credit[-1] if rng.random() < ability else rng.choice(credit[:3]))
                       for j in drawn})
    marks = np.full((n, k), np.nan)
    for i, paper in enumerate(papers):
        for j, mark in paper.items():
            marks[i, j] = float(mark)
    result = analyse(marks, [ItemSpec(j, float(max_mark[j])) for j in range(k)])
    expected_items, expected_test = _reference(papers, max_mark, k)
    for item, expected in zip(result.items, expected_items):
        got = [item.facility, item.sd, item.discrimination_index, item.discriminative_efficiency,
               item.effective_weight]
        assert got == pytest.approx([float(v) if v is not None else None for v in expected], abs=1e-9, rel=0)
    t = result.test
    assert [t.mean, t.median, t.sd, t.skewness, t.kurtosis] == pytest.approx(
        [float(v) for v in expected_test], abs=1e-9, rel=0)
    assert t.cic is None  # no fixed paper and no positions given
    assert sum(1 for v in marks.flatten() if not np.isnan(v)) == n * per_paper


def test_discrimination_index_is_the_pearson_correlation_with_the_rest():
    marks = np.array(MOODLE_MARKS, dtype=float)
    result = analyse(marks, [ItemSpec(j, 1.0) for j in range(7)])
    totals = marks.sum(axis=1)
    for j, item in enumerate(result.items):
        r = statistics.correlation(list(marks[:, j]), list(totals - marks[:, j]))
        assert item.discrimination_index == pytest.approx(100 * r, abs=1e-9)


def test_cic_by_position_is_cronbachs_alpha():
    """With positions given, CIC is alpha over them: p/(p−1)·(1 − Σ var_position / var_total)."""
    rng = np.random.default_rng(5)
    pos = rng.integers(0, 2, size=(40, 5)).astype(float)
    ability = rng.random(40)
    pos = np.where(rng.random((40, 5)) < ability[:, None], 1.0, pos)
    result = analyse(pos, [ItemSpec(j, 1.0) for j in range(5)])
    alpha = 5 / 4 * (1 - pos.var(axis=0, ddof=1).sum() / pos.sum(axis=1).var(ddof=1))
    assert result.test.cic == pytest.approx(100 * alpha, abs=1e-9)
    assert result.test.standard_error == pytest.approx(result.test.sd * math.sqrt(1 - alpha), abs=1e-9)


# ---- groups, distractors and flags, worked by hand -------------------------------------

def _choice_example():
    """Ten attempts. Item 0 is a four-option question keyed "a" (fraction 1); items 1–2 are
    right/wrong questions that set the ranking. Totals (item0 + item1 + item2):

    attempt  0  1  2  3  4  5  6  7  8  9
    choice   b  b  a  b  a  c  a  a  d  -
    item0    0  0  1  0  1  0  1  1  0  0
    item1+2  2  2  1  2  1  1  1  0  0  0
    total    2  2  2  2  2  1  2  1  0  0

    Groups of round(0.27 × 10) = 3. Upper: the three highest totals, ties by input order →
    attempts 0, 1, 2. Lower: the three lowest, ties by input order → 8, 9, 5.
    """
    choice = [1, 1, 0, 1, 0, 2, 0, 0, 3, -1]
    item0 = [1.0 if c == 0 else 0.0 for c in choice]
    rest = [2, 2, 1, 2, 1, 1, 1, 0, 0, 0]
    item1 = [min(r, 1) for r in rest]
    item2 = [max(r - 1, 0) for r in rest]
    marks = np.array([item0, item1, item2], dtype=float).T
    choices = np.full((10, 3), -1)
    choices[:, 0] = choice
    options = tuple(OptionSpec(key, f) for key, f in zip("abcd", (1.0, 0.0, 0.0, -0.5)))
    items = [ItemSpec("q0", 1.0, 0.125, options), ItemSpec("q1", 1.0), ItemSpec("q2", 1.0)]
    return analyse(marks, items, choices=choices)


def test_upper_and_lower_groups_and_their_discrimination():
    result = _choice_example()
    assert result.group_size == 3
    q0 = result.items[0]
    # upper 0, 1, 2 answered 0, 0, 1 → 1/3; lower 8, 9, 5 answered 0, 0, 0 → 0.
    assert q0.upper_facility == pytest.approx(1 / 3) and q0.lower_facility == 0
    assert q0.upper_lower == pytest.approx(1 / 3)
    assert q0.facility == pytest.approx(0.4) and q0.random_guess == 0.125


def test_distractor_counts_per_group():
    q0 = _choice_example().items[0]
    table = {o.key: (o.is_key, o.count, o.upper_share, o.lower_share) for o in q0.options}
    assert table["a"] == (True, 4, pytest.approx(1 / 3), 0)
    assert table["b"] == (False, 3, pytest.approx(2 / 3), 0)      # attempts 0, 1 in the upper group
    assert table["c"] == (False, 1, 0, pytest.approx(1 / 3))      # attempt 5, lower
    assert table["d"] == (False, 1, 0, pytest.approx(1 / 3))      # attempt 8, lower
    assert q0.options[0].share == pytest.approx(0.4)              # 4 of the 10 asked


def test_flags_name_the_distractor_that_draws_the_top_group_and_the_suspect_key():
    result = _choice_example()
    codes = {(f.code, f.item, f.option) for f in result.flags}
    # "b" is chosen by 2/3 of the upper group, none of the lower, more than the key "a" (1/3).
    assert ("distractor_attracts_top", 0, "b") in codes
    assert ("key_looks_wrong", 0, "b") in codes
    assert not any(f.option in ("c", "d") for f in result.flags)
    # item 0: facility 0.4 is neither too easy nor too hard.
    assert not {c for c, i, _ in codes if i == 0} & {"too_easy", "too_hard"}


def test_flags_for_easy_hard_and_negative_items():
    result = moodle_example()  # 25 attempts ≥ MIN_ATTEMPTS
    codes = {(f.code, f.item) for f in result.flags}
    assert ("too_easy", 2) in codes                      # facility 0.973
    assert all(("negative_discrimination", j) in codes for j in range(7))  # every DI < 0 here
    assert not any(c == "too_hard" for c, _ in codes)
    few = analyse(np.array(MOODLE_MARKS[:9], dtype=float), [ItemSpec(j, 1.0) for j in range(7)])
    assert few.flags == ()                               # 9 attempts: too few to judge


def test_degenerate_inputs_give_none_not_errors():
    one = analyse(np.array([[1.0, 0.0]]), [ItemSpec(0, 1.0), ItemSpec(1, 1.0)])
    assert one.test.sd is None and one.items[0].discrimination_index is None and one.group_size == 0
    empty = analyse(np.zeros((0, 2)), [ItemSpec(0, 1.0), ItemSpec(1, 1.0)])
    assert empty.test.attempts == 0 and empty.items[0].facility is None
    with pytest.raises(ValueError):
        analyse(np.zeros((3, 2)), [ItemSpec(0, 1.0)])


@pytest.mark.parametrize("qtype, payload, expected", [
    ("multichoice", {"single": True, "answers": [{"fraction": "1"}, {"fraction": "0"}, {"fraction": "0"},
                                                  {"fraction": "0"}]}, 0.25),
    ("multichoice", {"single": True, "answers": [{"fraction": "1"}, {"fraction": "1/2"}, {"fraction": "-1/2"}]}, 1 / 3),
    ("multichoice", {"single": False, "answers": [{"fraction": "1/2"}, {"fraction": "1/2"}]}, None),
    ("truefalse", {"correct": True}, 0.5),
    ("shortanswer", {"answers": [{"text": "x", "fraction": "1"}, {"text": "*", "fraction": "1/10"}]}, 0.1),
    ("numerical", {"answers": [{"value": "3", "fraction": "1"}]}, 0.0),
    ("matching", {"subquestions": [{"answer": "A"}, {"answer": "B"}, {"answer": "C"}, {"answer": "C"}]}, 1 / 3),
    ("ordering", {"items": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}, 1 / 6),
    ("ordering", {"items": [{"id": "1"}, {"id": "2"}, {"id": "3"}], "grading": "absolute_position"}, 1 / 3),
    ("cloze", {"parts": [{"qtype": "multichoice", "mark": "1", "payload": {"answers": [{"fraction": "1"}, {"fraction": "0"}]}},
                         {"qtype": "shortanswer", "mark": "3", "payload": {"answers": [{"text": "a", "fraction": "1"}]}}]},
     0.125),
    ("essay", {}, None),
])
def test_random_guess_score_per_qtype(qtype, payload, expected):
    got = random_guess_score(qtype, payload)
    assert (got is None) if expected is None else got == pytest.approx(expected)
