"""Two-level authorisation (STYLE.md habit 7).

Coarse gate: :func:`role_required` on a view.  Object check: :func:`can_reach` /
:func:`agency_scope` — a role held at agency A reaches A and everything below it,
never a sibling agency.  Every query a view makes for other people's data filters
by :func:`agency_scope`.
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from accounts.models import Agency, Role, RoleAssignment
from accounts.policy import gate
from extensions import db


def scope_paths(user, *roles: Role) -> list[str]:
    """Agency paths (``"/1/4/"``) under which ``user`` holds any of ``roles``."""
    wanted = {r.value if isinstance(r, Role) else r for r in roles}
    return [a.agency.path for a in user.roles if a.role.value in wanted or a.role == Role.ADMIN]


def agency_scope(user, *roles: Role):
    """A SQL condition on ``Agency.path`` true for agencies the user reaches with ``roles``.

    Use it joined to :class:`Agency`: ``select(User).join(User.agency).where(agency_scope(...))``.
    An empty scope yields a condition that is always false.
    """
    paths = scope_paths(user, *roles)
    if not paths:
        return Agency.id.is_(None)
    return or_(*[Agency.path.startswith(p) for p in paths])


def can_reach(user, agency: Agency, *roles: Role) -> bool:
    """True when ``user`` holds one of ``roles`` (or admin) at ``agency`` or above it."""
    return any(agency.path.startswith(p) for p in scope_paths(user, *roles))


def has_role(user, *roles: Role) -> bool:
    return bool(scope_paths(user, *roles))


def role_required(*roles: Role):
    """View decorator: logged in and holding one of ``roles`` somewhere (else 403)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)
        wrapped.access_roles = roles
        wrapped.access_policy = gate(*roles)
        return wrapped
    return decorator


def reachable_agencies(user, *roles: Role) -> list[Agency]:
    """Agencies in the user's scope for ``roles``, in tree order."""
    stmt = select(Agency).where(agency_scope(user, *roles)).order_by(Agency.path)
    return list(db.session.scalars(stmt))


def require_reach(user, agency: Agency, *roles: Role) -> None:
    """Abort 404 (not 403: do not reveal other agencies' objects) when out of scope."""
    if not can_reach(user, agency, *roles):
        abort(404)


def assigned_roles(user) -> list[RoleAssignment]:
    return sorted(user.roles, key=lambda r: (r.role.value, r.agency.path))
