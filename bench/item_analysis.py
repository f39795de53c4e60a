"""Item analysis and report pages at scale: 10,000 attempts × 60 questions.

    .venv/bin/python bench/item_analysis.py                 # both parts, temporary SQLite file
    .venv/bin/python bench/item_analysis.py --part pure     # numpy only, no database
    .venv/bin/python bench/item_analysis.py --database-url postgresql+psycopg://…/scratch

1. ``pure``: :func:`scoring.item_analysis.analyse` on a synthetic 10,000 × 60 matrix
   (four-option questions, two of them miskeyed): seconds (best and median of --repeat)
   and peak memory of the call (tracemalloc, which numpy reports to).
2. ``pages``: seeds a database with one exam, 10,000 finished attempts and 600,000 slots
   drawn from a pool of 150 questions (so every paper differs) spread over 40 agencies, then
   measures server time in-process (the test client, no network) for the exam report page,
   the item analysis page and the XLSX exports: the first (cold) request, which reads every
   slot and computes, and p50/p95 of --requests warm ones served from the cache; then a
   regrade (an applied regrade job) and the first request after it, which must recompute.

Prints the figures and the ``uptime`` load; the database is dropped afterwards (a
temporary SQLite file by default; a given URL must point at a scratch database).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ATTEMPTS, N_QUESTIONS, POOL, AGENCIES = 10_000, 60, 150, 40
PASSWORD = "Bench-password-1"


def synthetic(n: int, k: int, pool: int, seed: int = 7):
    """(marks n×pool with NaN for questions not drawn, choices n×pool, miskeyed ids):
    a two-parameter logistic model; every paper draws ``k`` of ``pool`` questions."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    difficulty, slope = rng.normal(-0.5, 1, pool), rng.uniform(0.3, 2.0, pool)
    p = 1 / (1 + np.exp(-slope * (ability[:, None] - difficulty)))
    right = rng.random((n, pool)) < p
    choices = np.where(right, 0, rng.integers(1, 4, (n, pool)))
    miskeyed = [3, 11]  # the "key" (option 0) of these is wrong: the able pick option 1
    for j in miskeyed:
        choices[:, j] = np.where(rng.random(n) < p[:, j], 1, rng.choice([0, 2, 3], n))
    drawn = np.argsort(rng.random((n, pool)), axis=1)[:, :k]
    asked = np.zeros((n, pool), bool)
    asked[np.arange(n)[:, None], drawn] = True
    marks = np.where(asked, (choices == 0).astype(float), np.nan)
    return marks, np.where(asked, choices, -1), drawn


def pure(repeat: int) -> None:
    from scoring.item_analysis import ItemSpec, OptionSpec, analyse

    options = tuple(OptionSpec(c, f) for c, f in zip("abcd", (1.0, 0.0, 0.0, 0.0)))
    for label, pool in (("fixed paper: 60 questions", N_QUESTIONS), ("drawn: 60 of 150", POOL)):
        marks, choices, drawn = synthetic(N_ATTEMPTS, N_QUESTIONS, pool)
        positions = np.take_along_axis(np.nan_to_num(marks), drawn, axis=1)
        items = [ItemSpec(j, 1.0, 0.25, options) for j in range(pool)]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = analyse(marks, items, choices=choices, position_marks=positions)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        analyse(marks, items, choices=choices, position_marks=positions)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        flagged = sorted({f.item for f in result.flags if f.code == "key_looks_wrong"})
        print(f"pure   {label:26s} {N_ATTEMPTS} × {pool}: best {min(times):.3f} s, median "
              f"{statistics.median(times):.3f} s, peak {peak / 2**20:.1f} MiB; CIC {result.test.cic:.1f} %, "
              f"key looks wrong: {flagged}")


# ---- pages ---------------------------------------------------------------------------

def seed_database(app) -> int:
    """Bulk-insert the exam through SQLAlchemy Core; returns the exam id."""
    from fractions import Fraction

    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from accounts.models import Agency, AgencyKind, Role, RoleAssignment, User
    from db_types import utcnow
    from exam.models import Attempt, AttemptSlot, AttemptState, BlueprintRule, Exam, ExamState
    from extensions import db
    from question_bank.models import Category, Question, QuestionBank, QuestionStatus, QuestionVersion

    marks, choices, drawn = synthetic(N_ATTEMPTS, N_QUESTIONS, POOL)
    root = Agency(code="BENCH", name="Tỉnh (benchmark)", kind=AgencyKind.PROVINCE)
    db.session.add(root)
    db.session.flush()
    root.set_path()
    units = []
    for i in range(AGENCIES):
        unit = Agency(code=f"B{i:02d}", name=f"Sở số {i + 1}", kind=AgencyKind.DEPARTMENT, parent=root,
                      is_rating_unit=True)
        db.session.add(unit)
        db.session.flush()
        unit.set_path()
        units.append(unit)
    admin = User(username="bench-admin", full_name="Quản trị khảo thí", agency=root, position="Chuyên viên")
    admin.set_password(PASSWORD)
    admin.roles = [RoleAssignment(role=Role.EXAM_ADMIN, agency=root)]
    bank = QuestionBank(code="BENCH-BANK", name="Bench bank", agency=root)
    db.session.add_all([admin, bank])
    db.session.flush()
    categories = [Category(bank=bank, name=f"Chủ đề {c + 1}", path=f"Chủ đề {c + 1}") for c in range(6)]
    db.session.add_all(categories)
    db.session.flush()
    versions = []
    for j in range(POOL):
        question = Question(bank=bank, category=categories[j % 6], status=QuestionStatus.APPROVED)
        db.session.add(question)
        db.session.flush()
        answers = [{"id": c, "text": f"Phương án {c} của câu {j + 1}", "fraction": "1" if c == "a" else "0"}
                   for c in "abcd"]
        version = QuestionVersion(question_id=question.id, qtype="multichoice", name=f"C{j + 1:03d}",
                                  text=f"<p>Câu hỏi số {j + 1}?</p>", payload={"single": True, "answers": answers})
        db.session.add(version)
        db.session.flush()
        question.current_version_id = version.id
        versions.append(version.id)
    now = utcnow()
    exam = Exam(code="BENCH-2026", title="Benchmark exam", year=2026, agency=root, bank=bank, state=ExamState.CLOSED,
                window_start=now, window_end=now)
    exam.rules = [BlueprintRule(position=c, category=categories[c], count=10, mark=Fraction(1)) for c in range(6)]
    db.session.add(exam)
    db.session.flush()
    password = generate_password_hash(PASSWORD)
    db.session.execute(insert(User), [
        {"username": f"u{i:05d}", "password_hash": password, "full_name": f"Nguyễn Văn Số {i}",
         "agency_id": units[i % AGENCIES].id, "position": f"Vị trí {i % 12}"} for i in range(N_ATTEMPTS)])
    user_ids = [u for (u,) in db.session.execute(db.select(User.id).where(User.username.like("u%")).order_by(User.id))]
    score = np.nansum(marks, axis=1)
    db.session.execute(insert(Attempt), [
        {"exam_id": exam.id, "user_id": uid, "seed": i, "started_at": now, "deadline": now, "finished_at": now,
         "state": AttemptState.SUBMITTED, "score": Fraction(int(score[i])), "max_score": Fraction(N_QUESTIONS),
         "passed": score[i] >= N_QUESTIONS / 2, "needs_grading": 0} for i, uid in enumerate(user_ids)])
    attempt_ids = [a for (a,) in db.session.execute(db.select(Attempt.id).where(Attempt.exam_id == exam.id)
                                                    .order_by(Attempt.id))]
    rows = []
    for i, attempt_id in enumerate(attempt_ids):
        for position, j in enumerate(drawn[i], start=1):
            rows.append({"attempt_id": attempt_id, "position": position, "version_id": versions[j],
                         "mark": Fraction(1), "fraction": Fraction(int(marks[i, j])),
                         "response": {"choice": "abcd"[choices[i, j]]}, "grade_state": "correct" if marks[i, j] else "wrong"})
        if len(rows) >= 60_000:
            db.session.execute(insert(AttemptSlot), rows)
            rows = []
    if rows:
        db.session.execute(insert(AttemptSlot), rows)
    db.session.commit()
    return exam.id


def timed(client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - start) * 1000, response.status_code


def pages(database_url: str, requests: int) -> None:
    from app import create_app
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        start = time.perf_counter()
        exam_id = seed_database(app)
        print(f"seed   {N_ATTEMPTS} attempts, {N_ATTEMPTS * N_QUESTIONS} slots: {time.perf_counter() - start:.1f} s")
        try:
            measure(app, exam_id, requests)
        finally:
            db.session.remove()
            db.drop_all()


def measure(app, exam_id: int, requests: int) -> None:
    from exam.models import RegradeJob
    from extensions import db

    client = app.test_client()
    client.post("/login", data={"username": "bench-admin", "password": PASSWORD})
    urls = {"exam report": f"/reports/exam/{exam_id}", "item analysis": f"/reports/exam/{exam_id}/items",
            "results.xlsx": f"/reports/exam/{exam_id}/results.xlsx", "items.xlsx": f"/reports/exam/{exam_id}/items.xlsx"}
    cold, status = timed(client, urls["exam report"])
    print(f"page   exam report, cold (reads 600,000 slots and analyses): {cold:.0f} ms (HTTP {status})")
    for name, url in urls.items():
        times = [timed(client, url)[0] for _ in range(requests)]
        q = statistics.quantiles(times, n=20)
        print(f"page   {name:14s} warm ×{requests}: p50 {statistics.median(times):.0f} ms, p95 {q[18]:.0f} ms")
    db.session.add(RegradeJob(exam_id=exam_id, question_id=1, kind="key", reason="bench", state="applied"))
    db.session.commit()
    after, status = timed(client, urls["exam report"])
    again, _ = timed(client, urls["exam report"])
    print(f"page   exam report after a regrade: {after:.0f} ms (recomputed), then {again:.0f} ms (cached)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("pure", "pages", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="a scratch database (default: a temporary SQLite file)")
    args = parser.parse_args()
    print("uptime", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.part in ("pure", "both"):
        pure(args.repeat)
    if args.part in ("pages", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.setdefault("SATHACH_INSTANCE", tmp)
            pages(args.database_url or f"sqlite:///{tmp}/bench.db", args.requests)
    print("uptime", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
