"""季度报告, 季度调度, 提醒记录 and the overdue card's buttons, through encrypted callbacks."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.outbox import drain
from bot.sender import RecordingSender
from models import AuditLog, OutboxMessage, QuarterlyReport
from tests.conftest import at
from tests.reminders.conftest import COUNTY_ADMIN, LIAISON, County


def _freeze(services, when: str) -> None:  # type: ignore[no-untyped-def]
    services.dispatcher.now = lambda: at(when)


def test_quarterly_report_is_stored_with_ledger_figures(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    a, b = county.workers
    county.work(a, date(2026, 11, 20))
    county.work(b, date(2026, 11, 20))
    county.pay(a, "2026-11", 15000, date(2026, 12, 10))
    county.session.commit()
    _freeze(services, "2026-12-22T10:00")
    reply = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：６０％ 问题：雨季停工两周").text
    assert "已记录 NT-2026-001" in reply and "2026Q4" in reply and "进度 60%" in reply
    assert "务工 2 人（脱贫人口 1 人、监测对象 0 人）" in reply and "已发劳务报酬 150元" in reply
    assert "低于 15%" in reply and "2027-01-05" in reply
    county.session.expire_all()
    row = county.session.scalars(select(QuarterlyReport)).one()
    assert (row.quarter, row.progress, row.problems, row.submitted_by) == (
        "2026Q4",
        60,
        "雨季停工两周",
        LIAISON,
    )
    assert row.figures["workers"] == 2 and row.figures["wages_paid_fen"] == 15000
    county.session.rollback()
    bad = wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：160%").text
    assert "0–100" in bad
    assert "没有权限" in wecom.text("stranger", "季度报告 项目：NT-2026-001 进度：10%").text


def test_quarterly_dispatch_for_admin(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    county.add_project("NT-2026-002")
    county.session.commit()
    _freeze(services, "2027-01-04T10:00")
    wecom.text(LIAISON, "季度报告 项目：NT-2026-001 进度：80% 问题：无")
    reply = wecom.text(COUNTY_ADMIN, "季度调度").text
    assert "2026Q4" in reply and "已报 1 个，未报 1 个" in reply
    assert reply.index("NT-2026-002") < reply.index("已报送") < reply.index("NT-2026-001")
    assert "李联络" in reply
    assert "没有权限" in wecom.text(LIAISON, "季度调度").text


def test_card_buttons(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    county.work(county.workers[0], date(2026, 10, 20))
    county.session.commit()
    _freeze(services, "2026-11-16T10:00")
    detail = wecom.event(
        LIAISON, "template_card_event", EventKey="overdue_detail:2026-11-16", TaskId="yg-abc"
    ).text
    assert "张三 2026-10：未发 150元" in detail and "逾期 3 天" in detail and "12333" in detail
    ack = wecom.event(
        LIAISON, "template_card_event", EventKey="overdue_ack:2026-11-16", TaskId="yg-abc"
    ).text
    assert "已记录" in ack and "发放" in ack
    county.session.expire_all()
    log = county.session.scalars(select(AuditLog).where(AuditLog.action == "overdue_ack")).one()
    assert log.actor == LIAISON and log.subject == "yg-abc"


def test_reminder_log_shows_sent_and_failed(
    county: County, wecom, services, session_factory
) -> None:  # type: ignore[no-untyped-def]
    county.work(county.workers[0], date(2026, 10, 20))
    county.run("2026-11-16T09:00")
    drain(session_factory, RecordingSender(), now=at("2026-11-16T09:00"))
    county.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.rule == "escalate_county")
        .values(status="failed", last_errcode=81013, last_error="user & party & tag all invalid")
    )
    county.session.commit()
    _freeze(services, "2026-11-16T11:00")
    reply = wecom.text(COUNTY_ADMIN, "提醒记录").text
    assert "工资逾期 → 李联络：已记录(沙箱)" in reply
    assert "欠薪上报县级 → 王科长：失败（81013" in reply and "其中失败 1 条" in reply
    assert "没有" in wecom.text(COUNTY_ADMIN, "提醒记录 2026-11-01").text
