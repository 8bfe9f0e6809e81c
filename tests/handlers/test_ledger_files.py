"""Ledger files sent as WeCom file messages: answered at once, imported by a background job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.jobs import run_pending
from models import Job, OutboxMessage, WorkRecord
from tests.handlers.ledger_fixtures import LIAISON, STRANGER, Seed, seed_ledger


class FakeMedia:
    def __init__(self, files: dict[str, tuple[str, bytes]]) -> None:
        self.files = files

    def download_media(self, media_id: str) -> tuple[str, bytes]:
        return self.files[media_id]


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def work_csv(seed: Seed, rows: list[tuple[str, str]]) -> bytes:
    day = seed.today - timedelta(days=2)
    lines = ["项目编号,身份证号,日期,天数,日薪(元)"] + [
        f"NT-2026-001,{number},{day:%Y-%m-%d},{days},150" for number, days in rows
    ]
    return "\n".join(lines).encode("gbk")


def outbox_texts(session: Session) -> list[str]:
    texts = [
        m.payload.get("content", "")
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.rule == "job"))
    ]
    session.rollback()
    return texts


def test_file_imported_in_background(wecom, services, session, seed):
    good = work_csv(seed, [(seed.ids["张三"], "1"), (seed.ids["李四"], "0.5")])
    services.wecom = FakeMedia({"m1": ("work.csv", good)})
    r = wecom.file(LIAISON, "m1", "work.csv")
    assert r.status == 200 and "正在后台校验导入" in r.text
    assert run_pending(services.session_factory, services) == 1
    texts = outbox_texts(session)
    assert any("成功：共 2 行，新写入 2 行" in t for t in texts), texts
    assert session.scalar(select(func.count()).select_from(WorkRecord)) == 2


def test_bad_file_writes_nothing_and_reports_rows(wecom, services, session, seed):
    bad = work_csv(seed, [(seed.ids["张三"], "1"), (seed.ids["李四"], "-1")])
    services.wecom = FakeMedia({"m2": ("work.csv", bad)})
    wecom.file(LIAISON, "m2", "work.csv")
    run_pending(services.session_factory, services)
    texts = outbox_texts(session)
    assert any("第3行" in t and "没有写入任何数据" in t for t in texts), texts
    assert session.scalar(select(func.count()).select_from(WorkRecord)) == 0


def test_file_refusals(wecom, services, session, seed):
    assert "没有权限" in wecom.file(STRANGER, "m3", "work.csv").text
    assert ".xlsx" in wecom.file(LIAISON, "m4", "photo.jpg").text
    assert session.scalar(select(func.count()).select_from(Job)) == 0
