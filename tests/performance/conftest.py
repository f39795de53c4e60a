import pytest

from extensions import db
from tests import factories as f


@pytest.fixture
def org(app):
    """P ⊃ D (head ``boss``; staff ``a`` Chuyên viên, ``b`` Kế toán viên) and E (supervisor ``eve``)."""
    p = f.agency("P", kind="province")
    d = f.agency("D", p, rating_unit=True)
    e = f.agency("E", p, rating_unit=True)
    people = {
        "boss": f.user("boss", d, leader=True, roles=[("supervisor", d), ("head", d)]),
        "a": f.user("a", d, position="Chuyên viên"),
        "b": f.user("b", d, position="Kế toán viên"),
        "eve": f.user("eve", e, leader=True, roles=[("supervisor", e)]),
        "hr": f.user("hr", p, roles=[("hr_officer", p)]),
    }
    db.session.commit()
    return {"P": p, "D": d, "E": e, **people}


@pytest.fixture
def login(app):
    def make(username):
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302
        return client
    return make
