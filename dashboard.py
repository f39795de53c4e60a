"""The home page's summary: what waits for the logged-in person, by role."""
from datetime import date

from accounts.models import Role
from accounts.permissions import has_role


def summary(user) -> dict:
    """Counts and lists for the dashboard cards; each card only for the roles that use it."""
    from exam.queries import exams_for_examinee
    from performance.queries import awaiting_verification, tasks_of

    year = date.today().year
    tasks = tasks_of(user, year)
    data = {
        "year": year,
        "exams": exams_for_examinee(user),
        "tasks_total": len(tasks),
        "tasks_unreported": sum(1 for t in tasks if not t.reports),
        "tasks_due": sorted((t for t in tasks if not t.reports), key=lambda t: t.deadline)[:5],
    }
    if has_role(user, Role.SUPERVISOR, Role.HEAD):
        data["to_verify"] = awaiting_verification(user)
    return data
