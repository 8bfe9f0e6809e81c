"""季度汇总: every project of the quarter, the county's 农推 share and the xlsx file message."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.outbox import drain
from bot.sender import WeComSender
from bot.wecom_api import WeComClient
from handlers.quarterly_summary import COLUMNS
from models import Project, QuarterlyReport, WagePayment
from tests.conftest import at
from tests.fake_wecom import FakeWeCom
from tests.reminders.conftest import COUNTY_ADMIN, LIAISON, County, build_county


@pytest.fixture
def county(session: Session) -> County:
    return build_county(session)


def _freeze(services, when: str) -> None:  # type: ignore[no-untyped-def]
    services.dispatcher.now = lambda: at(when)


def _setup(c: County) -> dict[str, Project]:
    a, b = c.workers
    c.project.list_year = 2026
    done_mid = c.add_project(
        "NT-2026-002", fiscal_funds_fen=20_000_000, list_year=2026,
        status="completed", completed_at=datetime(2026, 11, 10, 4, tzinfo=UTC),
    )  # fmt: skip
    done_before = c.add_project(
        "NT-2026-003", status="completed", completed_at=datetime(2026, 9, 1, 4, tzinfo=UTC)
    )
    key = c.add_project("ZT-2026-001", category="重推", uses_xianjie=False, list_year=2026)
    c.add_project("NT-2027-001", status="planned", start_date=date(2027, 3, 1))
    c.work(a, date(2026, 9, 20))  # Q3: cumulative only
    c.work(a, date(2026, 10, 12))
    c.work(b, date(2026, 10, 12))
    c.pay(a, "2026-09", 15000, date(2026, 10, 10))
    c.pay(a, "2026-10", 15000, date(2026, 11, 10))
    c.work(a, date(2026, 10, 20), project=done_mid)
    c.pay(a, "2026-10", 15000, date(2026, 11, 5), project=done_mid)
    c.work(b, date(2026, 11, 3), fen=20000, project=key)
    c.pay(b, "2026-11", 20000, date(2026, 12, 8), project=key)
    c.work(a, date(2026, 8, 3), project=done_before)
    c.pay(a, "2026-08", 15000, date(2026, 9, 10), project=done_before)
    c.session.commit()
    return {"mid": done_mid, "before": done_before, "key": key}


def test_the_roll_up_has_every_project_of_the_quarter_and_the_ledgers_figures(
    county: County, wecom, services, session_factory, fake_wecom: FakeWeCom
) -> None:  # type: ignore[no-untyped-def]
    c = county
    p = _setup(c)
    _freeze(services, "2026-12-22T10:00")
    reply = wecom.text(
        LIAISON,
        "季度报告 项目：NT-2026-001 进度：70% 完成投资：80万元 资金到位：100万元 资金支出：60万元",
    ).text
    assert "其中本季度（10-01 至 12-22）：务工 2 人" in reply, reply
    assert "完成投资 800000元" in reply.replace(",", "")
    # a project completed mid-quarter still owes (and may send) its report
    late = wecom.text(LIAISON, "季度报告 项目：NT-2026-002 进度：100% 问题：已完工").text
    assert "已记录" in late, late
    assert (
        "不能" in wecom.text(LIAISON, "季度汇总 2026Q4").text
        or "权限" in wecom.text(LIAISON, "季度汇总 2026Q4").text
    )

    _freeze(services, "2027-01-06T10:00")
    out = wecom.text(COUNTY_ADMIN, "季度汇总 2026Q4").text
    assert "本季度在建项目 3 个" in out and "已报 2 个，未报 1 个" in out, out
    assert "ZT-2026-001" in out  # missing
    assert "NT-2026-003" not in out and "NT-2027-001" not in out
    assert "本季完工 1" in out
    # clause （一）: the county's 2026 农推 list = NT-2026-001 and NT-2026-002 (not 重推)
    s = c.session
    rural = [c.project.id, p["mid"].id]
    paid = s.scalar(
        select(func.sum(WagePayment.amount_fen)).where(
            WagePayment.project_id.in_(rural), WagePayment.paid_on <= date(2026, 12, 31)
        )
    )
    fiscal = s.scalar(select(func.sum(Project.fiscal_funds_fen)).where(Project.id.in_(rural)))
    share = Decimal(paid) / Decimal(fiscal)
    assert paid == 45000 and f"= {share:.1%}" in out, out
    assert "2026年度农推清单 2 个" in out and "未达到 15%" in out
    s.rollback()

    sender = WeComSender(WeComClient(fake_wecom.settings()))
    drain(session_factory, sender, now=at("2027-01-06T10:00"))
    (upload,) = [u for u in fake_wecom.uploads if u["filename"] == "季度汇总_2026Q4.xlsx"]
    files = [m for m in fake_wecom.messages if m["msgtype"] == "file"]
    assert files and files[0]["touser"] == COUNTY_ADMIN
    assert files[0]["file"]["media_id"] == upload["media_id"]
    ws = load_workbook(io.BytesIO(upload["data"])).active
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert rows[0] == COLUMNS
    by_code = {r[COLUMNS.index("项目编号")]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {"NT-2026-001", "NT-2026-002", "ZT-2026-001"}
    main = by_code["NT-2026-001"]
    assert main["报送情况"] == "已报" and main["形象进度(%)"] == 70
    assert Decimal(str(main["完成投资(万元)"])) == Decimal(80)
    assert Decimal(str(main["累计发放劳务报酬(万元)"])) == Decimal("0.03")
    assert Decimal(str(main["本季度发放劳务报酬(万元)"])) == Decimal("0.03")
    assert (main["本季度带动务工人数"], main["累计带动务工人数"], main["其中脱贫人口"]) == (2, 2, 1)
    assert by_code["ZT-2026-001"]["报送情况"] == "未报"
    assert by_code["ZT-2026-001"]["最低占比(%)"] in (None, "")  # 重推: shown, not judged
    assert by_code["NT-2026-002"]["项目状态"] == "完工"
    reports = s.scalars(select(QuarterlyReport)).all()
    assert len(reports) == 2


def test_dispatch_and_reminders_include_a_project_completed_mid_quarter(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    c = county
    _setup(c)
    _freeze(services, "2027-01-06T10:00")
    out = wecom.text(COUNTY_ADMIN, "季度调度 2026Q4").text
    assert "本季度在建 3 个" in out and "NT-2026-002" in out and "NT-2026-003" not in out, out
    result = c.run("2026-12-21T09:00", only=["quarterly_open"])
    (msg,) = result.queued
    assert "NT-2026-002" in msg.text and "NT-2026-003" not in msg.text


def test_a_large_region_gets_the_roll_up_from_a_background_job(
    county: County, wecom, services, session_factory, fake_wecom: FakeWeCom, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from bot.jobs import run_pending
    from handlers import quarterly_summary

    _setup(county)
    monkeypatch.setattr(quarterly_summary, "INLINE_LIMIT", 2)  # 5 projects in scope
    _freeze(services, "2027-01-06T10:00")
    ack = wecom.text(COUNTY_ADMIN, "季度汇总 2026Q4").text
    assert "正在生成 2026Q4 季度汇总" in ack, ack
    assert run_pending(session_factory, services, now=at("2027-01-06T10:00")) == 1
    drain(
        session_factory, WeComSender(WeComClient(fake_wecom.settings())), now=at("2027-01-06T10:01")
    )
    texts = fake_wecom.texts(COUNTY_ADMIN)
    assert any("本季度在建项目 3 个" in t and "已报 0 个，未报 3 个" in t for t in texts), texts
    (upload,) = [u for u in fake_wecom.uploads if u["filename"] == "季度汇总_2026Q4.xlsx"]
    rows = list(load_workbook(io.BytesIO(upload["data"])).active.iter_rows(values_only=True))
    assert len(rows) == 4 and list(rows[0]) == COLUMNS
    assert run_pending(session_factory, services, now=at("2027-01-06T10:02")) == 0  # ran once
