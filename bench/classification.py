"""Yearly classification of a province: 50,000 staff in 2,000 agencies, 12 tasks each over 4
quarters (3 per quarter), general points per quarter, one leader per agency.

    .venv/bin/python bench/classification.py                      # both parts
    .venv/bin/python bench/classification.py --part engine        # scoring.rating.batch.rate_batch
    .venv/bin/python bench/classification.py --part engine --reference   # … and rate_year, compared
    .venv/bin/python bench/classification.py --part command --database-url postgresql://postgres@127.0.0.1:5432/bench_rating

1. ``engine``: the batch engine (``scoring.rating.batch.rate_batch``, exact int64 arrays) on
   the population as columns: seconds (best and median of --repeat, wall and CPU) and peak
   memory of the call (tracemalloc); then the time to build every person's stored reasons
   and details from its result. ``--reference`` also times the Fraction engine
   (``rate_year``) on the same people as PersonInputs and checks the two agree.
2. ``command``: creates a scratch PostgreSQL database next to the one in --database-url
   (``CREATE DATABASE bench_classification_<pid>``; no other database or table is touched),
   loads the province with COPY (2,001 agencies, 50,000 users, 600,000 tasks, reports and
   verifications, 200,000 quarterly general assessments), then times the whole command
   ``flask rating run --year 2026 --quiet`` in a child process (wall time, CPU time and
   maximum resident memory), checks the stored rows, and drops the database.

Prints the figures and the ``uptime`` load (the machine may be shared).
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENCIES, PER_AGENCY, TASKS_PER_QUARTER, YEAR = 2_000, 25, 3, 2026
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
DEADLINES = {"Q1": date(YEAR, 3, 31), "Q2": date(YEAR, 6, 30), "Q3": date(YEAR, 9, 30), "Q4": date(YEAR, 12, 10)}
CRITERIA = {"I.1": Fraction(5), "I.2": Fraction(5), **{f"{g}.{i}": Fraction(5, 2) for g in ("II", "III")
                                                       for i in range(1, 5)}}


def population(seed: int = 5):
    """One record per person: (agency index, person index, leader?, {quarter: (general points,
    [(target, accepted, delivered, on_time, failures, delays)])}, đ/e shares).  Outcomes are
    drawn so that the levels spread over all four bands."""
    rng = random.Random(seed)
    people = []
    for a in range(AGENCIES):
        for k in range(PER_AGENCY):
            quarters = {}
            skill = rng.random()
            for q in QUARTERS:
                general = {c: m - Fraction(rng.choice((0, 0, 0, 1, 1, 2)), 4) * (1 if skill > 0.3 else 2)
                           for c, m in CRITERIA.items()}
                tasks = []
                for _ in range(TASKS_PER_QUARTER):
                    target = rng.choice((1, 2, 4, 5, 10))
                    delivered = rng.random() < 0.93 + 0.06 * skill
                    accepted = target if rng.random() < 0.7 + 0.3 * skill else rng.randint(0, target)
                    failures = 1 if rng.random() > 0.85 + 0.15 * skill else 0
                    delays = 1 if rng.random() > 0.9 + 0.1 * skill else 0
                    tasks.append((target, accepted if delivered else 0, delivered, delays == 0, failures, delays))
                quarters[q] = (general, tasks)
            shares = (Fraction(rng.randint(80, 100), 100), Fraction(rng.randint(80, 100), 100))
            people.append((a, k, k == 0, quarters, shares))
    return people


def engine_inputs(people):
    from scoring.rating import PeriodInput, PersonInput, ProductResult

    inputs = []
    for a, k, leader, quarters, (org, unity) in people:
        periods = []
        for q, (general, tasks) in quarters.items():
            products = tuple(ProductResult(task_id=f"{a}.{k}.{q}.{i}", target=t, accepted=acc, delivered=d,
                                           on_time=ot, quality_failures=f, delays=dl)
                             for i, (t, acc, d, ot, f, dl) in enumerate(tasks))
            periods.append(PeriodInput(period=f"{YEAR}-{q}", general_points=general, products=products,
                                       org_capacity=org if leader else None, unity=unity if leader else None))
        inputs.append(PersonInput(person_id=f"{a}.{k}", name=f"P{a}.{k}", category="civil_servant",
                                  rating_unit=f"A{a:04d}", quota_group="ld" if leader else "cv",
                                  is_leader=leader, manager_id=None if leader else f"{a}.0", periods=tuple(periods)))
    return inputs


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def engine_population(people):
    """The same province as :func:`engine_inputs`, as the batch engine's columns (what
    ``classification.inputs.build_population`` makes from the database rows)."""
    from scoring.rating.batch import PopulationBuilder

    b = PopulationBuilder()
    for a, k, leader, quarters, (org, unity) in people:
        i = b.add_person(person_id=f"{a}.{k}", name=f"P{a}.{k}", category="civil_servant",
                         rating_unit=f"A{a:04d}", quota_group="ld" if leader else "cv", is_leader=leader,
                         manager_id=None if leader else f"{a}.0")
        for q, (general, tasks) in quarters.items():
            r = b.add_period(i, f"{YEAR}-{q}", general_points=general, org_capacity=org if leader else None,
                             unity=unity if leader else None)
            for n, (t, acc, d, ot, f, dl) in enumerate(tasks):
                b.add_product(r, task_id=f"{a}.{k}.{q}.{n}", target=(t, 1), accepted=(acc, 1), delivered=d,
                              on_time=ot, quality_failures=f, delays=dl)
    return b.build()


def _timed(call, repeat: int):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, times, peak


def part_engine(repeat: int, reference: bool) -> None:
    from collections import Counter

    from scoring.rating import Settings, rate_year
    from scoring.rating.batch import rate_batch

    settings = Settings(test_rule="none")
    people = population()
    t0 = time.perf_counter()
    pop = engine_population(people)
    print(f"population: {len(pop):,} people, {len(pop.row_person):,} periods, {len(pop.prod_row):,} products "
          f"as columns (built in {time.perf_counter() - t0:.1f} s)")
    c0 = time.process_time()
    result, times, peak = _timed(lambda: rate_batch(pop, YEAR, settings), repeat)
    cpu = (time.process_time() - c0) / (repeat + 1)
    assert result.fallback is None, result.fallback
    levels = Counter(lv.value for lv in result.levels())
    print(f"batch engine rate_batch: best {min(times):.2f} s, median {statistics.median(times):.2f} s over {repeat} "
          f"runs ({cpu:.2f} s CPU per run); peak memory of the call {peak / 2**20:.0f} MiB (tracemalloc)")
    print(f"levels: {dict(sorted(levels.items()))}; moved by the quota "
          f"{sum(result.quota_moved(i) for i in range(len(result))):,}; "
          f"council {sum(result.needs_council(i) for i in range(len(result))):,}")
    print(f"load: {uptime()}")
    from scoring.rating.batch import ReasonJSON

    t0, c0, memo = time.perf_counter(), time.process_time(), ReasonJSON()
    for i in range(len(result)):
        result.stored(i, memo)
    print(f"then every person's stored reasons (vi + en) and details, as the command writes them: "
          f"{time.perf_counter() - t0:.1f} s ({time.process_time() - c0:.1f} s CPU)")
    if reference:
        ratings = result.ratings()
        inputs = engine_inputs(people)
        ref, times, peak = _timed(lambda: rate_year(inputs, YEAR, settings), 1)
        print(f"reference rate_year (Fractions): {min(times):.2f} s; peak memory {peak / 2**20:.0f} MiB (tracemalloc)")
        same = all(a == b for a, b in zip(ref, ratings))
        print(f"batch ratings equal to the reference's, person by person: {same}")
        print(f"load: {uptime()}")


# ── the whole command on PostgreSQL ───────────────────────────────────────────────────────
def _copy(cur, table: str, columns: tuple, rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; every other column of the
    app's model gets its scalar or callable default (other features add columns freely)."""
    from extensions import db

    model = db.metadata.tables[table.strip('"')]
    extra = [c for c in model.columns if c.name not in columns and not c.primary_key]
    fill = []
    for column in extra:
        default = column.default
        if default is None:
            fill.append(None)
        elif default.is_scalar:
            fill.append(default.arg.value if hasattr(default.arg, "value") else default.arg)
        else:
            fill.append(default.arg(None))
    names = ", ".join(list(columns) + [f'"{c.name}"' for c in extra])
    n = 0
    with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row) + tuple(fill))
            n += 1
    return n


def load(url: str, people) -> dict:
    """Create the tables with the app's metadata, then COPY the province in."""
    import psycopg

    from app import create_app
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    now = "2026-01-05 00:00:00"
    pw = "scrypt:bench"    # never used to log in
    counts = {}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn, conn.cursor() as cur:
        counts["agency"] = _copy(cur, "agency", ("id", "code", "name", "kind", "parent_id", "path", "is_rating_unit",
                                                 "has_nd233_regulation"),
                                 [(1, "P", "Tỉnh (benchmark)", "PROVINCE", None, "/1/", False, False)]
                                 + [(a + 2, f"A{a:04d}", f"Cơ quan {a}", "DEPARTMENT", 1, f"/1/{a + 2}/", True, False)
                                    for a in range(AGENCIES)])
        users = []
        for a, k, leader, _q, _s in people:
            uid = a * PER_AGENCY + k + 1
            users.append((uid, f"u{a}.{k}", pw, f"Người {a}.{k}", a + 2, "Chuyên viên", "", "CIVIL_SERVANT", leader,
                          "ld" if leader else "cv", True, True, 0, now))
        counts["user"] = _copy(cur, '"user"', ("id", "username", "password_hash", "full_name", "agency_id", "position",
                                               "title", "staff_category", "is_leader", "quota_group", "active", "rated",
                                               "session_version", "created_at"), users)

        def tasks():
            tid = 0
            for a, k, leader, quarters, _s in people:
                uid, boss = a * PER_AGENCY + k + 1, a * PER_AGENCY + 1
                for q, (_g, items) in quarters.items():
                    for i, (t, acc, d, ot, f, dl) in enumerate(items):
                        tid += 1
                        yield (tid, YEAR, f"{YEAR}-{q}", boss if not leader else uid, uid, f"Nhiệm vụ {i}", "", "",
                               str(t), "1", "1", DEADLINES[q], "REGULAR", now), (d, acc, ot, f, dl)
        task_rows, outcomes = [], []
        for row, outcome in tasks():
            task_rows.append(row)
            outcomes.append(outcome)
        counts["task"] = _copy(cur, "task", ("id", "year", "period", "assigner_id", "assignee_id", "title", "indicator",
                                             "unit_of_measure", "target", "factor", "weight", "deadline", "kind",
                                             "created_at"), task_rows)
        delivered = [(row, o) for row, o in zip(task_rows, outcomes) if o[0]]
        counts["product_report"] = _copy(cur, "product_report", ("id", "task_id", "actual_value", "product",
                                                                 "delivered_on", "reported_at"),
                                         [(i + 1, row[0], str(o[1]), "x", row[11], now)
                                          for i, (row, o) in enumerate(delivered)])
        counts["verification"] = _copy(cur, "verification", (
            "id", "report_id", "verifier_id", "accepted_value", "on_time", "quality_met", "quality_failures",
            "quality_failures_excused", "delays", "delays_excused", "comment", "verified_at"),
            [(i + 1, i + 1, row[3], str(o[1]), o[2], o[3] == 0, o[3], 0, o[4], 0, "", now)
             for i, (row, o) in enumerate(delivered)])

        def general():
            gid = 0
            for a, k, leader, quarters, (org, unity) in people:
                uid = a * PER_AGENCY + k + 1
                for q, (points, _t) in quarters.items():
                    gid += 1
                    text = json.dumps({c: str(v) for c, v in points.items()})
                    yield (gid, uid, f"{YEAR}-{q}", text, text, str(org) if leader else None,
                           str(unity) if leader else None, now)
        counts["general_assessment"] = _copy(cur, "general_assessment", (
            "id", "user_id", "period", "self_points", "final_points", "org_capacity", "unity", "updated_at"), general())
        _copy(cur, "rating_settings", ("year", "test_rule", "test_weight", "quota_denominator"),
              [(YEAR, "none", "5/2", "good_only")])
        for table in ("agency", '"user"', "task", "product_report", "verification", "general_assessment"):
            name = table.strip('"')
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                        if name else "")
        cur.execute("ANALYZE")
    return counts


def part_command(url: str, keep: bool) -> None:
    import psycopg

    base = url.replace("postgresql+psycopg://", "postgresql://")
    name = f"bench_classification_{os.getpid()}"
    admin = psycopg.connect(base, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    scratch = base.rsplit("/", 1)[0] + f"/{name}"
    app_url = "postgresql+psycopg://" + scratch.removeprefix("postgresql://")
    try:
        t0 = time.perf_counter()
        counts = load(app_url, population())
        print(f"loaded {', '.join(f'{k} {v:,}' for k, v in counts.items())} in {time.perf_counter() - t0:.0f} s")
        env = {**os.environ, "DATABASE_URL": app_url, "SECRET_KEY": "bench", "FLASK_APP": "app"}
        flask = str(Path(sys.executable).parent / "flask")
        for label in ("first run, rows created", "second run, rows rewritten"):
            t0 = time.perf_counter()
            timer = ["/usr/bin/time", "-f", "%M %U %S"] if Path("/usr/bin/time").exists() else []
            done = subprocess.run([*timer, flask, "--app", "app", "rating", "run", "--year", str(YEAR), "--quiet"],
                                  cwd=ROOT, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if done.returncode:
                print(done.stdout[-2000:], done.stderr[-4000:])
                raise SystemExit("the command failed")
            if timer:
                rss, user, system = done.stderr.strip().splitlines()[-1].split()
                rss_kib, cpu = int(rss), f", {float(user) + float(system):.1f} s CPU (user + system)"
            else:
                rss_kib, cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, ""
            print(done.stdout.strip())
            print(f"whole command `flask rating run --year {YEAR} --quiet` ({label}): {wall:.1f} s wall{cpu}, "
                  f"max resident memory {rss_kib / 1024:.0f} MiB")
        with psycopg.connect(scratch) as conn:
            stored = conn.execute("SELECT level, count(*) FROM yearly_classification GROUP BY level ORDER BY level").fetchall()
        print(f"stored: {dict(stored)}")
        print(f"load: {uptime()}")
    finally:
        if not keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("engine", "command", "all"), default="all")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                  "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (for profiling)")
    parser.add_argument("--reference", action="store_true", help="also time the reference engine and compare")
    args = parser.parse_args()
    if args.part in ("engine", "all"):
        part_engine(args.repeat, args.reference)
    if args.part in ("command", "all"):
        part_command(args.database_url, args.keep)


if __name__ == "__main__":
    main()
