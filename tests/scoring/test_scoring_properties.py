"""Properties over many inputs (bounded examples; no app)."""
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.grading import grade_response
from scoring.rating import quota_cap


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 500), rate=st.sampled_from([F(1, 5), F(1, 4)]))
def test_quota_cap_is_the_largest_allowed_count(n, rate):
    # "GOOD only": E EXCELLENT are allowed when E ≤ rate × (N − E)
    e = quota_cap(n, rate)
    assert e <= rate * (n - e)
    assert not (e + 1 <= rate * (n - e - 1))


FRACTIONS = st.fractions(min_value=-1, max_value=1, max_denominator=12)


@settings(max_examples=200, deadline=None)
@given(fractions=st.lists(FRACTIONS, min_size=1, max_size=6), data=st.data())
def test_multichoice_grade_is_always_a_fraction_of_the_mark(fractions, data):
    answers = [{"id": str(i), "fraction": str(f)} for i, f in enumerate(fractions)]
    chosen = data.draw(st.lists(st.sampled_from([a["id"] for a in answers]), min_size=1))
    grade = grade_response("multichoice", {"single": False, "answers": answers}, {"choices": chosen})
    expected = min(max(sum(fractions[int(c)] for c in set(chosen)), 0), 1)
    assert grade.fraction == expected and 0 <= grade.fraction <= 1
