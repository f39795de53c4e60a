"""``flask backup create`` / ``flask backup restore``: a round trip onto a fresh database gives
back every row and every stored file (SQLite, and PostgreSQL when ``TEST_DATABASE_URL`` is
set), across backends too; a damaged, altered or hostile archive is refused before anything
is written; a database that holds rows is refused unless ``--force``."""
import io
import json
import tarfile
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import func, select

import backup
from accounts import audit
from accounts.models import Agency, AuditLog, DisciplineForm, DisciplineRecord, User
from app import create_app
from extensions import db
from performance import services as perf
from performance.models import Task
from question_bank.models import QuestionFile
from tests import factories

PDF = b"%PDF-1.7 \x00\x01\xff binary evidence"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary image"


def _populate():
    """Rows of every kind of column: enums, exact fractions, aware times, dates, JSON, bytes,
    a self-referencing tree, the question ↔ version cycle, audit records, a stored file."""
    root = factories.agency("P", kind="province")
    a = factories.agency("A", root, rating_unit=True)
    boss = factories.user("boss", a, roles=[("supervisor", a), ("hr_officer", a)], leader=True)
    person = factories.user("Nguyễn.Văn.An", a)
    bank = factories.bank(a, [factories.mc("Câu 1"), factories.mc("Câu 2", key=2)], code="NH")
    from question_bank.models import Question

    question = db.session.scalars(select(Question)).first()
    db.session.add(QuestionFile(version_id=question.current_version_id, name="hinh.png", mime="image/png", data=PNG))
    task = Task(year=2026, period="2026-Q2", assigner_id=boss.id, assignee_id=person.id, title="Nhiệm vụ ≥ 1/3",
                target=Fraction(10, 3), factor=Fraction(3, 2), deadline=date(2026, 6, 25))
    db.session.add(task)
    db.session.flush()
    report = perf.report_product(task, person, Fraction(7, 3), "Sản phẩm", date(2026, 6, 20), ("bc.pdf", PDF))
    perf.verify_report(report, boss, accepted=Fraction(7, 3), on_time=True, quality_met=False, comment="“Trích dẫn”")
    db.session.add(DisciplineRecord(user_id=person.id, form=DisciplineForm.REPRIMAND, decided_on=date(2026, 8, 15)))
    db.session.commit()
    return bank


def _snapshot(tmp: Path) -> dict[str, str]:
    """Every table's rows as JSON lines, as the backup writes them."""
    folder = tmp / f"snap-{len(list(tmp.iterdir()))}"
    folder.mkdir()
    backup._read_tables(folder)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def _files(app) -> dict[str, bytes]:
    root = Path(app.config["STORAGE_DIR"])
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _fresh_database():
    db.session.remove()
    db.drop_all()
    db.create_all()


def test_round_trip_onto_a_fresh_database(app, runner, tmp_path):
    _populate()
    before, files_before = _snapshot(tmp_path), _files(app)
    assert len(files_before) == 1
    assert all(before[f"{t}.jsonl"] for t in ("agency", "user", "task", "verification", "question_file",
                                             "question", "question_version", "audit_log", "discipline_record"))
    out = tmp_path / "sao-luu.tar.gz"
    made = runner.invoke(args=["backup", "create", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert f"{out}:" in made.output and "1 files, audit chain of 2 records" in made.output

    _fresh_database()
    for path in Path(app.config["STORAGE_DIR"]).rglob("*"):
        if path.is_file():
            path.unlink()
    restored = runner.invoke(args=["backup", "restore", str(out)])
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output and "and 1 files" in restored.output
    assert _snapshot(tmp_path) == before
    assert _files(app) == files_before
    assert audit.verify().ok and audit.read_checkpoint().length == 2
    person = db.session.scalars(select(User).where(User.username == "Nguyễn.Văn.An")).one()
    task = db.session.scalars(select(Task)).one()
    assert task.target == Fraction(10, 3) and task.latest_report.verification.comment == "“Trích dẫn”"
    assert person.check_password(factories.PASSWORD)
    a = db.session.scalars(select(Agency).where(Agency.code == "A")).one()
    assert a.parent.code == "P" and a.path == f"/{a.parent.id}/{a.id}/"
    # new rows get fresh ids (PostgreSQL's sequences were moved past the restored ones)
    newcomer = factories.agency("NEW", a)
    db.session.commit()
    assert newcomer.id > a.id
    audit.record("test.after_restore", newcomer)
    db.session.commit()
    assert audit.verify().ok


def test_a_database_that_holds_rows_is_refused_unless_forced(app, runner, tmp_path):
    _populate()
    out = tmp_path / "b.tar.gz"
    runner.invoke(args=["backup", "create", "--out", str(out)])
    before = _snapshot(tmp_path)
    factories.agency("EXTRA")
    db.session.commit()
    refused = runner.invoke(args=["backup", "restore", str(out)])
    assert refused.exit_code == 1 and "refused: the database already holds" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == "EXTRA")) == 1
    forced = runner.invoke(args=["backup", "restore", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _snapshot(tmp_path) == before


def _rewrite(src: Path, dst: Path, change):
    """Copy a backup, letting ``change(name, data)`` return new bytes, or a list of extra members."""
    with tarfile.open(src, "r:gz") as old, tarfile.open(dst, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            data = change(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("attack, message", [
    ("edited row", "db/task.jsonl: SHA-256 does not match the manifest"),
    ("edited file", "SHA-256 does not match the manifest"),
    ("path traversal", "unexpected archive member '../../outside.txt'"),
    ("not a backup", "not a readable .tar.gz"),
    ("other format", "unknown backup format"),
])
def test_a_damaged_or_hostile_archive_is_refused_and_nothing_is_written(app, runner, tmp_path, attack, message):
    _populate()
    good = tmp_path / "good.tar.gz"
    runner.invoke(args=["backup", "create", "--out", str(good)])
    bad = tmp_path / "bad.tar.gz"
    if attack == "edited row":
        _rewrite(good, bad, lambda n, d: d.replace("Nhiệm vụ".encode(), "Nhiệm vụ sửa".encode()))
    elif attack == "edited file":
        _rewrite(good, bad, lambda n, d: d.replace(b"binary evidence", b"binary evidencX"))
    elif attack == "path traversal":
        _rewrite(good, bad, lambda n, d: d)
        with tarfile.open(good, "r:gz") as old:
            members = [(m, old.extractfile(m).read()) for m in old]
        with tarfile.open(bad, "w:gz") as new:
            for member, data in members + [(tarfile.TarInfo("../../outside.txt"), b"pwned")]:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))
    elif attack == "not a backup":
        bad.write_bytes(b"PK\x03\x04 not a tar")
    else:
        _rewrite(good, bad, lambda n, d: d.replace(b'"sathach-backup"', b'"other-tool"') if n == "manifest.json"
                 else d)
    _fresh_database()
    storage = Path(app.config["STORAGE_DIR"])
    for path in storage.rglob("*"):
        if path.is_file():
            path.unlink()
    result = runner.invoke(args=["backup", "restore", str(bad)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert backup.row_total() == 0 and _files(app) == {}
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_sqlite_backup_restores_onto_this_backend(app, runner, tmp_path):
    """Portable: rows written by SQLite restore onto PostgreSQL (and SQLite) unchanged."""
    source = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'source.db'}",
                         "SECRET_KEY": "test", "STORAGE_DIR": str(tmp_path / "source-files"),
                         "RATELIMIT_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": {},
                         "AUDIT_CHECKPOINT": str(tmp_path / "source-checkpoint.json")})
    out = tmp_path / "from-sqlite.tar.gz"
    with source.app_context():
        db.create_all()
        _populate()
        before = _snapshot(tmp_path)
        backup.create(out)
        db.session.remove()
        db.engine.dispose()
    manifest = backup.restore(out)
    assert manifest["database"] == "sqlite" and manifest["audit_broken"] == []
    assert _snapshot(tmp_path) == before
    assert json.loads(json.dumps(manifest["tables"]["task"]["rows"])) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 2
