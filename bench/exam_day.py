"""Exam-day benchmark: a province's candidates sit the test at once (DECISIONS.md 19).

    .venv/bin/python bench/exam_day.py --users 500            # the compressed exam
    .venv/bin/python bench/exam_day.py --saturation --users 200

What it does, all on this machine (only 127.0.0.1 is targeted):

1. creates a dedicated PostgreSQL database (``sathach_bench``; ``--pg`` gives the server
   URL) and seeds it: one bank of 90 approved questions, one exam of 60 questions with
   a 10-minute duration, N candidates, and their papers generated before the window;
2. starts gunicorn (``--workers``, default 2 × cores + 1, gthread ``--threads``) on the
   real app, wrapped in ProxyFix (the production setting behind a proxy) and with one
   extra bare view ``/bench/bare`` as the ceiling;
3. runs locust headless (``bench/locustfile.py``): arrivals spread over 60 s, think
   time 8 ± 4 s, submit near the deadline — or, with ``--saturation``, no think time and
   rising users, first on the bare view, then on saves;
4. checks that every save the server acknowledged is in the database, prints errors,
   lost answers, p50/p95/p99 of start/save/submit, saves per second and the `uptime`
   load, then drops the database (``--keep-db`` keeps it).

Every run is bounded (locust ``--run-time``, and it stops early once every attempt is closed).
"""
import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PASSWORD = "Bench-password-1"


def wsgi():
    """The app as gunicorn serves it in the benchmark: the real factory, ProxyFix, and
    one bare view for the ceiling measurement."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app import create_app

    app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 4, "max_overflow": 4, "pool_pre_ping": False}})
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    return app


# ---- database ----------------------------------------------------------------------

def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg.replace("postgresql+psycopg://", "postgresql://") + "/postgres", autocommit=True) as c:
        c.execute(sql)


def create_database(pg: str, name: str) -> str:
    _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(pg, f'CREATE DATABASE "{name}"')
    return f"{pg}/{name}"


def seed(url: str, users: int, questions: int, duration: int) -> int:
    """Bank, exam, candidates (one password hash shared: hashing N scrypt passwords
    would dominate the set-up) and their papers; returns the exam id."""
    from sqlalchemy import insert

    from accounts.models import Agency, AgencyKind, User
    from app import create_app
    from db_types import utcnow
    from exam.models import BlueprintRule, Exam, ExamAudience, ExamState
    from exam.papers import generate_papers
    from extensions import db
    from question_bank.models import Category
    from tests import factories as f
    from werkzeug.security import generate_password_hash

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        root = f.agency("BENCH", kind="province")
        dept = Agency(code="BENCH-D", name="Sở Bench", kind=AgencyKind.DEPARTMENT, parent=root)
        db.session.add(dept)
        db.session.flush()
        dept.set_path()
        bank = f.bank(root, [f.mc(f"Câu hỏi {i}", key=i % 4) for i in range(int(questions * 1.5))], code="BENCH")
        cat = db.session.query(Category).filter_by(bank_id=bank.id).one()
        now = utcnow()
        exam = Exam(code="BENCH", title="Sát hạch (benchmark)", year=2026, agency=root, bank=bank,
                    duration_minutes=duration, window_start=now - timedelta(minutes=1),
                    window_end=now + timedelta(hours=2), state=ExamState.OPEN)
        exam.rules.append(BlueprintRule(position=0, category=cat, count=questions, mark=Fraction(1)))
        exam.audience.append(ExamAudience(agency=root))
        db.session.add(exam)
        db.session.flush()
        hashed = generate_password_hash(PASSWORD)
        db.session.execute(insert(User), [
            {"username": f"bench{i:05d}", "password_hash": hashed, "full_name": f"Thí sinh {i}",
             "agency_id": dept.id, "position": "Chuyên viên"} for i in range(1, users + 1)])
        started = time.monotonic()
        n = generate_papers(exam)
        print(f"papers generated: {n} in {time.monotonic() - started:.1f} s")
        db.session.commit()
        return exam.id


def check_acks(url: str, ack_dir: Path) -> dict:
    """Every acknowledged (attempt, position, seq) must be stored with a seq ≥ it."""
    from sqlalchemy import create_engine, text

    acks = []
    for path in ack_dir.glob("acks-*.txt"):
        acks += [tuple(int(x) for x in line.split()[:3]) for line in path.read_text().splitlines() if line.strip()]
    engine = create_engine(url)
    with engine.connect() as c:
        stored = {(a, p): s for a, p, s in c.execute(text("SELECT attempt_id, position, saved_seq FROM attempt_slot"))}
        states = Counter(s for (s,) in c.execute(text("SELECT state FROM attempt")))
        events = c.execute(text("SELECT count(*) FROM attempt_event WHERE kind = 'save'")).scalar()
    engine.dispose()
    lost = [(a, p, s) for a, p, s in acks if stored.get((a, p), 0) < s]
    return {"acked": len(acks), "lost": len(lost), "lost_sample": lost[:5], "attempts": dict(states),
            "save_events": events}


# ---- servers ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, threads: int, instance: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "SATHACH_INSTANCE": str(instance),
           "PYTHONPATH": str(ROOT)}
    cmd = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", str(threads),
           "--worker-connections", "3000", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
           "--timeout", "60", "bench.exam_day:wsgi()"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def run_locust(mode: str, port: int, users: int, rate: float, run_time: int, out: Path, exam_id: int,
               think: float, stop_when=None, lobby: int = 0, arrival: int = 0) -> float:
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_EXAM_ID": str(exam_id), "BENCH_PASSWORD": PASSWORD,
           "BENCH_ACK_DIR": str(out), "BENCH_THINK": str(think), "BENCH_THINK_SPREAD": str(think / 2),
           "BENCH_LOBBY": str(lobby), "BENCH_ARRIVAL": str(arrival)}
    cmd = [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users),
           "-r", f"{rate:.3f}", "--run-time", f"{run_time}s", "--host", f"http://127.0.0.1:{port}",
           "--csv", str(out / mode), "--csv-full-history", "--only-summary", "--stop-timeout", "30",
           "--loglevel", "WARNING"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(out / f"{mode}.log", "w"), stderr=subprocess.STDOUT)
    while proc.poll() is None:
        time.sleep(5)
        overdue = time.monotonic() - started > run_time + 90          # locust lingering after its run time
        if overdue or (stop_when is not None and time.monotonic() - started > 60 and stop_when()):
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            break
    return time.monotonic() - started


def read_stats(out: Path, mode: str) -> dict:
    rows = {}
    with open(out / f"{mode}_stats.csv") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = row
    return rows


def peak_rate(out: Path, mode: str, name: str) -> float:
    """The highest requests/s locust measured for ``name`` over its rolling window."""
    best = 0.0
    with open(out / f"{mode}_stats_history.csv") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == name:
                try:
                    best = max(best, float(row["Requests/s"]))
                except ValueError:
                    pass
    return best


def closed_attempts(url: str, expected: int):
    from sqlalchemy import create_engine, text

    engine = create_engine(url, poolclass=__import__("sqlalchemy.pool", fromlist=["NullPool"]).NullPool)

    def done() -> bool:
        with engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM attempt WHERE state != 'IN_PROGRESS'")).scalar() >= expected
    return done


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def fmt(row: dict) -> str:
    return (f"n={row['Request Count']:>6} fail={row['Failure Count']:>4} p50={row['50%']:>5} ms "
            f"p95={row['95%']:>5} ms p99={row['99%']:>5} ms")


# ---- main ----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--saturation", action="store_true")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--duration", type=int, default=10, help="minutes")
    parser.add_argument("--arrival", type=int, default=60, help="seconds over which candidates start")
    parser.add_argument("--lobby", type=int, default=None,
                        help="seconds over which candidates log in before the window (default max(60, N/15))")
    parser.add_argument("--think", type=float, default=8.0)
    parser.add_argument("--max-run", type=int, default=None, help="stop locust after this many seconds")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default="sathach_bench")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    print(f"before: {uptime()}")
    url = create_database(args.pg, args.db)
    out = Path(tempfile.mkdtemp(prefix="exam_day_"))
    gunicorn = None
    try:
        exam_id = seed(url, args.users, args.questions, args.duration if not args.saturation else 120)
        port = free_port()
        gunicorn = start_gunicorn(url, port, args.workers, args.threads, out / "instance")
        print(f"gunicorn: {args.workers} workers × {args.threads} threads (gthread); results in {out}")
        if args.saturation:
            saturation(args, port, out, exam_id, url)
        else:
            exam_run(args, port, out, exam_id, url)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        print(f"after: {uptime()}")
        if not args.keep_db:
            _admin(args.pg, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def exam_run(args, port, out, exam_id, url) -> None:
    lobby = args.lobby if args.lobby is not None else max(60, args.users // 15)
    run_time = lobby + args.arrival + args.duration * 60 + 90
    if args.max_run:
        run_time = min(run_time, args.max_run)
    elapsed = run_locust("exam", port, args.users, args.users / lobby, run_time, out, exam_id, args.think,
                         stop_when=closed_attempts(url, args.users), lobby=lobby, arrival=args.arrival)
    stats = read_stats(out, "exam")
    result = check_acks(url, out)
    print(f"\n== exam day: N = {args.users}, {args.questions} questions, {args.duration} min, logins over "
          f"{lobby} s, starts over {args.arrival} s, think {args.think} ± {args.think / 2} s; ran {elapsed:.0f} s")
    for name in ("login", "start", "exam page", "save", "submit"):
        if name in stats:
            print(f"  {name:<10} {fmt(stats[name])}")
    agg = stats.get("Aggregated", {})
    print(f"  errors: {agg.get('Failure Count')} of {agg.get('Request Count')} requests")
    save = stats.get("save", {})
    print(f"  saves/s: mean {float(save.get('Requests/s', 0)):.1f}, peak {peak_rate(out, 'exam', 'save'):.1f}")
    print(f"  acknowledged saves: {result['acked']}, lost: {result['lost']} {result['lost_sample']}")
    print(f"  attempts by state: {result['attempts']}; save events logged: {result['save_events']}")
    print(f"  during: {uptime()}")


def saturation(args, port, out, exam_id, url) -> None:
    rate = max(1.0, args.users / 30)
    run_locust("bare", port, args.users, rate, 60, out, exam_id, 0)
    bare = peak_rate(out, "bare", "bare")
    bare_stats = read_stats(out, "bare").get("bare", {})
    run_locust("save", port, args.users, rate, 150, out, exam_id, 0, lobby=90)
    save = peak_rate(out, "save", "save")
    save_stats = read_stats(out, "save").get("save", {})
    result = check_acks(url, out)
    print(f"\n== saturation: up to {args.users} users, no think time, +{rate:.0f} users/s")
    print(f"  bare  {fmt(bare_stats)}  peak {bare:.0f} req/s")
    print(f"  save  {fmt(save_stats)}  peak {save:.0f} saves/s")
    print(f"  ratio save/bare: {save / bare:.2f}" if bare else "  ratio: bare endpoint not measured")
    print(f"  acknowledged saves: {result['acked']}, lost: {result['lost']}")
    print(f"  during: {uptime()}")


if __name__ == "__main__":
    main()
