"""Database connections killed mid-callback: 5xx while down, then retries land exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

import models
from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from tests.builders import WeComUser
from tests.handlers.ledger_fixtures import LIAISON, seed_ledger


@pytest.fixture
def pg_only(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("chaos needs PostgreSQL (YIGONG_TEST_DATABASE_URL)")
    return db_url


def _killer(url: str, stop: threading.Event, kills: list[int]) -> None:
    engine = create_engine(url, poolclass=NullPool)
    name = make_url(url).database
    while not stop.wait(0.15):
        with engine.connect() as conn:
            kills.append(
                conn.execute(
                    text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                         "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name}
                ).scalar_one()
            )  # fmt: skip
            conn.commit()
    engine.dispose()


def test_connections_killed_mid_load(
    pg_only: str,
    settings: Settings,
    services: Services,
    engine: Engine,
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        seed = seed_ledger(session, settings)
    app = create_app(settings, services=services, background=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        wecom = WeComUser(client, settings)
        messages = []
        for i in range(20):
            day = seed.today - timedelta(days=2 + i)
            messages.append(
                (
                    f"7710{i:06d}",
                    LIAISON,
                    f"记工 项目：NT-2026-001 日期：{day:%Y-%m-%d} 日薪：150\n张三 1天\n李四 1天",
                )
            )
            messages.append((f"7720{i:06d}", "someone", "帮助"))
        stop, kills = threading.Event(), []
        killer = threading.Thread(target=_killer, args=(pg_only, stop, kills))
        killer.start()
        statuses: dict[str, list[int]] = {}
        try:
            for msg_id, user, content in messages:
                for _ in range(3):  # WeCom's three tries
                    status = wecom.text(user, content, msg_id=msg_id).status
                    statuses.setdefault(msg_id, []).append(status)
                    if status == 200:
                        break
        finally:
            stop.set()
            killer.join()
        # WeCom's late retries, after the database is back: answered, nothing written twice.
        for msg_id, user, content in messages:
            if statuses[msg_id][-1] != 200:
                statuses[msg_id].append(wecom.text(user, content, msg_id=msg_id).status)
            assert statuses[msg_id][-1] == 200
        assert all(s in (200, 500, 503) for seq in statuses.values() for s in seq)
        again = wecom.text(LIAISON, messages[0][2], msg_id=messages[0][0])
        assert again.status == 200 and again.text.startswith("已记工")

    assert sum(kills) > 0
    with session_factory() as session:
        rows = dict(
            session.execute(
                select(models.InboundMessage.key, models.InboundMessage.reply_text)
            ).all()
        )
        assert len(rows) == len(messages)
        work = [k for k in rows if k.startswith("msg:7710")]
        assert all(rows[k].startswith("已记工") for k in work), [rows[k][:60] for k in work]
        assert session.scalar(select(func.count()).select_from(models.WorkRecord)) == 2 * len(work)
        pairs = session.scalar(
            select(
                func.count(
                    func.distinct(
                        func.concat(models.WorkRecord.worker_id, "/", models.WorkRecord.work_date)
                    )
                )
            )
        )
        assert pairs == 2 * len(work)
