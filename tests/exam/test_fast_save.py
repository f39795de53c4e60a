"""The autosave's fast path (exam.fast_save): one statement when the save is applied, the
same stored row and event as the service, the session checked inside the statement."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from accounts import sessions
from accounts.models import UserSession
from db_types import utcnow
from exam import fast_save, services
from exam.models import Attempt, AttemptEvent, AttemptSlot
from extensions import db
from tests.exam.conftest import login


def _start(app, world, user):
    client = login(app, user)
    assert client.post(f"/exam/{world.exam.id}/start").status_code == 302
    attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)).one()
    assert client.get(f"/exam/attempt/{attempt.id}", headers={"User-Agent": "Tab-A"}).status_code == 200
    db.session.refresh(attempt)
    return client, attempt


def _save(client, attempt, position, seq, response, token=None, **extra):
    return client.post(f"/exam/attempt/{attempt.id}/save", headers={"User-Agent": "Tab-A"},
                       json={"token": token or attempt.session_token, "position": position, "seq": seq,
                             "response": response, **extra})


def _slot(attempt_id, position):
    db.session.expire_all()
    slot = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id,
                                                        AttemptSlot.position == position)).one()
    return slot.response, slot.saved_seq, slot.flagged


def _events(attempt_id):
    db.session.expire_all()
    return [(e.kind, e.detail, e.ip, e.user_agent) for e in db.session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "save")
        .order_by(AttemptEvent.id))]


class Statements:
    """The SQL statements a block sends (BEGIN/COMMIT are not statements here)."""

    def __init__(self):
        self.seen = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._add)
        return self

    def _add(self, conn, cursor, statement, *args):
        self.seen.append(statement.split()[0].upper())

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._add)


def test_an_applied_save_is_one_statement_with_no_user_load(world, app):
    client, attempt = _start(app, world, world.alice)
    with Statements() as sql:
        reply = _save(client, attempt, 2, 7, {"choice": "x"})
    assert reply.status_code == 200 and reply.json["status"] == "saved" and reply.json["seq"] == 7
    assert 3590 <= reply.json["remaining"] <= 3600 and reply.json["paused"] is False
    # PostgreSQL: the UPDATE and the event INSERT in one statement (a CTE); SQLite: two.
    expected = ["WITH"] if db.engine.dialect.name == "postgresql" else ["UPDATE", "INSERT"]
    assert sql.seen == expected
    assert _slot(attempt.id, 2) == ({"choice": "x"}, 7, False)


def test_fast_path_stores_exactly_what_the_service_stores(world, app):
    """Alice saves through the fast path, Bob's same saves go through the service: the slot
    rows and the event rows are the same (flag set, flag kept, response null)."""
    alice, a = _start(app, world, world.alice)
    _bob, b = _start(app, world, world.bob)
    steps = [(1, 3, {"choice": "p"}, None), (1, 4, {"choice": "q"}, True), (1, 6, None, None), (3, 1, {"t": 1}, False)]
    for position, seq, response, flagged in steps:
        extra = {} if flagged is None else {"flagged": flagged}
        assert _save(alice, a, position, seq, response, **extra).json["status"] == "saved"
        with app.test_request_context(headers={"User-Agent": "Tab-A"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            db.session.refresh(b)
            assert services.save_answer(b, b.session_token, position, seq, response, flagged).status == "saved"
            db.session.commit()
    for position in (1, 3):
        assert _slot(a.id, position) == _slot(b.id, position)
    assert _slot(a.id, 1) == (None, 6, True)
    assert _events(a.id) == _events(b.id) == [
        ("save", {"position": p, "seq": s, "status": "saved"}, "127.0.0.1", "Tab-A") for p, s, _r, _f in steps]


def test_the_cte_equals_the_two_statement_form(world, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the CTE form is PostgreSQL's")
    _alice, a = _start(app, world, world.alice)
    bob, b = _start(app, world, world.bob)
    for use_cte, client, attempt in ((True, _alice, a), (False, bob, b)):
        app.config["EXAM_FAST_SAVE_CTE"] = use_cte          # both forms through the route, the real session
        try:
            assert attempt.session_token                      # loaded here, not inside the count
            with Statements() as sql:
                assert _save(client, attempt, 4, 9, {"choice": "z"}, flagged=True).json["status"] == "saved"
            assert sql.seen == (["WITH"] if use_cte else ["UPDATE", "INSERT"])
            assert _save(client, attempt, 4, 8, {"choice": "old"}).json["status"] == "stale"
        finally:
            app.config.pop("EXAM_FAST_SAVE_CTE")
    assert _slot(a.id, 4) == _slot(b.id, 4) == ({"choice": "z"}, 9, True)
    assert [e[:2] for e in _events(a.id)] == [e[:2] for e in _events(b.id)] == [
        ("save", {"position": 4, "seq": 9, "status": "saved"}), ("save", {"position": 4, "seq": 8, "status": "stale"})]


def test_everything_else_falls_back_to_the_service_statuses(world, app):
    client, attempt = _start(app, world, world.alice)
    assert _save(client, attempt, 1, 5, {"choice": "a"}).json["status"] == "saved"
    assert _save(client, attempt, 1, 5, {"choice": "b"}).json == {                       # replay
        "status": "stale", "seq": 5, "remaining": _save(client, attempt, 1, 4, None).json["remaining"],
        "paused": False}
    assert _save(client, attempt, 1, 9, {"choice": "c"}, token="x" * 32).status_code == 409
    assert _save(client, attempt, 99, 9, {"choice": "c"}).status_code == 400             # no such slot
    assert _save(client, attempt, 1, 0, {"choice": "c"}).status_code == 400              # seq < 1
    other, theirs = _start(app, world, world.bob)
    assert _save(client, theirs, 1, 9, {"choice": "c"}, token=theirs.session_token).status_code == 404
    assert _slot(attempt.id, 1) == ({"choice": "a"}, 5, False)
    assert _slot(theirs.id, 1)[1] == 0


def test_paused_past_the_deadline_still_saves_and_late_is_kept_aside(world, app):
    client, attempt = _start(app, world, world.alice)
    now = utcnow()
    attempt.deadline, attempt.paused_at = now - timedelta(minutes=5), now - timedelta(minutes=6)
    db.session.commit()
    reply = _save(client, attempt, 1, 1, {"choice": "a"})
    assert reply.status_code == 200 and reply.json["paused"] is True and reply.json["remaining"] == 60
    attempt.paused_at = None
    db.session.commit()
    assert _save(client, attempt, 1, 2, {"choice": "b"}).status_code == 410          # late: kept aside
    assert _slot(attempt.id, 1) == ({"choice": "a"}, 1, False)


@pytest.mark.parametrize("revoke", ["logout_everywhere", "logout", "deactivated"])
def test_a_revoked_session_cannot_save_one_more_answer(world, app, revoke):
    """The session check is inside the statement, not cached: the next save is refused."""
    client, attempt = _start(app, world, world.alice)
    assert _save(client, attempt, 1, 1, {"choice": "a"}).status_code == 200
    if revoke == "logout_everywhere":
        sessions.end_all(world.alice)
    elif revoke == "logout":
        db.session.execute(UserSession.__table__.update().values(ended_at=utcnow(), end_reason="logout"))
    else:
        world.alice.active = False
    db.session.commit()
    refused = _save(client, attempt, 1, 2, {"choice": "b"})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert _slot(attempt.id, 1) == ({"choice": "a"}, 1, False)


def test_outside_the_address_ranges_the_fast_save_is_undone(world, app):
    client, attempt = _start(app, world, world.alice)
    world.exam.allowed_networks = "10.0.0.0/8"
    db.session.commit()
    refused = _save(client, attempt, 1, 1, {"choice": "a"})
    assert refused.status_code == 403
    assert _slot(attempt.id, 1) == (None, 0, False) and _events(attempt.id) == []
    inside = client.post(f"/exam/attempt/{attempt.id}/save", environ_base={"REMOTE_ADDR": "10.1.2.3"},
                         json={"token": attempt.session_token, "position": 1, "seq": 2, "response": {"choice": "b"}})
    assert inside.status_code == 200 and _slot(attempt.id, 1) == ({"choice": "b"}, 2, False)


def test_only_the_save_endpoint_gets_the_unchecked_identity(world, app):
    client, attempt = _start(app, world, world.alice)
    assert sessions.DEFERRED_CHECK_ENDPOINTS == {"exam.save"}
    sessions.end_all(world.alice)
    db.session.commit()
    assert client.get(f"/exam/attempt/{attempt.id}/state").status_code == 302       # full check: logged out
    app.config["REQUIRE_2FA"] = True
    with app.test_request_context(f"/exam/attempt/{attempt.id}/save", method="POST"):
        assert not sessions.defers_check()                                          # the guard needs the roles


def test_parse_refuses_what_the_service_refuses():
    assert fast_save.parse({"position": "2", "seq": 3, "token": "t"}) == (2, 3)
    for body in (None, [], {"position": 1}, {"position": 1, "seq": 0}, {"position": "x", "seq": 1},
                 {"position": 1, "seq": 1, "response": "text"}, {"position": 1, "seq": 1, "token": 5},
                 {"position": 1, "seq": 1, "response": {"t": "x" * 20_001}}):
        assert fast_save.parse(body) is None, body
