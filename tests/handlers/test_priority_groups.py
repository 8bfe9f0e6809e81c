"""A worker in several priority groups: chat, import, export round trip, quarterly counts."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.quarterly_figures import window_figures
from handlers.tabular.exporter import export_kind
from handlers.tabular.importer import import_bytes
from models import Project, Worker, WorkRecord
from tests.handlers.ledger_fixtures import Seed, seed_ledger


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def _import(session, settings, seed, text: str):  # type: ignore[no-untyped-def]
    with session.begin_nested():
        report = import_bytes(
            session, settings, "workers", "w.csv", text.encode("utf-8-sig"),
            actor=None, channel="cli", today=seed.today,
        )  # fmt: skip
    session.commit()
    return report


def _groups(session: Session, name: str) -> str:
    session.expire_all()
    return session.scalars(select(Worker.priority_group).where(Worker.name == name)).one()


def test_groups_survive_import_and_export(session, settings, seed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = "项目编号,姓名,身份证号,脱贫户,人员类别\n"
    rows = (
        f"NT-2026-001,张三,{seed.ids['张三']},是,监测对象、返乡农民工\n"
        f"NT-2026-001,李四,{seed.ids['李四']},否,易地搬迁户，低收入\n"
    )
    report = _import(session, settings, seed, head + rows)
    assert report.ok, report.text()
    assert _groups(session, "张三") == "脱贫人口、监测对象、返乡农民工"
    assert _groups(session, "李四") == "易地搬迁、低收入"
    bad = _import(
        session, settings, seed, head + f"NT-2026-001,张三,{seed.ids['张三']},是,外星人\n"
    )
    assert not bad.ok and "外星人" in bad.text()
    assert _groups(session, "张三") == "脱贫人口、监测对象、返乡农民工"  # nothing written
    # an older file: 监测对象 written into the 是/否 column is kept, not lost
    old = _import(session, settings, seed,
                  "项目编号,姓名,身份证号,脱贫户\n" + f"NT-2026-001,王五,{seed.ids['王五']},监测对象\n")  # fmt: skip
    assert old.ok and _groups(session, "王五") == "监测对象"

    out = tmp_path / "workers.csv"
    export_kind(session, settings, "workers", out, actor=None)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        exported = {r["姓名"]: r for r in csv.DictReader(fh)}
    assert exported["张三"]["脱贫户"] == "是"
    assert exported["张三"]["人员类别"] == "脱贫人口、监测对象、返乡农民工"
    assert exported["李四"]["脱贫户"] == "否" and exported["李四"]["人员类别"] == "易地搬迁、低收入"
    # the export imports back unchanged
    again = _import(session, settings, seed, out.read_text(encoding="utf-8-sig"))
    assert again.ok and _groups(session, "张三") == "脱贫人口、监测对象、返乡农民工"

    p1 = session.scalars(select(Project).where(Project.code == "NT-2026-001")).one()
    day = seed.today - timedelta(days=2)
    for name in ("张三", "李四"):
        wid = session.scalars(select(Worker.id).where(Worker.name == name)).one()
        session.add(WorkRecord(project_id=p1.id, worker_id=wid, work_date=day,
                               period=f"{day:%Y-%m}", days=1, daily_wage_fen=15000,
                               due_fen=15000, created_by="t"))  # fmt: skip
    session.commit()
    f = window_figures(session, p1, date(2000, 1, 1), seed.today)
    assert (f["workers"], f["poverty_workers"], f["monitored_workers"]) == (2, 1, 1)
    assert (f["relocated_workers"], f["returned_workers"], f["low_income_workers"]) == (1, 1, 1)


def test_chat_registration_with_several_groups(wecom, seed) -> None:  # type: ignore[no-untyped-def]
    from handlers.demo import valid_id
    from tests.handlers.ledger_fixtures import LIAISON

    number = valid_id("142329", date(1988, 5, 6), 417)
    text = f"登记工人 项目：NT-2026-001 姓名：赵六 身份证：{number} 类别：监测对象、易地搬迁 脱贫户：是"
    reply = wecom.text(LIAISON, text).text
    assert "脱贫人口、监测对象、易地搬迁" in reply, reply
