"""Every route declares its access policy, and every route × role × case honours it.

Issue 7 "Access": the declaration test names each endpoint that has none, so a route added
anywhere fails here until its policy is declared (``accounts/policy.py`` says how).
"""
import pytest
from flask import g
from sqlalchemy import select

from accounts.policy import DECLARED, object_args, route_policy
from app import create_app
from exam.models import Attempt
from extensions import db
from tests.security import matrix
from tests.security.helpers import login_as, logout
from tests.security.world import ROLES, build


@pytest.fixture(scope="module")
def world_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("matrix")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": False, "STORAGE_DIR": str(tmp / "storage"), "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {}, "AUDIT_CHECKPOINT": str(tmp / "checkpoint.json")})
    app.before_request(lambda: g.pop("_login_user", None) and None)
    with app.app_context():
        db.create_all()
        world = build()
        yield app, world
        db.session.remove()


def test_every_route_declares_a_policy(world_app):
    app, _ = world_app
    missing = sorted({r.endpoint for r in app.url_map.iter_rules() if route_policy(app, r.endpoint) is None})
    assert not missing, ("routes with no declared access policy (use role_required, login_required or "
                         "accounts.policy.public, or add them to accounts.policy.DECLARED): " + ", ".join(missing))


def test_every_object_route_declares_its_object_check(world_app):
    app, _ = world_app
    missing = sorted({r.endpoint for r in app.url_map.iter_rules()
                      if object_args(r) and (p := route_policy(app, r.endpoint)) is not None and not p.checks_object})
    assert not missing, ("routes with an object in their URL but no declared object check (owner, reach or "
                         "note in accounts.policy.DECLARED or @access): " + ", ".join(missing))


def test_declarations_name_existing_endpoints_and_repeat_no_gate(world_app):
    app, _ = world_app
    assert not set(DECLARED) - set(app.view_functions), "DECLARED names endpoints that do not exist"
    for endpoint, declared in DECLARED.items():
        view_roles = getattr(app.view_functions[endpoint], "access_roles", None)
        if declared.roles and view_roles is not None:
            assert set(declared.roles) == {r.value for r in view_roles}, endpoint


def test_the_matrix_covers_every_object_route(world_app):
    app, world = world_app
    users = {r: world.users[r] for r in ROLES}
    _, uncovered = matrix.cases(app, world, users)
    assert not uncovered, ("object routes whose URL arguments tests/security/matrix.py cannot fill "
                           "(add the argument to object_ids): " + ", ".join(uncovered))


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code == 302 and "/login" in location):
        return matrix.LOGIN
    if response.status_code in (403, 404):
        return "refused"
    if response.status_code < 400:
        return "allowed"
    return f"status {response.status_code}"


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_access_matrix(world_app, role):
    """Every parameterless route, and every object route with the caller's own object, an
    object of their agency and one of another agency, as this role (or anonymous)."""
    app, world = world_app
    users = {r: world.users[r] for r in ROLES}
    all_cases, _ = matrix.cases(app, world, users)
    mine = sorted((c for c in all_cases if c.role == role), key=lambda c: (c.method != "GET", c.endpoint))
    client = app.test_client()
    wrong = []
    for case in mine:
        if role is None:
            logout(client)
        else:
            login_as(client, users[role])
        try:
            response = client.open(case.url, method=case.method)
        except Exception as exc:  # noqa: BLE001 — a crash is a wrong outcome, listed with the others
            wrong.append(f"{case}: expected {case.expected}, raised {type(exc).__name__}: {exc}")
            db.session.rollback()
            continue
        got = _outcome(response)
        response.close()
        if got == matrix.LOGIN and case.endpoint in matrix.LOGIN_IS_SUCCESS and case.expected == "allowed":
            got = "allowed"
        if got != case.expected:
            wrong.append(f"{case}: expected {case.expected}, got {got} ({response.status_code})")
        db.session.rollback()
    assert len(mine) > 20
    assert not wrong, f"{len(wrong)} of {len(mine)} cases disagree with the declared policy:\n" + "\n".join(wrong)


def test_start_of_a_foreign_exam_creates_nothing(world_app):
    """``exam.start`` refuses an exam whose audience leaves the caller out with a redirect and a
    message rather than 404; what matters is that no attempt is created."""
    app, world = world_app
    client = app.test_client()
    for role in ROLES:
        user = world.users[role]
        login_as(client, user)
        response = client.post(f"/exam/{world.exam_b.id}/start")
        assert response.status_code in (302, 403, 404), role
        assert "/exam/attempt/" not in response.headers.get("Location", ""), role
        assert db.session.scalars(select(Attempt).where(Attempt.exam_id == world.exam_b.id,
                                                        Attempt.user_id == user.id)).first() is None, role
