"""The Alembic migrations build exactly the schema the models declare, on SQLite and (when
``TEST_DATABASE_URL`` is set) on a fresh PostgreSQL database, where the upgrade must also
create the pg_trgm extension the question search index needs."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from conftest import PG_URL, _pg_url
from extensions import db


def _upgrade_and_compare(url: str) -> list:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = [t for t in db.inspect(conn).get_table_names() if t != "alembic_version"]
        db.engine.dispose()
    assert left == [], f"downgrade left tables behind: {left}"
    return diff


def test_upgrade_matches_the_models_on_sqlite(tmp_path):
    assert _upgrade_and_compare(f"sqlite:///{tmp_path / 'm.db'}") == []


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set (PostgreSQL not configured)")
def test_upgrade_matches_the_models_on_postgresql():
    name = f"sathach_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(_pg_url()).set(database=name).render_as_string(hide_password=False)
        assert _upgrade_and_compare(url) == []
        check = create_engine(url)
        with check.connect() as conn:
            assert conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar() == 1
        check.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
