"""Fixtures for the tests that run real servers: a live app in a thread, Debian's chromium
through Playwright, a small exam world, and a cookie-keeping HTTP session (stdlib only)."""
import http.cookiejar
import json
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = shutil.which("chromium") is not None
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="Debian's chromium is not installed (.ci/run installs it)")
PASSWORD = "Test-password-1"


def make_app(uri: str, tmp_path, **extra):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "live", "STORAGE_DIR": str(tmp_path / "storage"),
                       "RATELIMIT_ENABLED": False, **extra})


def build_world(app, questions: int = 5) -> dict:
    """One open exam of ``questions`` multiple-choice questions (1 point each, 60 minutes)
    for the people of department D: alice and bob."""
    from sqlalchemy import select

    from extensions import db
    from question_bank.models import Category
    from tests import factories as f

    with app.app_context():
        db.create_all()
        root = f.agency("P", kind="province")
        dept = f.agency("D", root)
        bank = f.bank(root, [f.mc(f"Q{i}", key=i % 4) for i in range(questions + 3)])
        cat = db.session.scalars(select(Category)).one()
        exam = f.exam(bank, dept, [(cat, questions, 1)])
        f.user("alice", dept)
        f.user("bob", dept)
        db.session.commit()
        return {"exam_id": exam.id}


@contextmanager
def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def browser():
    if not HAS_CHROMIUM:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def login_page(page, base, username, password=PASSWORD):
    """Log in; the page accepts every confirm() (starting and submitting ask one)."""
    page.on("dialog", lambda d: d.accept())
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()


def start_in_page(page, base):
    page.goto(base + "/exam/")
    page.locator("form[action*='/start'] button").first.click()
    page.wait_for_url("**/exam/attempt/*")


def saved(page, timeout=15000):
    page.wait_for_selector("#save-status[data-state='saved']", timeout=timeout)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """A browser-like HTTP session (cookies, CSRF token) on the standard library."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        self.csrf = ""

    def request(self, path, data=None, json_body=None, timeout=10):
        headers = {"X-CSRFToken": self.csrf}
        body = None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def get(self, path):
        status, headers, text = self.request(path)
        m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(r'data-csrf="([^"]+)"', text)
        if m:
            self.csrf = m.group(1)
        return status, headers, text

    def login(self, username, password=PASSWORD):
        self.get("/login")
        status, _h, _t = self.request("/login", data={"username": username, "password": password})
        assert status == 302, status
        self.get("/exam/")

    def start(self, exam_id) -> dict:
        """Start (or resume) the exam and open its page: {attempt, token, positions}."""
        status, headers, _t = self.request(f"/exam/{exam_id}/start", data={})
        assert status == 302, status
        _s, _h, html = self.get(headers["Location"])
        return {"attempt": int(re.search(r'data-attempt="(\d+)"', html).group(1)),
                "token": re.search(r'data-token="([^"]+)"', html).group(1),
                "options": {int(p): v for p, v in re.findall(r'name="q(\d+)" value="([^"]+)"', html)}}
