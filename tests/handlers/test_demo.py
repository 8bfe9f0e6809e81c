"""`yigong demo`: valid, idempotent, and usable by the demo liaison through the callback."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from domain.parsing import check_id_number
from handlers.demo import load_demo
from models import Contact, Project, Training, WagePayment, Worker, WorkRecord
from models.privacy import personal_data


def counts(session):  # type: ignore[no-untyped-def]
    return [
        session.scalar(select(func.count()).select_from(m))
        for m in (Contact, Worker, WorkRecord, WagePayment, Training)
    ]


def test_demo_is_valid_and_idempotent(session, settings):
    load_demo(session, settings)
    session.commit()
    first = counts(session)
    assert first[0] == 2 and first[1] == 12 and first[2] > 100 and first[3] == 8 and first[4] == 6
    pd = personal_data(settings.effective_data_key)
    for cipher in session.scalars(select(Worker.id_cipher)):
        number, warnings = check_id_number(pd.decrypt(cipher))
        assert not warnings
    text = load_demo(session, settings)
    session.commit()
    assert counts(session) == first
    assert "新写入 0" in text


def test_demo_liaison_can_use_commands(session, settings, wecom):
    load_demo(session, settings)
    session.commit()
    session.close()
    assert "NT-DEMO-001" in wecom.text("demo-liaison", "项目").text
    r = wecom.text("demo-liaison", "查询 ZT-DEMO-002")
    assert "逾期" in r.text, r.text
    assert "ZT-DEMO-002" in wecom.text("demo-admin", "欠薪").text
    # One date the demo has a line for 张三 on, and one it has not: each outcome is asserted.
    project = session.scalar(select(Project).where(Project.code == "NT-DEMO-001"))
    zhang = session.scalar(select(Worker.id).where(Worker.name == "张三"))
    worked = set(
        session.scalars(
            select(WorkRecord.work_date).where(
                WorkRecord.project_id == project.id, WorkRecord.worker_id == zhang
            )
        )
    )
    session.close()
    assert worked, "the demo ledger has lines for 张三"
    taken = max(worked)
    free = date.today() - timedelta(days=1)  # noqa: DTZ011
    while free in worked:
        free -= timedelta(days=1)
    assert free >= project.start_date
    r = wecom.text(
        "demo-liaison", f"记工 项目：NT-DEMO-001 日期：{taken:%Y-%m-%d} 日薪：150\n张三 1天"
    )
    assert "重复记工不予登记" in r.text and "没有写入" in r.text, r.text
    r = wecom.text(
        "demo-liaison", f"记工 项目：NT-DEMO-001 日期：{free:%Y-%m-%d} 日薪：150\n张三 1天"
    )
    assert "已记工 1 条" in r.text, r.text
