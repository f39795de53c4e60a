"""The settings of a rating year are province-wide: only HR held at the root may change them."""
from fractions import Fraction

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from classification.models import RatingSettings
from extensions import db
from tests import factories as f
from tests.security.helpers import login_as

FORM = {"test_rule": "cap", "test_weight": "10", "quota_denominator": "good_only", "complaint_days": "20"}


@pytest.fixture
def province(app):
    p = f.agency("P", kind="province")
    d = f.agency("D", p, rating_unit=True)
    people = {"province_hr": f.user("tccb.tinh", d, roles=[("hr_officer", p)]),
              "department_hr": f.user("tccb.so", d, roles=[("hr_officer", d)]),
              "department_admin": f.user("qt.so", d, roles=[("admin", d)]),
              "province_admin": f.user("qt.tinh", p, roles=[("admin", p)]),
              "head": f.user("thu.truong", d, roles=[("head", p)])}
    db.session.commit()
    return people


def _settings():
    return db.session.scalars(select(RatingSettings).where(RatingSettings.year == 2026)).first()


@pytest.mark.parametrize("who, status", [("department_hr", 403), ("department_admin", 403), ("head", 403)])
def test_below_the_root_or_without_the_hr_role_nothing_is_saved(app, client, province, who, status):
    login_as(client, province[who])
    assert client.post("/rating/settings/2026", data=FORM).status_code == status
    assert _settings() is None
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.settings")).all() == []


@pytest.mark.parametrize("who", ["province_hr", "province_admin"])
def test_the_province_hr_officer_saves_them_audited(app, client, province, who):
    login_as(client, province[who])
    response = client.post("/rating/settings/2026", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/rating/?year=2026")
    row = _settings()
    assert (row.test_rule, row.test_weight, row.quota_denominator, row.complaint_days) == ("cap", Fraction(10),
                                                                                           "good_only", 20)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.settings")).one()
    assert entry.actor_id == province[who].id and entry.after["test_weight"] == "10"
