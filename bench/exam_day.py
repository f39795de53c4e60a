"""Exam-day benchmark: a province's candidates sit the test at once (DECISIONS.md 19).

    .venv/bin/python bench/exam_day.py --users 500            # the compressed exam
    .venv/bin/python bench/exam_day.py --users 2000 --in-storm # logins inside the start storm
    .venv/bin/python bench/exam_day.py --saturation --users 200

What it does, all on this machine (only 127.0.0.1 is targeted):

1. creates a dedicated PostgreSQL database (``bench_examday``; ``--pg`` gives the server
   URL) and seeds it: one bank of 90 approved questions, one exam of 60 questions with
   a 10-minute duration, N candidates, and their papers generated before the window;
2. starts gunicorn (``--workers``, ``--threads``, ``--worker-class``) on the real app with
   ``PROXY_FIX=1`` (the production setting behind a proxy), Flask-Limiter's storage in
   Redis (``--redis``: the limits hold across workers), and one extra bare view
   ``/bench/bare`` as the ceiling, served by the same workers;
3. runs locust headless (``bench/locustfile.py``): arrivals spread over 60 s, think
   time 8 ± 4 s, submit near the deadline — or, with ``--saturation``, no think time and
   rising users, first on the bare view, then on saves;
4. checks that every save the server acknowledged is in the database, prints errors,
   lost answers, p50/p95/p99 of start/save/submit, saves per second and the `uptime`
   load and the CPU seconds used by gunicorn, locust and PostgreSQL, then drops the
   database (``--keep-db`` keeps it).

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
    from app import create_app

    pool = int(os.environ.get("BENCH_POOL", "4"))
    app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": pool, "max_overflow": 4, "pool_pre_ping": False},
                      "PROXY_FIX": 1})
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
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


def start_gunicorn(url: str, port: int, args, instance: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "SATHACH_INSTANCE": str(instance),
           "PYTHONPATH": str(ROOT), "REDIS_URL": args.redis, "BENCH_POOL": str(max(4, args.threads)),
           "EXAM_FAST_SAVE": "0" if args.slow_save else "1"}
    cmd = [str(VENV_BIN / "gunicorn"), "-w", str(args.workers), "-k", args.worker_class,
           "--worker-connections", "3000", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
           "--timeout", "60", "--backlog", "4096", "bench.exam_day:wsgi()"]
    if args.worker_class == "gthread":
        cmd[5:5] = ["--threads", str(args.threads)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return out


def _cpu(pids) -> float:
    """CPU seconds (user + system) used so far by ``pids`` (and their reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])      # utime stime cutime cstime
    return total / tick


def _postgres_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
            and (p / "comm").exists() and _read(p / "comm").startswith("postgres")]


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


class CpuMeter:
    """CPU seconds used so far by gunicorn (master and workers), locust, the PostgreSQL
    backends serving the benchmark's database ("pg") and the whole machine ("machine": every
    core, other jobs included)."""

    def __init__(self, gunicorn_pid: int, pg: str, db_name: str):
        self.gunicorn_pid, self.pg, self.db_name = gunicorn_pid, pg, db_name
        self.backends: set[int] = set()

    def _backends(self) -> list[int]:
        import psycopg

        try:
            with psycopg.connect(self.pg.replace("postgresql+psycopg://", "postgresql://") + "/postgres") as c:
                self.backends |= {r[0] for r in c.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                          (self.db_name,))}
        except psycopg.Error:
            pass
        return sorted(self.backends)

    def sample(self, locust_pid: int | None) -> dict:
        return {"gunicorn": _cpu(_tree(self.gunicorn_pid)), "locust": _cpu(_tree(locust_pid)) if locust_pid else 0.0,
                "pg": _cpu(self._backends()), "machine": _machine_busy(), "at": time.time()}


def _machine_busy() -> float:
    """CPU seconds the whole machine was busy (all cores), from /proc/stat."""
    fields = [int(x) for x in _read(Path("/proc/stat")).splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_locust(mode: str, port: int, users: int, rate: float, run_time: int, out: Path, exam_id: int,
               think: float, stop_when=None, lobby: int = 0, arrival: int = 0, meter: CpuMeter | None = None,
               processes: int = 1) -> tuple[float, dict]:
    """Run locust headless; returns the seconds it ran and the CPU seconds each part used."""
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_EXAM_ID": str(exam_id), "BENCH_PASSWORD": PASSWORD,
           "BENCH_ACK_DIR": str(out), "BENCH_THINK": str(think), "BENCH_THINK_SPREAD": str(think / 2),
           "BENCH_LOBBY": str(lobby), "BENCH_ARRIVAL": str(arrival), "BENCH_USERS": str(users)}
    cmd = [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users),
           "-r", f"{rate:.3f}", "--run-time", f"{run_time}s", "--host", f"http://127.0.0.1:{port}",
           "--csv", str(out / mode), "--csv-full-history", "--only-summary", "--stop-timeout", "30",
           "--loglevel", "WARNING"]
    if processes > 1:
        cmd += ["--processes", str(processes)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(out / f"{mode}.log", "w"), stderr=subprocess.STDOUT)
    before = meter.sample(proc.pid) if meter else {}
    after = before
    samples = [before] if meter else []
    while proc.poll() is None:
        time.sleep(5)
        if meter:
            after = meter.sample(proc.pid)       # locust's own CPU is gone once it exits
            samples.append(after)
        overdue = time.monotonic() - started > run_time + 90          # locust lingering after its run time
        if overdue or (stop_when is not None and time.monotonic() - started > 60 and stop_when()):
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            break
    elapsed = time.monotonic() - started
    cpu = {k: after[k] - before[k] for k in before if k != "at"}
    if meter:
        (out / f"{mode}_cpu.json").write_text(__import__("json").dumps(samples))
    return elapsed, cpu


def cost_per_request(out: Path, mode: str, name: str, skip: float = 15) -> dict:
    """CPU milliseconds per ``name`` request (gunicorn, its PostgreSQL backends, locust) over
    the steady part of the run (from ``skip`` s after the first such request to the end):
    what a request costs whatever share of the machine the run got."""
    import json

    samples = json.loads((out / f"{mode}_cpu.json").read_text())
    rows = [r for r in _counts(out, mode, name) if r[1] > 0]
    if len(rows) < 2 or len(samples) < 2:
        return {}
    first = rows[0][0] + skip
    begin = next((s for s in samples if s["at"] >= first), None)
    end = samples[-1]
    if begin is None or end["at"] - begin["at"] < 5:
        return {}

    def count_at(ts):
        before = [c for t, c in rows if t <= ts]
        return before[-1] if before else 0
    n = count_at(end["at"]) - count_at(begin["at"])
    if n <= 0:
        return {}
    cost = {k: (end[k] - begin[k]) * 1000 / n for k in ("gunicorn", "pg", "locust")}
    cost["requests"] = n
    cost["seconds"] = end["at"] - begin["at"]
    cost["machine_cores"] = (end["machine"] - begin["machine"]) / cost["seconds"]
    cost["ours_cores"] = sum(end[k] - begin[k] for k in ("gunicorn", "pg", "locust")) / cost["seconds"]
    return cost


def cost_line(cost: dict) -> str:
    if not cost:
        return "  CPU per request: not measured"
    return (f"  CPU per request over {cost['seconds']:.0f} s ({cost['requests']} requests): gunicorn "
            f"{cost['gunicorn']:.2f} ms + PostgreSQL {cost['pg']:.2f} ms + locust {cost['locust']:.2f} ms; "
            f"this run had {cost['ours_cores']:.2f} of the machine's busy {cost['machine_cores']:.2f} cores")


def cpu_line(cpu: dict, seconds: float) -> str:
    if not cpu:
        return ""
    parts = ", ".join(f"{k} {v:.0f} s ({v / seconds:.2f} cores)" for k, v in cpu.items() if k != "at")
    return f"  CPU over {seconds:.0f} s: {parts}"


def read_stats(out: Path, mode: str) -> dict:
    rows = {}
    with open(out / f"{mode}_stats.csv") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = row
    return rows


def _counts(out: Path, mode: str, name: str) -> list[tuple[int, int]]:
    """(timestamp, total requests so far) of ``name`` from locust's per-second history."""
    rows = []
    with open(out / f"{mode}_stats_history.csv") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == name:
                rows.append((int(row["Timestamp"]), int(row["Total Request Count"])))
    return rows


def peak_rate(out: Path, mode: str, name: str, window: int = 5) -> float:
    """The highest requests/s of ``name`` over any ``window`` seconds (from the running totals;
    locust's own Requests/s column lags and smooths)."""
    rows = _counts(out, mode, name)
    best = 0.0
    for i, (ts, count) in enumerate(rows):
        j = next((k for k in range(i, len(rows)) if rows[k][0] - ts >= window), None)
        if j is not None:
            best = max(best, (rows[j][1] - count) / (rows[j][0] - ts))
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
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--duration", type=int, default=10, help="minutes")
    parser.add_argument("--arrival", type=int, default=60, help="seconds over which candidates start")
    parser.add_argument("--lobby", type=int, default=None,
                        help="seconds over which candidates log in before the window (default max(60, N/15))")
    parser.add_argument("--in-storm", action="store_true",
                        help="no lobby: each candidate logs in at its arrival, inside the 60 s start storm")
    parser.add_argument("--think", type=float, default=8.0)
    parser.add_argument("--max-run", type=int, default=None, help="stop locust after this many seconds")
    parser.add_argument("--slow-save", action="store_true", help="EXAM_FAST_SAVE=0: the service path for every save")
    parser.add_argument("--locust-processes", type=int, default=1)
    parser.add_argument("--sat-bare", type=int, default=60, help="saturation: seconds on the bare view")
    parser.add_argument("--sat-save", type=int, default=90, help="saturation: seconds of saves after the lobby")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5"))
    parser.add_argument("--db", default="bench_examday")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    print(f"before: {uptime()}")
    url = create_database(args.pg, args.db)
    out = Path(tempfile.mkdtemp(prefix="exam_day_"))
    gunicorn = None
    try:
        exam_id = seed(url, args.users, args.questions, args.duration if not args.saturation else 120)
        port = free_port()
        gunicorn = start_gunicorn(url, port, args, out / "instance")
        threads = f" × {args.threads} threads" if args.worker_class == "gthread" else ""
        print(f"gunicorn: {args.workers} workers{threads} ({args.worker_class}), pool {max(4, args.threads)} + 4, "
              f"fast save {'off' if args.slow_save else 'on'}, locust processes {args.locust_processes}; "
              f"results in {out}")
        meter = CpuMeter(gunicorn.pid, args.pg, args.db)
        if args.saturation:
            saturation(args, port, out, exam_id, url, meter)
        else:
            exam_run(args, port, out, exam_id, url, meter)
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


def exam_run(args, port, out, exam_id, url, meter) -> None:
    if args.in_storm:
        lobby, rate = 0, args.users / args.arrival
    else:
        lobby = args.lobby if args.lobby is not None else max(60, args.users // 15)
        rate = args.users / lobby
    run_time = lobby + args.arrival + args.duration * 60 + 90
    if args.max_run:
        run_time = min(run_time, args.max_run)
    print(f"during (start): {uptime()}")
    elapsed, cpu = run_locust("exam", port, args.users, rate, run_time, out, exam_id, args.think,
                              stop_when=closed_attempts(url, args.users), lobby=lobby, arrival=args.arrival,
                              meter=meter, processes=args.locust_processes)
    stats = read_stats(out, "exam")
    result = check_acks(url, out)
    logins = "inside the start storm (no lobby)" if args.in_storm else f"over a {lobby} s lobby before the window"
    print(f"\n== exam day: N = {args.users}, {args.questions} questions, {args.duration} min, logins {logins}, "
          f"starts over {args.arrival} s, think {args.think} ± {args.think / 2} s; ran {elapsed:.0f} s")
    for name in ("login page", "login", "my tests", "start", "exam page", "save", "submit"):
        if name in stats:
            print(f"  {name:<10} {fmt(stats[name])}")
    agg = stats.get("Aggregated", {})
    print(f"  errors: {agg.get('Failure Count')} of {agg.get('Request Count')} requests")
    print(f"  error kinds: {failures(out, 'exam')}")
    save = stats.get("save", {})
    print(f"  saves/s: mean {float(save.get('Requests/s', 0)):.1f}, peak {peak_rate(out, 'exam', 'save'):.1f}")
    print(f"  acknowledged saves: {result['acked']}, lost: {result['lost']} {result['lost_sample']}")
    print(f"  attempts by state: {result['attempts']}; save events logged: {result['save_events']}")
    print(cpu_line(cpu, elapsed))
    print(f"  during (end): {uptime()}")


def saving_for(out: Path, seconds: int):
    """Stop condition: saves have been running for ``seconds``."""
    def done() -> bool:
        try:
            rows = [r for r in _counts(out, "save", "save") if r[1] > 0]
        except (OSError, KeyError, ValueError):
            return False
        return bool(rows) and rows[-1][0] - rows[0][0] >= seconds
    return done


def failures(out: Path, mode: str) -> str:
    path = out / f"{mode}_failures.csv"
    if not path.exists():
        return "none"
    with open(path) as fh:
        rows = [f"{r['Name']}: {r['Error'][:80]} × {r['Occurrences']}" for r in csv.DictReader(fh)]
    return "; ".join(rows[:8]) or "none"


def saturation(args, port, out, exam_id, url, meter) -> None:
    rate = max(1.0, args.users / 30)
    print(f"during (bare): {uptime()}")
    bare_s, bare_cpu = run_locust("bare", port, args.users, rate, args.sat_bare, out, exam_id, 0, meter=meter,
                                  processes=args.locust_processes)
    bare = peak_rate(out, "bare", "bare")
    bare_stats = read_stats(out, "bare").get("bare", {})
    lobby = max(30, args.users // 5)
    print(f"during (saves): {uptime()}")
    save_s, save_cpu = run_locust("save", port, args.users, args.users / lobby, 4 * lobby + args.sat_save, out,
                                  exam_id, 0, lobby=lobby, meter=meter, processes=args.locust_processes,
                                  stop_when=saving_for(out, args.sat_save))
    save = peak_rate(out, "save", "save")
    save_stats = read_stats(out, "save").get("save", {})
    steady = steady_rate(out, "save", "save")
    result = check_acks(url, out)
    print(f"\n== saturation: up to {args.users} users, no think time, +{rate:.0f} users/s (bare), "
          f"saves after a {lobby} s lobby")
    print(f"  bare  {fmt(bare_stats)}  peak {bare:.0f} req/s, mean {float(bare_stats.get('Requests/s', 0)):.0f}")
    print(cpu_line(bare_cpu, bare_s))
    print(f"  save  {fmt(save_stats)}  peak {save:.0f} saves/s, steady (after the lobby) {steady:.0f}")
    print(cpu_line(save_cpu, save_s))
    bare_cost, save_cost = cost_per_request(out, "bare", "bare", 10), cost_per_request(out, "save", "save")
    print(cost_line(bare_cost).replace("CPU per request", "bare: CPU per request"))
    print(cost_line(save_cost).replace("CPU per request", "save: CPU per request"))
    print(f"  ratio save/bare: peak {save / bare:.2f}, steady {steady / bare:.2f}" if bare
          else "  ratio: no bare figure")
    if bare_cost and save_cost:
        server = lambda c: c["gunicorn"] + c["pg"]          # noqa: E731
        whole = lambda c: c["gunicorn"] + c["pg"] + c["locust"]   # noqa: E731
        print(f"  ratio by CPU cost (bare cost / save cost): server side {server(bare_cost) / server(save_cost):.2f}, "
              f"with locust {whole(bare_cost) / whole(save_cost):.2f}")
    print(f"  errors: bare {bare_stats.get('Failure Count')}, save {save_stats.get('Failure Count')}; "
          f"{failures(out, 'save')}")
    print(f"  acknowledged saves: {result['acked']}, lost: {result['lost']}")
    print(f"  during (end): {uptime()}")


def steady_rate(out: Path, mode: str, name: str, skip: float = 15) -> float:
    """Mean requests/s of ``name`` from ``skip`` s after its first request to its last."""
    rows = [r for r in _counts(out, mode, name) if r[1] > 0]
    if len(rows) < 2:
        return 0.0
    start = next((r for r in rows if r[0] - rows[0][0] >= skip), rows[0])
    end = rows[-1]
    return (end[1] - start[1]) / (end[0] - start[0]) if end[0] > start[0] else 0.0


if __name__ == "__main__":
    main()
