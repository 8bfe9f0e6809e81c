"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

import models
from models.migrate import upgrade

PG_URL = os.environ.get("YIGONG_TEST_DATABASE_URL", "")


def _diff(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        return list(compare_metadata(ctx, models.Base.metadata))


def test_upgrade_matches_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/migrated.db"
    upgrade(url)
    assert _diff(url) == []
    upgrade(url)  # idempotent: a second upgrade is a no-op


def test_upgrade_matches_models_on_postgresql() -> None:
    if not PG_URL:
        return  # the PostgreSQL run of the suite covers this (YIGONG_TEST_DATABASE_URL)
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS yigong_migrations"))
        conn.execute(text("CREATE DATABASE yigong_migrations"))
    url = PG_URL.rsplit("/", 1)[0] + "/yigong_migrations"
    try:
        upgrade(url)
        assert _diff(url) == []
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS yigong_migrations WITH (FORCE)"))
