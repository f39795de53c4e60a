"""CSRF on every state-changing request (JSON included) and security headers with a CSP that
allows no inline script and no third-party origin; templates that need neither."""
import re
from pathlib import Path

import pytest
from flask import g

from extensions import db
from security import CSP
from tests import factories
from tests.security.helpers import login_as

ROOT = Path(__file__).resolve().parents[2]


def _sample_url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        values[arg] = (sorted(converter.items)[0] if hasattr(converter, "items") and converter.items
                       else 1 if type(converter).__name__ == "IntegerConverter" else "x")
    return rule.build(values, append_unknown=False)[1]


def test_every_state_changing_route_refuses_a_request_without_a_csrf_token(csrf_app):
    csrf_app.before_request(lambda: g.pop("_login_user", None) and None)
    agency = factories.agency("A")
    admin = factories.user("admin", agency, roles=[("admin", agency)])
    db.session.commit()
    client = csrf_app.test_client()
    login_as(client, admin)
    checked, wrong = 0, []
    for rule in csrf_app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            url = _sample_url(rule)
            for kwargs in ({"data": {"x": "1"}}, {"json": {"x": 1}}):
                response = client.open(url, method=method, **kwargs)
                checked += 1
                if response.status_code != 400:
                    wrong.append(f"{method} {url} {list(kwargs)[0]}: {response.status_code}")
    assert checked > 20 and wrong == []


def test_a_json_save_without_its_token_gets_a_json_400(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/exam/attempt/1/save", json={"position": 1, "seq": 1})
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["status"] == 400


def test_a_json_request_with_the_header_token_passes_the_csrf_check(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/exam/attempt/1/save", json={"position": 1, "seq": 1}, headers={"X-CSRFToken": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]  # past CSRF, at the login gate


def test_the_content_security_policy_forbids_inline_script_and_other_origins():
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert not re.search(r"https?:|\*", CSP)


@pytest.mark.parametrize("url", ["/login", "/", "/account/", "/account/data", "/exam/", "/tasks/"])
def test_every_page_carries_the_headers(app, client, url):
    agency = factories.agency("A")
    user = factories.user("cv.a", agency)
    db.session.commit()
    if url != "/login":
        login_as(client, user)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_handler_or_foreign_origin():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        for tag in re.findall(r"<script\b[^>]*>", source, re.I):
            if "src=" not in tag:
                offenders.append(f"{rel}: inline <script>")
        for attr in re.findall(r"<[a-z][^>]*\s(on[a-z]+)\s*=", source, re.I):
            offenders.append(f"{rel}: event handler {attr}")
        if re.search(r"javascript:", source, re.I):
            offenders.append(f"{rel}: javascript: URL")
        for url in re.findall(r"""(?:src|href)\s*=\s*["'](https?:)?//""", source, re.I):
            offenders.append(f"{rel}: a resource from another origin")
    assert offenders == []
