"""Migrations: replicas that start together on one PostgreSQL database."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from models.migrate import alembic_config
from models.session import make_engine
from tests.conftest import PG_URL

pg_only = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="PostgreSQL only")

# Each process sleeps until the same moment, then upgrades: as replicas started together.
UPGRADE_AT = (
    "import sys, time\n"
    "from models.migrate import upgrade\n"
    "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
    "upgrade(sys.argv[2])\n"
)

HELD_LOCKS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """An empty scratch database (the suite's own already has its tables)."""
    name = "yigong_migrate_" + uuid.uuid4().hex[:8]
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pg_only
def test_concurrent_upgrades_of_a_fresh_database_both_succeed(fresh_pg_url: str) -> None:
    start = time.time() + 3.0  # after every interpreter has imported alembic and the models
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE_AT, str(start), fresh_pg_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for code, err in results:
        assert code == 0, err
    heads = set(ScriptDirectory.from_config(alembic_config(fresh_pg_url)).get_heads())
    engine = make_engine(fresh_pg_url)
    try:
        with engine.connect() as conn:
            current = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
            held = conn.scalar(text(HELD_LOCKS))
    finally:
        engine.dispose()
    assert current == heads
    assert held == 0  # released by every process
