"""Fixtures for the transport tests: the fake WeCom and a database on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from models import Base
from models.session import make_engine, make_sessionmaker
from tests.fake_wecom import fake_wecom, fake_wecom_server  # noqa: F401  (fixtures)


@pytest.fixture
def db_factory(tmp_path: os.PathLike[str]) -> Iterator[sessionmaker[Session]]:
    """A fresh schema per test: SQLite in tmp_path, or YIGONG_TEST_DATABASE_URL (PostgreSQL).

    On PostgreSQL each test gets its own schema, so parallel runs never see each other's rows.
    """
    url = os.environ.get("YIGONG_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path}/t.db")
        Base.metadata.create_all(engine)
        yield make_sessionmaker(engine)
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        Base.metadata.create_all(engine)
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
