"""Question bank speed: bulk imports, and the bank page over 50,000 questions.

    .venv/bin/python bench/bank.py                    # both parts
    .venv/bin/python bench/bank.py --part import      # the two 10,000-question imports
    .venv/bin/python bench/bank.py --part import --import-pg --profile   # also PostgreSQL, with profiles
    .venv/bin/python bench/bank.py --part pages --pg postgresql://postgres@127.0.0.1:5432/postgres

1. ``import``: generates a 10,000-question GIFT file (multiple choice, true/false, short
   answer, numerical; Vietnamese text; 40 categories; tags) and a 10,000-row XLSX in the
   agencies' layout (multiple choice with difficulty and legal reference), then imports each
   in a fresh child process into a new SQLite file (the embedded default), as
   ``flask questions import`` does: parse, duplicate check, write as drafts, audit, commit.
   Reports seconds (best of --repeat children; parse and write apart, and the CPU time of
   the process, which the machine's other jobs do not inflate), the child's peak RSS
   (ru_maxrss: the whole process, app and libraries included) and the tracemalloc peak of
   the import call (a separate child, since tracing slows it); target < 5 s and < 300 MB.
   ``--import-pg`` also imports into a scratch PostgreSQL database (created on the --pg
   server and dropped after each run); ``--profile`` adds one cProfile run per case and
   prints its 25 costliest functions (own time).  Each line carries the 1-minute load
   when that case started.
2. ``pages``: on PostgreSQL, creates a scratch database (``bench_bank_<pid>``), seeds one bank
   with 50,000 questions (imported through the same service), 60,000 attempt slots for the
   usage counts, mixed statuses; then measures server time in-process (the test client, no
   network) of the bank page for listing, deep pages, categories, accent-insensitive search
   and each filter: p50/p95 over --requests requests per case; target p95 < 100 ms.  The
   same cases are measured again after dropping the trigram index, to show what it buys.
   The scratch database is dropped at the end; no other database is touched.

Prints the figures and the ``uptime`` load (the machine is shared).
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_IMPORT, N_PAGES = 10_000, 50_000
PASSWORD = "Bench-password-1"
WORDS = ("luật đấu thầu hợp đồng nhà thầu chủ đầu tư bên mời thầu hồ sơ dự thầu gói thầu lựa chọn đánh giá kỹ "
         "thuật tài chính cán bộ công chức viên chức kỷ luật khen thưởng ngân sách nhà nước thủ tục hành chính "
         "quyết định phê duyệt kế hoạch thời gian bảo đảm dự án đầu tư công mua sắm thường xuyên chỉ định "
         "chào hàng cạnh tranh đàm phán giá thẩm định kiểm tra giám sát báo cáo trách nhiệm quyền hạn cơ quan "
         "đơn vị sự nghiệp ủy ban nhân dân tỉnh xã phường sở ban ngành văn bản quy phạm pháp luật hiệu lực").split()
TAGS = ["Đấu thầu", "Hợp đồng", "Công chức", "Ngân sách", "Thủ tục", "Kỷ luật", "Đầu tư công", "Mua sắm"]
LEVELS = ["Nhận biết", "Thông hiểu", "Vận dụng", "Khó", "Dễ", ""]


def _sentence(rng, lo, hi) -> str:
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    return " ".join(words).capitalize()


def gift_text(n: int, seed: int = 1) -> str:
    """``n`` GIFT questions in 40 categories, each with a tag comment."""
    rng, out = random.Random(seed), []
    for i in range(n):
        if i % (n // 40) == 0:
            out.append(f"$CATEGORY: $course$/top/Chủ đề {i // (n // 8) + 1}/Mục {i // (n // 40) + 1}\n")
        stem = f"{_sentence(rng, 12, 24)} (câu {i + 1})?"
        out.append(f"// [tag:{rng.choice(TAGS)}] [tag:{rng.choice(TAGS)}]")
        kind = i % 10
        if kind < 7:
            options = [_sentence(rng, 3, 9) + f" {i}.{k}" for k in range(4)]
            right = rng.randrange(4)
            body = " ".join(("=" if k == right else "~") + o for k, o in enumerate(options))
        elif kind == 7:
            body = rng.choice(["T", "F"])
        elif kind == 8:
            body = f"={rng.choice(WORDS)} ={rng.choice(WORDS)}"
        else:
            body = f"#{rng.randint(1, 500)}:{rng.randint(0, 3)}"
        out.append(f"::Q{i + 1}:: {stem} {{{body}}}\n")
    return "\n".join(out)


def xlsx_bytes(n: int, seed: int = 2) -> bytes:
    """``n`` multiple-choice rows in the agencies' layout (formats.export_xlsx)."""
    from question_bank.formats import ParsedQuestion, export_xlsx
    from question_bank.formats.questions import multichoice_payload

    rng, questions = random.Random(seed), []
    for i in range(n):
        right = rng.randrange(4)
        answers = [(_sentence(rng, 3, 9) + f" {i}.{k}", "1" if k == right else "0", "") for k in range(4)]
        questions.append(ParsedQuestion(
            qtype="multichoice", name=f"C{i + 1}", text=f"{_sentence(rng, 12, 24)} (câu {i + 1})?",
            category=(f"Chuyên đề {i % 20 + 1}",), payload=multichoice_payload(answers, numbering="ABCD"),
            difficulty=rng.choice(LEVELS) or None, legal_reference=f"Luật Đấu thầu 2023, Điều {rng.randint(1, 90)}",
            tags=(rng.choice(TAGS),)))
    return export_xlsx(questions)


def make_app(url: str):
    from app import create_app

    tmp = tempfile.mkdtemp(prefix="bench-bank-")
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "STORAGE_DIR": f"{tmp}/storage",
                       "AUDIT_CHECKPOINT": f"{tmp}/audit-checkpoint.json", "SQLALCHEMY_ENGINE_OPTIONS": {}})


def _bank(code="BENCH"):
    from accounts.models import Agency, AgencyKind, Role, RoleAssignment, StaffCategory, User
    from extensions import db
    from question_bank.models import QuestionBank

    agency = Agency(code="BP", name="Tỉnh bench", kind=AgencyKind("province"))
    db.session.add(agency)
    db.session.flush()
    agency.set_path()
    user = User(username="bench", full_name="Bench", agency=agency, position="Chuyên viên",
                staff_category=StaffCategory("civil_servant"), quota_group="chuyen-vien")
    user.set_password(PASSWORD)
    user.roles = [RoleAssignment(role=Role.BANK_EDITOR, agency=agency), RoleAssignment(role=Role.REVIEWER, agency=agency)]
    bank = QuestionBank(code=code, name="Ngân hàng bench", agency=agency)
    db.session.add_all([user, bank])
    db.session.commit()
    return bank, user


# --- part 1: imports (each run in a child process for a clean peak RSS) ------------------

def child_import(path: str, url: str, trace: bool, profile: bool = False) -> dict:
    from extensions import db
    from question_bank.formats import parse
    from question_bank.services import import_result

    app = make_app(url)
    data = Path(path).read_bytes()
    with app.app_context():
        db.create_all()
        bank, user = _bank()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start, cpu = time.perf_counter(), time.process_time()
        result = parse(data, Path(path).name)               # what services.import_file does, timed in two
        parsed, parsed_cpu = time.perf_counter() - start, time.process_time() - cpu
        report = import_result(bank, result, user=user)
        db.session.commit()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if profile:
            import io
            import pstats

            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue(), file=sys.stderr)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db.session.remove()
        db.engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "parse": parsed, "parse_cpu": parsed_cpu, "imported": report.imported,
            "errors": len(report.errors), "rss_mb": rss / 1024, "rss_before_mb": rss_before / 1024,
            "traced_mb": None if peak is None else peak / 2**20}


def _run_child(path: Path, url: str, pg: str | None, trace=False, profile=False) -> dict:
    flags = (["--trace"] if trace else []) + (["--profile"] if profile else [])
    try:
        out = subprocess.run([sys.executable, __file__, "--child", str(path), "--url", url, *flags],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            raise SystemExit(f"the import child failed:\n{out.stderr[-3000:]}")
        if profile:
            print(out.stderr[out.stderr.find("   Ordered by"):])
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if url.startswith("postgresql"):
            _drop_db(pg, url)


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def part_import(repeat: int, pg: str | None, profile: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-bank-files-"))
    files = {"GIFT": tmp / "bank-10000.gift", "XLSX": tmp / "bank-10000.xlsx"}
    files["GIFT"].write_text(gift_text(N_IMPORT), encoding="utf-8")
    app = make_app("sqlite://")
    with app.app_context():
        files["XLSX"].write_bytes(xlsx_bytes(N_IMPORT))
    for label, path in files.items():
        targets = [("SQLite", lambda: f"sqlite:///{tmp}/import-{time.monotonic_ns()}.db")]
        if pg:
            targets.append(("PostgreSQL", lambda: _scratch_db(pg)))
        for db_label, url_of in targets:
            load = _load()
            runs = [_run_child(path, url_of(), pg) for _ in range(repeat)]
            traced = _run_child(path, url_of(), pg, trace=True)
            best = min(runs, key=lambda r: r["seconds"])
            print(f"import {label} {path.stat().st_size / 2**20:.1f} MiB into {db_label} (load {load} → "
                  f"{_load()}): {best['imported']} questions "
                  f"({best['errors']} errors), best {best['seconds']:.2f} s wall = parse {best['parse']:.2f} + "
                  f"write {best['seconds'] - best['parse']:.2f} ({best['cpu']:.2f} s CPU: parse "
                  f"{best['parse_cpu']:.2f}), median {statistics.median(r['seconds'] for r in runs):.2f} s of "
                  f"{repeat}; peak RSS {max(r['rss_mb'] for r in runs):.0f} MB (after loading the app: "
                  f"{best['rss_before_mb']:.0f} MB); tracemalloc peak of the import {traced['traced_mb']:.0f} MiB",
                  flush=True)
            if profile:
                _run_child(path, url_of(), pg, profile=True)


# --- part 2: pages over 50,000 questions on PostgreSQL -----------------------------------

def _admin_conn(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def _scratch_db(pg: str) -> str:
    name = f"bench_bank_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    with _admin_conn(pg) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0]
    return f"{base}/{name}"


def _drop_db(pg: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    assert name.startswith("bench_bank_"), name
    with _admin_conn(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed_pages(n: int):
    """50,000 questions in 100 categories, half approved, 2 % retired; 60,000 slots."""
    from datetime import timedelta
    from fractions import Fraction

    from sqlalchemy import insert, select, update

    from accounts.models import User
    from db_types import utcnow
    from exam.models import Attempt, AttemptSlot, BlueprintRule, Exam
    from extensions import db
    from question_bank.formats import ParsedQuestion, ParseResult
    from question_bank.formats.questions import multichoice_payload
    from question_bank.models import Category, Question, QuestionStatus, QuestionVersion
    from question_bank.services import approve_all, import_result

    bank, user = _bank()
    rng = random.Random(3)
    for start in range(0, n, 10_000):
        questions = []
        for i in range(start, start + 10_000):
            right = rng.randrange(4)
            answers = [(_sentence(rng, 3, 8), "1" if k == right else "0", "") for k in range(4)]
            questions.append(ParsedQuestion(
                qtype="multichoice" if i % 10 else "truefalse", name=f"Q{i + 1}",
                text=f"<p>{_sentence(rng, 12, 24)} (câu {i + 1})?</p>",
                category=(f"Chủ đề {i % 10 + 1}", f"Mục {i % 100 + 1}"),
                payload=(multichoice_payload(answers) if i % 10 else {"correct": True}),
                tags=tuple(rng.sample(TAGS, 2)), difficulty=rng.choice(LEVELS) or None, line=i + 1))
        import_result(bank, ParseResult("seed.gift", "gift", questions), user=user)
        db.session.commit()
    reviewer = User(username="reviewer", full_name="R", agency=bank.agency, position="x",
                    staff_category=user.staff_category, quota_group="x", password_hash=user.password_hash)
    db.session.add(reviewer)
    db.session.flush()
    ids = list(db.session.scalars(select(Question.id).where(Question.bank_id == bank.id).order_by(Question.id)))
    half = ids[: n // 2]
    approve_all(bank, reviewer)
    db.session.execute(update(Question).where(Question.id.in_(ids[n // 2:])).values(status=QuestionStatus.DRAFT))
    db.session.execute(update(Question).where(Question.id.in_(ids[-n // 50:])).values(status=QuestionStatus.RETIRED))
    top = db.session.scalars(select(Category).where(Category.bank_id == bank.id, Category.parent_id.is_(None))).first()
    exam = Exam(code="BE", title="Bench", year=2026, agency=bank.agency, bank=bank, window_start=utcnow(),
                window_end=utcnow() + timedelta(days=1))
    exam.rules.append(BlueprintRule(position=0, category=top, count=30, mark=Fraction(1)))
    db.session.add(exam)
    db.session.flush()
    versions = list(db.session.scalars(select(QuestionVersion.id).join(Question, Question.current_version_id ==
                                                                       QuestionVersion.id).where(Question.id.in_(half))))
    people = [User(username=f"u{i}", full_name=f"U{i}", agency=bank.agency, position="x", quota_group="x",
                   staff_category=user.staff_category, password_hash=user.password_hash) for i in range(2000)]
    db.session.add_all(people)
    db.session.flush()
    attempts = [{"exam_id": exam.id, "user_id": p.id, "seed": i, "deadline": utcnow(), "session_token": ""}
                for i, p in enumerate(people)]
    db.session.execute(insert(Attempt), attempts)
    attempt_ids = list(db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam.id)))
    slots = [{"attempt_id": a, "position": k + 1, "version_id": v, "mark": Fraction(1), "saved_seq": 0,
              "flagged": False, "manual_comment": ""}
             for a in attempt_ids for k, v in enumerate(rng.sample(versions[:3000], 30))]
    db.session.execute(insert(AttemptSlot), slots)
    db.session.commit()
    return bank


CASES = [
    ("list, page 1", lambda b, c, r: ""),
    ("list, a random page (1–1000)", lambda b, c, r: f"page={r.randint(1, 1000)}"),
    ("category (500 q.)", lambda b, c, r: f"category={r.choice(c)}"),
    ("search 'luat dau thau'", lambda b, c, r: "q=luat+dau+thau"),
    ("search 'hợp đồng nhà thầu'", lambda b, c, r: "q=h%E1%BB%A3p+%C4%91%E1%BB%93ng+nh%C3%A0+th%E1%BA%A7u"),
    ("search one question 'cau 31337'", lambda b, c, r: "q=cau+31337"),
    ("search, no match 'xyzw'", lambda b, c, r: "q=xyzw"),
    ("tag 'dau thau'", lambda b, c, r: "tag=dau+thau"),
    ("difficulty hard + status approved", lambda b, c, r: "difficulty=hard&status=approved"),
    ("type truefalse", lambda b, c, r: "qtype=truefalse"),
    ("used at least once", lambda b, c, r: "uses_min=1"),
    ("search + tag + used", lambda b, c, r: "q=dau+thau&tag=hop+dong&uses_min=1"),
]


def _measure(app, bank, requests: int) -> list[tuple[str, float, float, int]]:
    from sqlalchemy import select

    from extensions import db
    from question_bank.models import Category

    cats = list(db.session.scalars(select(Category.id).where(Category.bank_id == bank.id, Category.parent_id.isnot(None))))
    client = app.test_client()
    assert client.post("/login", data={"username": "bench", "password": PASSWORD}).status_code == 302
    rng, out = random.Random(5), []
    for label, query in CASES:
        times, size = [], 0
        for i in range(requests + 3):
            url = f"/bank/{bank.id}?{query(bank, cats, rng)}"
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.data)
            if i >= 3:                      # the first requests warm the caches
                times.append(elapsed * 1000)
        times.sort()
        out.append((label, statistics.median(times), times[int(0.95 * (len(times) - 1))], size))
    return out


def part_pages(pg: str, requests: int) -> None:
    from extensions import db

    url = _scratch_db(pg)
    try:
        app = make_app(url)
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            bank = _seed_pages(N_PAGES)
            print(f"pages  seeded {N_PAGES} questions and 60,000 slots in {time.perf_counter() - start:.0f} s")
            with _admin_conn(url) as conn:             # what autovacuum does soon after a bulk load
                conn.execute("VACUUM ANALYZE")
            for title in ("with the trigram index", "without the trigram index"):
                rows = _measure(app, bank, requests)
                print(f"pages  PostgreSQL, {N_PAGES} questions, {title}: server time per page "
                      f"(ms, {requests} requests each)")
                for label, p50, p95, size in rows:
                    print(f"  {label:36s} p50 {p50:6.1f}  p95 {p95:6.1f}   ({size / 1024:.0f} KiB)")
                db.session.execute(db.text("DROP INDEX IF EXISTS ix_question_search_trgm"))
                db.session.commit()
            db.session.remove()
            db.engine.dispose()
    finally:
        _drop_db(pg, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["import", "pages", "all"], default="all")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL URL whose server may create and drop scratch databases")
    parser.add_argument("--import-pg", action="store_true", help="also time the imports into PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of one import per case")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_import(args.child, args.url, args.trace, args.profile)))
        return
    print("load before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.part in ("import", "all"):
        part_import(args.repeat, args.pg if args.import_pg else None, args.profile)
    if args.part in ("pages", "all"):
        part_pages(args.pg, args.requests)
    print("load after: ", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
