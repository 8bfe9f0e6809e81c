"""Shared fixtures: settings, a real database (SQLite, or PostgreSQL when asked), the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from bot.wiring import build_services
from models.session import make_engine, make_sessionmaker
from tests.builders import WeComUser

pytest_plugins = ["tests.fake_wecom"]

# Set YIGONG_TEST_DATABASE_URL=postgresql+psycopg://… to run the whole suite on PostgreSQL.
PG_URL = os.environ.get("YIGONG_TEST_DATABASE_URL", "")
TZ = ZoneInfo("Asia/Shanghai")

TEST_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture(scope="session")
def _pg_url() -> Iterator[str]:
    """A private database for this test run on the server of YIGONG_TEST_DATABASE_URL.

    Several runs (and xdist workers) can share one server without seeing each other's rows.
    """
    if not PG_URL:
        yield ""
        return
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"yigong_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:  # fail, not skip, when the server is unreachable
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _pg_engine(_pg_url: str) -> Iterator[Engine | None]:
    if not _pg_url:
        yield None
        return
    engine = make_engine(_pg_url)
    models.Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_url(tmp_path: Path, _pg_url: str, _pg_engine: Engine | None) -> str:
    return _pg_url or f"sqlite:///{tmp_path}/test.db"


@pytest.fixture
def engine(db_url: str, _pg_engine: Engine | None) -> Iterator[Engine]:
    if _pg_engine is not None:
        yield _pg_engine
        names = ", ".join(f'"{t.name}"' for t in models.Base.metadata.sorted_tables)
        with _pg_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    eng = make_engine(db_url)
    models.Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture
def api_base() -> str:
    """Where WeCom API calls go; tests that send override this with the fake's URL."""
    return "http://127.0.0.1:9/cgi-bin/"


@pytest.fixture
def settings(db_url: str, api_base: str) -> Settings:
    return Settings(
        DATABASE_URL=db_url,
        WECOM_CORP_ID="wwtestcorp0001",
        WECOM_AGENT_ID=1000002,
        WECOM_SECRET="test-secret",
        WECOM_TOKEN="testToken",
        WECOM_AES_KEY=TEST_AES_KEY,
        WECOM_API_BASE=api_base,
        YIGONG_DATA_KEY="test-data-key-0123456789-abcdefghijklmnop",
        YIGONG_SCHEDULER=False,
    )


@pytest.fixture
def services(settings: Settings, engine: Engine) -> Iterator[Services]:
    svc = build_services(settings, engine=engine)
    yield svc


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    app = create_app(settings, services=services, background=False)
    with TestClient(app) as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Holidays loaded by one test (yigong calendar import) never leak into the next."""
    from models import calendar, calendar_store

    yield
    calendar.set_loaded_days({})
    calendar_store._state.update(signature=None, checked=0.0)


@pytest.fixture
def wecom(client: TestClient, settings: Settings) -> WeComUser:
    return WeComUser(client, settings)


def at(text_: str) -> datetime:
    """A local (Asia/Shanghai) moment from ISO text, for freezing the clock."""
    return datetime.fromisoformat(text_).replace(tzinfo=TZ)
