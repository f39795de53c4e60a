from fractions import Fraction

import pytest

from text_utils import fold, plain


@pytest.mark.parametrize("text, folded", [
    ("Luật Đấu thầu", "luat dau thau"),
    ("ĐIỀU 20 khoản 4", "dieu 20 khoan 4"),
    ("Nghị   định\n335", "nghi dinh 335"),
    ("Trưởng phòng", "truong phong"),
])
def test_fold_removes_accents_case_and_extra_space(text, folded):
    assert fold(text) == folded


def test_fold_matches_decomposed_input():
    # "ế" typed as e + U+0302 + U+0301 (NFD) folds the same as the precomposed form.
    assert fold("Bi\u0065\u0302\u0301n ba\u0309n") == fold("Biến bản") == "bien ban"


def test_plain_strips_tags_and_entities():
    assert plain("<p>A &amp; B<br/>C</p>") == "A & B C"
