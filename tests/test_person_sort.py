"""Vietnamese name order (DECISIONS 23): by given name, then the rest, in Vietnamese collation.

Worked by hand for the five names: the given names are An, Ánh, Bảo, Dũng, Đức.  "An" is a
prefix of "Anh" (the tone of Á only breaks ties), b follows a, and in the Vietnamese
alphabet đ is a letter after d, so Dũng comes before Đức — plain Unicode collation puts
"Đức" first, reading đ as a d with a mark.
"""
from datetime import date
from fractions import Fraction
from io import BytesIO

import pytest
from openpyxl import load_workbook

from classification.models import YearlyClassification
from extensions import db
from performance.models import Task
from tests import factories as f
from tests.security.helpers import login_as
from text_utils import person_sort_key, vi_sort_key

NAMES = ["Phạm Minh Đức", "Đỗ Văn Dũng", "Lê Bảo", "Trần Thị Ánh", "Nguyễn Văn An"]
BY_HAND = ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Bảo", "Đỗ Văn Dũng", "Phạm Minh Đức"]


def test_the_five_names_sort_by_given_name():
    assert sorted(NAMES, key=person_sort_key) == BY_HAND
    assert sorted(reversed(NAMES), key=person_sort_key) == BY_HAND


@pytest.mark.parametrize("words, ordered", [
    (["Ân", "Ăn", "Anh", "An"], ["An", "Anh", "Ăn", "Ân"]),          # a < ă < â are letters
    (["Ưng", "Uyên"], ["Uyên", "Ưng"]),                               # u < ư
    (["Ơn", "Ôn", "Oanh"], ["Oanh", "Ôn", "Ơn"]),                     # o < ô < ơ
    (["Đào", "Dương", "Duy"], ["Duy", "Dương", "Đào"]),               # d < đ, u < ư
    (["Hạ", "Há", "Hã", "Hả", "Hà", "Ha"], ["Ha", "Hà", "Hả", "Hã", "Há", "Hạ"]),  # tones break ties
    (["Hải", "Hai", "Hạnh"], ["Hai", "Hải", "Hạnh"]),                 # the letters before the tones
])
def test_vietnamese_letters_and_tones(words, ordered):
    assert sorted(words, key=vi_sort_key) == ordered


def test_equal_given_names_go_by_the_rest_and_decomposed_input_sorts_alike():
    assert sorted(["Trần Văn An", "Nguyễn Văn An", "Lê An"], key=person_sort_key) == \
        ["Lê An", "Nguyễn Văn An", "Trần Văn An"]
    nfd = "Đỗ Văn Du\u0303ng"  # ũ typed as u + combining tilde
    assert person_sort_key(nfd) == person_sort_key("Đỗ Văn Dũng")
    assert person_sort_key("  Lê   Bảo ") == person_sort_key("Lê Bảo")


@pytest.fixture
def people(app):
    p = f.agency("P", kind="province")
    d = f.agency("D", p, rating_unit=True)
    hr = f.user("tccb", p, roles=[("hr_officer", p)])
    boss = f.user("truong.phong", p, roles=[("supervisor", d)], leader=True)
    staff = []
    for i, name in enumerate(NAMES):
        person = f.user(f"nguoi{i}", d)
        person.full_name = name
        staff.append(person)
        db.session.add(Task(year=2026, period="2026-Q1", assigner_id=boss.id, assignee_id=person.id, title=f"T{i}",
                            target=Fraction(1), deadline=date(2026, 3, 31)))
        db.session.add(YearlyClassification(user_id=person.id, year=2026, profile="nd335", score=Fraction(80 + i),
                                            level_before_quota="GOOD", level="GOOD"))
    db.session.commit()
    return {"P": p, "D": d, "hr": hr, "boss": boss, "staff": staff}


def _in_page_order(page: str) -> list[str]:
    found = sorted((page.find(name), name) for name in NAMES)
    assert all(pos >= 0 for pos, _n in found), page
    return [name for _pos, name in found]


def _column(data: bytes, col: int) -> list[str]:
    ws = load_workbook(BytesIO(data)).active
    return [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]


def test_the_staff_list(app, client, people):
    login_as(client, people["hr"])
    assert _in_page_order(client.get(f"/agencies/{people['D'].id}").get_data(as_text=True)) == BY_HAND


def test_the_team_and_its_task_export(app, client, people):
    login_as(client, people["boss"])
    assert _in_page_order(client.get("/tasks/team?year=2026").get_data(as_text=True)) == BY_HAND
    assert _column(client.get("/tasks/export.xlsx?year=2026").data, 3) == BY_HAND


def test_rating_results_rewards_and_their_exports(app, client, people):
    login_as(client, people["hr"])
    unit = people["D"].id
    assert _in_page_order(client.get(f"/rating/results/{unit}/2026").get_data(as_text=True)) == BY_HAND
    assert _column(client.get(f"/rating/results/{unit}/2026.xlsx").data, 2) == BY_HAND
    assert _in_page_order(client.get(f"/rating/rewards/{unit}/2026").get_data(as_text=True)) == BY_HAND
    assert _column(client.get(f"/rating/rewards/{unit}/2026.xlsx").data, 2) == BY_HAND


def test_the_exam_reports_use_the_shared_key():
    from reports.queries import name_key

    assert sorted(NAMES, key=name_key) == BY_HAND


def test_the_unit_lists_behind_the_quarter_and_stage_pages(app, people):
    from classification.stages import unit_people
    from classification.workflow import unit_rows

    assert [r.user.full_name for r in unit_rows(people["D"], 2026)] == BY_HAND
    assert [u.full_name for u in unit_people(people["D"])] == BY_HAND
