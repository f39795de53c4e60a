from fractions import Fraction

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from templating import format_score


@pytest.fixture(scope="module")
def babel_app():
    app = Flask(__name__)
    Babel(app)
    return app


@pytest.mark.parametrize("value, vi, en", [
    (Fraction(8850, 100), "88,50", "88.50"),
    (Fraction(1, 3) * 100, "33,33", "33.33"),
    (Fraction(2, 3) * 100, "66,67", "66.67"),
    (Fraction(70), "70,00", "70.00"),
    (Fraction(89995, 1000), "90,00", "90.00"),   # half-up: 89.995 -> 90.00 (display only)
    (Fraction(89994, 1000), "89,99", "89.99"),
])
def test_format_score_rounds_half_up_with_locale_separator(babel_app, value, vi, en):
    with babel_app.test_request_context():
        with force_locale("vi"):
            assert format_score(value) == vi
        with force_locale("en"):
            assert format_score(value) == en


def test_format_score_none_is_a_dash(babel_app):
    with babel_app.test_request_context():
        assert format_score(None) == "—"
