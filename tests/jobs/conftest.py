"""Apps in the thread and RQ modes (the ``app`` fixture of the root conftest runs jobs in
``sync`` mode, the default under TESTING)."""
import pytest

from app import create_app
from extensions import db
from tests.jobs import kinds  # noqa: F401  (registers test.count and test.boom)


def make_app(tmp_path, **config):
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'jobs.db'}", "SECRET_KEY": "test",
                "WTF_CSRF_ENABLED": False, "STORAGE_DIR": str(tmp_path / "storage"), "RATELIMIT_ENABLED": False,
                "SQLALCHEMY_ENGINE_OPTIONS": {}, "AUDIT_CHECKPOINT": str(tmp_path / "audit-checkpoint.json")}
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def thread_app(tmp_path):
    """A file SQLite database (the embedded default) and the worker thread of the app."""
    app = make_app(tmp_path, JOBS_MODE="thread", JOBS_PROGRESS_SECONDS=0)
    with app.app_context():
        db.create_all()
        yield app
        app.extensions["jobs"].join()
        db.session.remove()
        db.engine.dispose()
