"""Dates dd/mm/yyyy and a decimal comma in Vietnamese (DECISIONS 23): the template filters and
the XLSX cells."""
from datetime import date, datetime, timezone
from decimal import Decimal
from fractions import Fraction
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from spreadsheet import workbook_bytes
from templating import format_number, format_percent, local_date, local_dt


@pytest.mark.parametrize("value, places, vi, en", [
    (1490000, None, "1.490.000", "1,490,000"),            # an amount in VND
    (Fraction(5, 2), None, "2,5", "2.5"),
    (Decimal("1234.5"), None, "1.234,5", "1,234.5"),
    (0.1, None, "0,1", "0.1"),                            # a float through its decimal text
    (Fraction(1, 3), 2, "0,33", "0.33"),
    (Fraction(2, 3), 2, "0,67", "0.67"),
    (Fraction(-5, 2), 0, "-3", "-3"),                     # half away from zero
    (12, 2, "12,00", "12.00"),
    (None, None, "—", "—"),
])
def test_numbers_use_the_locale_separators(app, value, places, vi, en):
    with app.test_request_context():
        with force_locale("vi"):
            assert format_number(value, places) == vi
        with force_locale("en"):
            assert format_number(value, places) == en


def test_dates_and_times_are_day_month_year_in_local_time_in_both_languages(app):
    utc = datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc)          # 00:30 on 2 March in Hà Nội
    with app.test_request_context():
        for lang in ("vi", "en"):
            with force_locale(lang):
                assert local_dt(utc) == "02/03/2026 00:30"
                assert local_date(date(2026, 3, 1)) == "01/03/2026"
        with force_locale("vi"):
            assert format_percent(Fraction(1, 3)) == "33,3 %"


def test_the_num_filter_in_a_template(app):
    with app.test_request_context():
        with force_locale("vi"):
            assert app.jinja_env.from_string("{{ 1490000|num }} / {{ x|num(1) }}").render(x=2.25) == "1.490.000 / 2,3"


def test_xlsx_date_cells_show_day_month_year_in_local_time(app):
    data = workbook_bytes("T", ["a", "b", "c"], [[date(2026, 3, 1), datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc),
                                                  Fraction(5, 2).__float__()]])
    ws = load_workbook(BytesIO(data)).active
    day, moment, number = ws["A2"], ws["B2"], ws["C2"]
    assert day.number_format == "dd/mm/yyyy" and day.value == datetime(2026, 3, 1)
    assert moment.number_format == "dd/mm/yyyy hh:mm" and moment.value == datetime(2026, 3, 2, 0, 30)
    # A number stays a number cell: Excel shows it with the reader's decimal separator.
    assert number.data_type == "n" and number.value == 2.5
