"""Shared fixtures (the flaskr pattern): app, client, runner, login helper, factories.

Every test that takes ``app`` runs on SQLite; when ``TEST_DATABASE_URL`` is set
(``.ci/run`` sets it to the local PostgreSQL) it runs on PostgreSQL too.
"""
import os
from pathlib import Path

import pytest
from flask import g

from app import create_app
from extensions import db

SHARED = Path(__file__).resolve().parent.parent / "shared"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_url() -> str:
    url = PG_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    uri = "sqlite://" if request.param == "sqlite" else _pg_url()
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "STORAGE_DIR": str(tmp_path / "storage"), "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_ENGINE_OPTIONS": {}, "AUDIT_CHECKPOINT": str(tmp_path / "audit-checkpoint.json"),
    })
    # The test holds one app context for its whole run, and Flask reuses it for every
    # request, so ``g`` (where Flask-Login caches the user) would leak between clients.
    app.before_request(lambda: g.pop("_login_user", None) and None)
    with app.app_context():
        if request.param == "postgresql":
            db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        if request.param == "postgresql":
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF on, for the tests that check it."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test",
                      "STORAGE_DIR": str(tmp_path / "storage"), "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_ENGINE_OPTIONS": {}, "AUDIT_CHECKPOINT": str(tmp_path / "audit-checkpoint.json")})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


@pytest.fixture
def demo(app):
    """The demo province loaded (as ``flask demo load`` does)."""
    from demo.loader import load

    load()
    return app


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password="Demo@2026"):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


def shared_path(*parts) -> Path:
    """A file under ../shared, or skip the test with the reason (a user's fresh clone has none)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present: the shared corpus lives beside the repository in CI")
    return path


@pytest.fixture
def english(app):
    """Messages in English (their source text) for tests that compare them."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    yield
    app.config["BABEL_DEFAULT_LOCALE"] = "vi"
