"""Who reaches which report (small exam of conftest.py): role × URL, status codes."""
import pytest

from tests.factories import PASSWORD

# reader → {url template: status}; {exam}, {item}, {p}, {a}, {b}, {an}, {an_attempt}, {chi_attempt}
MATRIX = {
    "admin1": {  # exam admin at P (the organiser): everything about the exam, no HR dashboard
        "/reports/": 200, "/reports/exam/{exam}": 200, "/reports/exam/{exam}/items": 200,
        "/reports/exam/{exam}/items/{item}": 200, "/reports/exam/{exam}/options.xlsx": 200,
        "/reports/exam/{exam}/results.xlsx": 200, "/reports/exam/{exam}/nope.xlsx": 404,
        "/reports/unit/{p}": 200, "/reports/person/{an}": 200, "/reports/hr": 403,
    },
    "hr1": {  # HR officer at A: A's people only, no question texts
        "/reports/": 200, "/reports/exam/{exam}": 200, "/reports/exam/{exam}?unit={a}": 200,
        "/reports/exam/{exam}?unit={b}": 404, "/reports/exam/{exam}/items": 403,
        "/reports/exam/{exam}/items.xlsx": 404, "/reports/exam/{exam}/agencies.xlsx": 200,
        "/reports/unit/{a}": 200, "/reports/unit/{b}": 404, "/reports/person/{an}": 200,
        "/reports/person/{chi}": 404, "/reports/hr": 200,
    },
    "chi": {  # an examinee in B: only their own history and sheet
        "/reports/": 403, "/reports/exam/{exam}": 403, "/reports/exam/{exam}/results.xlsx": 403,
        "/reports/person/{chi}": 200, "/reports/person/{an}": 404, "/reports/unit/{b}": 403,
        "/reports/hr": 403,
    },
}


@pytest.mark.parametrize("reader", sorted(MATRIX))
def test_access_matrix(small, client, reader):
    p, a, b = small["agencies"]
    people, attempts = small["people"], small["attempts"]
    ids = {"exam": small["exam"].id, "item": attempts["an"].slots[0].version_id, "p": p.id, "a": a.id, "b": b.id,
           "an": people["an"].id, "chi": people["chi"].id}
    client.post("/login", data={"username": reader, "password": PASSWORD})
    got = {url: client.get(url.format(**ids)).status_code for url in MATRIX[reader]}
    assert got == MATRIX[reader]


def test_result_sheets_only_for_the_person_and_readers_above(small, client, monkeypatch):
    from reports import pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html, base_url=None, **kw: b"%PDF-stub " + html.encode())
    monkeypatch.setattr(pdf, "available", lambda: True)
    attempts = small["attempts"]
    cases = [("chi", "chi", 200), ("chi", "an", 404), ("hr1", "an", 200), ("hr1", "chi", 404), ("admin1", "chi", 200)]
    for reader, owner, status in cases:
        client.post("/login", data={"username": reader, "password": PASSWORD})
        response = client.get(f"/reports/attempt/{attempts[owner].id}/sheet.pdf")
        assert response.status_code == status, (reader, owner)
        client.post("/logout")
    small["exam"].show_result = False
    client.post("/login", data={"username": "chi", "password": PASSWORD})
    assert client.get(f"/reports/attempt/{attempts['chi'].id}/sheet.pdf").status_code == 404  # not published
