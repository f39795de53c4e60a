"""``flask audit verify`` finds an edited record, a deleted record, deleted newest records and a
rewritten tail (the HMAC-signed checkpoint, DECISIONS.md 21)."""
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from accounts import audit
from accounts.models import AuditLog
from extensions import db
from tests import factories


@pytest.fixture
def chain(app):
    """Five audit records, committed one by one as the app would."""
    agency = factories.agency("A")
    db.session.commit()
    for i in range(5):
        audit.record("test.change", agency, before={"n": i}, after={"n": i + 1}, reason=f"change {i}")
        db.session.commit()
    return [r.id for r in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def _verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_an_intact_chain_and_its_checkpoint(app, runner, chain):
    code, output = _verify(runner)
    assert code == 0 and f"audit chain intact: 5 records, newest #{chain[-1]}" in output
    saved = json.loads(Path(app.config["AUDIT_CHECKPOINT"]).read_text())
    entry = saved["databases"][audit.database_identity()]
    head = db.session.get(AuditLog, chain[-1])
    assert (entry["length"], entry["head_id"], entry["head_hash"]) == (5, head.id, head.hash)
    assert len(entry["mac"]) == 64


def test_an_edited_record_is_found(app, runner, chain):
    db.session.execute(update(AuditLog).where(AuditLog.id == chain[2]).values(after={"n": 99}))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1
    assert f"TAMPERED: record #{chain[2]}: its hash or its link to the record before does not match" in output
    assert f"record #{chain[3]}" not in output  # the next link still matches the stored hash


def test_an_edited_record_with_its_hash_recomputed_breaks_the_next_link(app, runner, chain):
    entry = db.session.get(AuditLog, chain[2])
    entry.reason = "nothing to see"
    entry.hash = entry.compute_hash()
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and f"record #{chain[3]}:" in output


def test_a_deleted_record_in_the_middle_is_found(app, runner, chain):
    db.session.execute(delete(AuditLog).where(AuditLog.id == chain[1]))
    db.session.commit()
    code, output = _verify(runner)
    assert code == 1 and f"record #{chain[2]}:" in output and "1 record(s) missing" in output


def test_deleted_newest_records_are_found_by_the_checkpoint(app, runner, chain):
    assert audit.verify_chain() == []
    db.session.execute(delete(AuditLog).where(AuditLog.id.in_(chain[-2:])))
    db.session.commit()
    assert audit.verify_chain() == []  # what is left is a perfect chain …
    code, output = _verify(runner)
    assert code == 1  # … but the checkpoint knows better
    assert "2 record(s) missing: the checkpoint of" in output and "counted 5, the table holds 3" in output
    assert f"record #{chain[-1]}, the newest at the checkpoint, is gone" in output


def test_a_rewritten_tail_is_found_by_the_checkpoint(app, runner, chain):
    prev = db.session.get(AuditLog, chain[1]).hash
    for record_id in chain[2:]:
        entry = db.session.get(AuditLog, record_id)
        entry.after, entry.prev_hash = {"n": 0}, prev
        entry.hash = entry.compute_hash()
        prev = entry.hash
    db.session.commit()
    assert audit.verify_chain() == []
    code, output = _verify(runner)
    assert code == 1 and f"record #{chain[-1]} differs from the checkpoint" in output


def test_a_forged_checkpoint_is_found(app, runner, chain):
    path = Path(app.config["AUDIT_CHECKPOINT"])
    saved = json.loads(path.read_text())
    saved["databases"][audit.database_identity()]["length"] = 3
    path.write_text(json.dumps(saved))
    code, output = _verify(runner)
    assert code == 1 and "signature does not match" in output


def test_without_a_checkpoint_verify_warns(app, runner, chain):
    import os

    os.remove(app.config["AUDIT_CHECKPOINT"])
    code, output = _verify(runner)
    assert code == 0 and "warning: no checkpoint for this database" in output


def test_a_rolled_back_append_does_not_move_the_checkpoint(app, chain):
    audit.record("test.change", db.session.get(AuditLog, chain[0]), after={"x": 1})
    db.session.rollback()
    assert audit.read_checkpoint().length == 5
    audit.record("test.change", db.session.get(AuditLog, chain[0]), after={"x": 2})
    db.session.commit()
    checkpoint = audit.read_checkpoint()
    assert checkpoint.length == 6 and checkpoint.signed
    assert audit.verify().ok


def test_the_checkpoint_command(app, runner, chain):
    import os

    os.remove(app.config["AUDIT_CHECKPOINT"])
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and f"checkpoint: 5 records, newest #{chain[-1]}" in result.output
    assert _verify(runner)[0] == 0
    db.session.execute(update(AuditLog).where(AuditLog.id == chain[0]).values(reason="edited"))
    db.session.commit()
    refused = runner.invoke(args=["audit", "checkpoint"])
    assert refused.exit_code == 1 and f"the chain is broken at #{chain[0]}" in refused.output


def test_another_secret_key_cannot_sign(app, runner, chain):
    app.config["SECRET_KEY"] = "another key"
    code, output = _verify(runner)
    assert code == 1 and "signature does not match" in output


def test_concurrent_appends_never_fork_the_chain(app):
    """Two writers appending at once (PostgreSQL: the advisory lock orders them)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite in memory is one connection: no concurrent writers to order")
    agency = factories.agency("A")
    db.session.commit()
    barrier = threading.Barrier(3)
    errors = []

    def writer(n):
        try:
            with app.app_context():
                barrier.wait()
                for i in range(10):
                    audit.record("test.concurrent", db.session.get(type(agency), agency.id), after={"w": n, "i": i})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert db.session.execute(text("SELECT count(*) FROM audit_log")).scalar() == 30
    assert audit.verify_chain() == [] and audit.verify().ok
