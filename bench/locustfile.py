"""Locust users for the exam-day benchmark (driven by bench/exam_day.py; DECISIONS.md 19).

Modes (``BENCH_MODE``):

* ``exam`` — a candidate: log in (as ``bench0001``…; one of ``BENCH_NATS`` agency NAT
  addresses in X-Forwarded-For, as behind the province's proxy) during the lobby
  (``BENCH_LOBBY`` s, before the window opens), start at a random moment of the
  ``BENCH_ARRIVAL`` s after it (the start storm), answer
  every question with a think time of 8 ± 4 s, then submit near the deadline (the submit
  spike).  Every save acknowledged by the server is recorded as (attempt, position, seq)
  so the script can check afterwards that each one is in the database.
* ``bare`` — hammer ``/bench/bare`` (a bare Flask view in the same gunicorn) with no think time.
* ``save`` — log in and start during the lobby, then, once all ``BENCH_USERS`` have started
  (or after 4 × the lobby), save answers with no think time (saturation).

Acknowledged saves go to ``BENCH_ACK_DIR/acks-<pid>.txt`` when the test stops.
Only 127.0.0.1 is targeted (the script passes ``--host``).
"""
import itertools
import json
import os
import random
import re
import threading
import time

from locust import FastHttpUser, between, constant, events, task

MODE = os.environ.get("BENCH_MODE", "exam")
EXAM_ID = int(os.environ.get("BENCH_EXAM_ID", "1"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "Bench-password-1")
NATS = int(os.environ.get("BENCH_NATS", "200"))
THINK_MEAN, THINK_SPREAD = float(os.environ.get("BENCH_THINK", "8")), float(os.environ.get("BENCH_THINK_SPREAD", "4"))
ACK_DIR = os.environ.get("BENCH_ACK_DIR", ".")
LOBBY = float(os.environ.get("BENCH_LOBBY", "0"))        # seconds of logging in before the window opens
ARRIVAL = float(os.environ.get("BENCH_ARRIVAL", "0"))    # starts spread over this many seconds after it
T0 = time.monotonic()
MAX_TRIES = 6

USERS = int(os.environ.get("BENCH_USERS", "0"))          # saturation: saves begin once this many have started
_numbers = itertools.count(1)
_ready = itertools.count(1)
_all_ready = threading.Event()
_acks: list[tuple[int, int, int]] = []
_lock = threading.Lock()

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
OPTION = re.compile(r'name="q(\d+)" value="([^"]+)"')


def _csrf(html: str) -> str:
    m = CSRF_INPUT.search(html)
    if not m:
        raise RuntimeError("no csrf token on the page")
    return m.group(1) or m.group(2)


def _data(html: str, name: str) -> str:
    m = re.search(rf'data-{name}="([^"]*)"', html)
    if not m:
        raise RuntimeError(f"no data-{name} on the exam page")
    return m.group(1)


@events.test_stop.add_listener
def _dump_acks(**_kw):
    path = os.path.join(ACK_DIR, f"acks-{os.getpid()}.txt")
    with _lock, open(path, "w") as out:
        out.writelines(f"{a} {p} {s}\n" for a, p, s in _acks)


class Candidate(FastHttpUser):
    """One examinee; ``wait_time`` is not used between the scripted steps."""

    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self):
        self.number = next(_numbers)
        self.headers = {"X-Forwarded-For": f"10.{self.number % NATS // 250}.{self.number % NATS % 250}.1"}
        self.attempt_id = None
        if MODE != "bare":
            self._login()
            if LOBBY and MODE == "exam":
                time.sleep(max(0.0, T0 + LOBBY + random.uniform(0, ARRIVAL) - time.monotonic()))
            self._start()
            if next(_ready) >= USERS:
                _all_ready.set()

    # ---- steps ---------------------------------------------------------------------

    def _login(self):
        username = f"bench{self.number:05d}"
        for attempt in range(MAX_TRIES):
            page = self.client.get("/login", name="login page", headers=self.headers)
            with self.client.post("/login", name="login", headers=self.headers, allow_redirects=False,
                                  data={"username": username, "password": PASSWORD, "csrf_token": _csrf(page.text)},
                                  catch_response=True) as r:
                if r.status_code == 302:
                    r.success()
                    return
                r.failure(f"login {r.status_code}")
            time.sleep(2 ** attempt)
        raise RuntimeError("login failed")

    def _start(self):
        listing = self.client.get("/exam/", name="my tests", headers=self.headers)
        token = _csrf(listing.text)
        with self.client.post(f"/exam/{EXAM_ID}/start", name="start", data={"csrf_token": token},
                              headers=self.headers, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302 or "/attempt/" not in r.headers.get("Location", ""):
                r.failure(f"start {r.status_code}")
                raise RuntimeError("start failed")
            location = r.headers["Location"]
        page = self.client.get(location, name="exam page", headers=self.headers)
        html = page.text
        self.attempt_id = int(_data(html, "attempt"))
        self.token, self.csrf = _data(html, "token"), _data(html, "csrf")
        self.seq = int(_data(html, "next-seq"))
        self.remaining = int(_data(html, "remaining"))
        self.started = time.monotonic()
        self.options: dict[int, list[str]] = {}
        for position, value in OPTION.findall(html):
            self.options.setdefault(int(position), []).append(value)
        self.submit_token = _csrf(html)

    def _save(self, position: int) -> bool:
        """One answer, retried like the page does; True once acknowledged."""
        seq, self.seq = self.seq, self.seq + 1
        body = {"token": self.token, "position": position, "seq": seq,
                "response": {"choice": random.choice(self.options[position])}}
        headers = {**self.headers, "X-CSRFToken": self.csrf, "Accept": "application/json"}
        for attempt in range(MAX_TRIES):
            with self.client.post(f"/exam/attempt/{self.attempt_id}/save", name="save", data=json.dumps(body),
                                  headers={**headers, "Content-Type": "application/json"},
                                  catch_response=True) as r:
                try:
                    status = (r.json() or {}).get("status") if r.status_code in (200, 409, 410) else None
                except ValueError:
                    status = None
                if r.status_code == 200 and status in ("saved", "stale"):
                    r.success()
                    with _lock:
                        _acks.append((self.attempt_id, position, seq))
                    return True
                r.failure(f"save {r.status_code} {status}")
                if r.status_code in (409, 410):
                    return False
            time.sleep(min(2 ** attempt, 8))
        return False

    def _submit(self):
        with self.client.post(f"/exam/attempt/{self.attempt_id}/submit", name="submit",
                              data={"csrf_token": self.submit_token}, headers=self.headers,
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code == 302 and r.headers.get("Location", "").endswith("/result"):
                r.success()
            else:
                r.failure(f"submit {r.status_code}")

    # ---- tasks -----------------------------------------------------------------------

    @task
    def sit(self):
        if MODE == "bare":
            self.client.get("/bench/bare", name="bare", headers=self.headers)
            return
        if self.attempt_id is None:
            self.stop()
            return
        positions = sorted(self.options)
        if MODE == "save":                  # saturation: everyone logged in and started, then no think time
            while not _all_ready.is_set() and time.monotonic() < T0 + 4 * LOBBY:
                time.sleep(0.5)
            self._save(random.choice(positions))
            return
        for position in positions:
            time.sleep(max(0.0, random.uniform(THINK_MEAN - THINK_SPREAD, THINK_MEAN + THINK_SPREAD)))
            self._save(position)
        left = self.remaining - (time.monotonic() - self.started)
        time.sleep(max(0.0, left - random.uniform(5, 25)))          # the submit spike near the deadline
        self._submit()
        self.stop()


if MODE in ("bare", "save"):
    Candidate.wait_time = between(0, 0)
