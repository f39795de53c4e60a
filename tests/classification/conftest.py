"""A small province for the workflow tests: one rating unit whose people score exactly
what a test asks for, built from real records (a verified task and general points)."""
from datetime import date
from fractions import Fraction

import pytest

from classification.models import GeneralAssessment
from extensions import db
from performance.models import ProductReport, Task, Verification
from tests import factories as f

FULL = {"I.1": "5", "I.2": "5", "II.1": "5/2", "II.2": "5/2", "II.3": "5/2", "II.4": "5/2",
        "III.1": "5/2", "III.2": "5/2", "III.3": "5/2", "III.4": "5/2"}


def scored(user, boss, score: Fraction, year: int = 2026) -> None:
    """One 2026-Q1 task done completely (task points 70) and general points 30 − d, so the
    yearly score is exactly ``score`` (between 70 and 100; no test result: no test rule)."""
    deduction = 100 - Fraction(score)
    assert 0 <= deduction <= 30
    points, left = dict(FULL), deduction
    for code in reversed(FULL):
        cut = min(left, Fraction(FULL[code]))
        points[code], left = str(Fraction(FULL[code]) - cut), left - cut
    task = Task(year=year, period=f"{year}-Q1", assigner_id=boss.id, assignee_id=user.id, title="T",
                target=Fraction(1), deadline=date(year, 3, 31))
    report = ProductReport(task=task, actual_value=Fraction(1), product="p", delivered_on=date(year, 3, 20))
    db.session.add_all([task, report, Verification(report=report, verifier_id=boss.id, accepted_value=Fraction(1),
                                                   on_time=True, quality_met=True)])
    db.session.add(GeneralAssessment(user_id=user.id, period=f"{year}-Q1", final_points=points, self_points=points,
                                     assessed_by_id=boss.id))


@pytest.fixture
def unit(app):
    """Province P (HR ``hr`` at the root; ``sec`` council secretary; ``head`` head of U;
    ``outsider`` HR of the sibling unit V) and rating unit U; ``make(scores)`` adds staff ``p0``, ``p1`` … with those yearly scores."""
    p = f.agency("P", kind="province")
    u = f.agency("U", p, rating_unit=True)
    v = f.agency("V", p, rating_unit=True)
    people = {
        "hr": f.user("hr", p, roles=[("hr_officer", p)]),
        "sec": f.user("sec", p, roles=[("council_secretary", p)]),
        "head": f.user("head", p, roles=[("head", u)]),
        "outsider": f.user("outsider", v, roles=[("hr_officer", v)]),
    }
    for name in ("hr", "sec", "head", "outsider"):
        people[name].rated = False
    staff = []

    def make(scores):
        for score in scores:
            person = f.user(f"p{len(staff)}", u)
            scored(person, people["hr"], Fraction(score))
            staff.append(person)
        db.session.commit()
        return staff

    return {"P": p, "U": u, "make": make, "staff": staff, **people}
