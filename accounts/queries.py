"""Reads of the accounts feature, always scoped to the reader's agency subtree."""
from sqlalchemy import func, select

from accounts.models import Agency, Role, User
from accounts.permissions import agency_scope
from extensions import db
from text_utils import person_sort_key


def staff_in_scope(user, *roles: Role, agency: Agency | None = None) -> list[User]:
    """People the reader reaches with ``roles``, optionally below ``agency``; by agency path,
    then name in Vietnamese order (:func:`text_utils.person_sort_key`)."""
    stmt = select(User, Agency.path).join(User.agency).where(agency_scope(user, *roles))
    if agency is not None:
        stmt = stmt.where(Agency.path.startswith(agency.path))
    rows = db.session.execute(stmt).all()
    return [u for u, _path in sorted(rows, key=lambda r: (r[1], person_sort_key(r[0].full_name), r[0].id))]


def agency_tree(user, *roles: Role) -> list[tuple[Agency, int, int]]:
    """(agency, depth, head count) for every agency in scope, in tree order."""
    agencies = list(db.session.scalars(select(Agency).where(agency_scope(user, *roles)).order_by(Agency.path)))
    counts = dict(db.session.execute(select(User.agency_id, func.count()).group_by(User.agency_id)).all())
    base = min((a.path.count("/") for a in agencies), default=0)
    return [(a, a.path.count("/") - base, counts.get(a.id, 0)) for a in agencies]


def direct_manager(user: User) -> User | None:
    """The leader who directly manages ``user``: the leader of their own unit, or, for a
    leader, the leader of the unit above.  Deputies (several leaders in one unit) report to
    the first leader by title order; ``None`` at the top of the tree."""
    agency = user.agency
    if user.is_leader:
        agency = agency.parent
    while agency is not None:
        leaders = [u for u in db.session.scalars(
            select(User).where(User.agency_id == agency.id, User.is_leader, User.id != user.id)
            .order_by(User.id))]
        if leaders:
            return leaders[0]
        agency = agency.parent
    return None
