"""停工/复工/撤销完工/验收, projects added and adjusted in chat, floors by fund source."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditLog, Project
from tests.conftest import at
from tests.reminders.conftest import COUNTY_ADMIN, LIAISON, County, build_county


@pytest.fixture
def county(session: Session) -> County:
    return build_county(session)


def _freeze(services, when: str) -> None:  # type: ignore[no-untyped-def]
    services.dispatcher.now = lambda: at(when)


def _project(c: County, code: str = "NT-2026-001") -> Project:
    c.session.expire_all()
    p = c.session.scalar(select(Project).where(Project.code == code))
    assert p is not None
    return p


def test_suspend_silences_the_stale_ledger_and_resume_brings_it_back(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    c = county
    c.work(c.workers[0], date(2026, 11, 2))
    c.session.commit()
    _freeze(services, "2026-11-20T10:00")
    assert "缺少“原因”" in wecom.text(LIAISON, "停工 项目：NT-2026-001").text
    reply = wecom.text(LIAISON, "停工 项目：NT-2026-001 原因：冬季停工").text
    assert "标记为停工" in reply and "冬季停工" in reply, reply
    assert _project(c).status == "suspended" and _project(c).status_note == "冬季停工"
    c.session.rollback()
    assert "只有在建项目可以停工" in wecom.text(LIAISON, "停工 NT-2026-001 原因：x").text
    assert not c.run("2026-12-07T09:00", only=["stale_ledger"]).queued
    assert "恢复为在建" in wecom.text(LIAISON, "复工 NT-2026-001").text
    c.session.rollback()
    stale = c.run("2026-12-07T09:00", only=["stale_ledger"]).queued
    assert stale and "停工 项目：编号 原因：冬季停工" in stale[0].text
    assert "只有停工的项目可以复工" in wecom.text(LIAISON, "复工 NT-2026-001").text


def test_undo_completion_is_for_admins_with_a_reason_and_audited(
    county: County, wecom, services
) -> None:  # type: ignore[no-untyped-def]
    c = county
    _freeze(services, "2026-11-20T10:00")
    assert "标记为完工" in wecom.text(LIAISON, "完工 项目：NT-2026-001").text
    refused = wecom.text(LIAISON, "撤销完工 项目：NT-2026-001 原因：误标").text
    assert _project(c).status == "completed", refused
    c.session.rollback()
    assert "缺少“原因”" in wecom.text(COUNTY_ADMIN, "撤销完工 项目：NT-2026-001").text
    reply = wecom.text(COUNTY_ADMIN, "撤销完工 项目：NT-2026-001 原因：误标完工，仍在施工").text
    assert "回到在建" in reply and "审计" in reply, reply
    p = _project(c)
    assert p.status == "in_progress" and p.completed_at is None
    audit = c.session.scalars(select(AuditLog).where(AuditLog.action == "project.uncomplete")).all()
    assert len(audit) == 1 and audit[0].actor == COUNTY_ADMIN
    assert audit[0].detail["reason"] == "误标完工,仍在施工"  # as normalised (NFKC)
    c.session.rollback()
    # acceptance needs completion first, and not before it
    assert "只有完工的项目可以验收" in wecom.text(COUNTY_ADMIN, "验收 NT-2026-001").text
    wecom.text(LIAISON, "完工 项目：NT-2026-001")
    early = wecom.text(COUNTY_ADMIN, "验收 项目：NT-2026-001 日期：2026-11-01").text
    assert "早于完工日期" in early
    assert "通过验收" in wecom.text(COUNTY_ADMIN, "验收 项目：NT-2026-001 日期：2026-11-25").text
    p = _project(c)
    assert p.status == "accepted" and p.accepted_at is not None
    c.session.rollback()
    undo = wecom.text(COUNTY_ADMIN, "撤销完工 项目：NT-2026-001 原因：x").text
    assert "已验收的项目不能撤销完工" in undo


def test_admin_adds_and_adjusts_a_project_in_chat(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    c = county
    _freeze(services, "2026-12-01T10:00")
    add = (
        "新增项目 编号：ZX-2027-001 名称：北坡村水渠 类别：专项 级别：县 财政资金：200万元 "
        "计划劳务报酬：50万元 衔接资金：否 年度：2027 开工：2027-03-01 发放日：10"
    )
    refused = wecom.text(LIAISON, add).text
    assert _project_or_none(c, "ZX-2027-001") is None, refused
    reply = wecom.text(COUNTY_ADMIN, add).text
    assert "已登记项目 ZX-2027-001" in reply and "2027年度" in reply and "30%" in reply, reply
    p = _project(c, "ZX-2027-001")
    assert p.list_year == 2027 and p.fiscal_funds_fen == 200_000_000 and p.region.county == "五寨县"
    c.session.rollback()
    bad = wecom.text(COUNTY_ADMIN, "调整项目 项目：ZX-2027-001 财政资金：很多 年度：二七").text
    assert "财政资金" in bad or "金额" in bad
    assert _project(c, "ZX-2027-001").fiscal_funds_fen == 200_000_000  # nothing half-written
    c.session.rollback()
    ok = wecom.text(COUNTY_ADMIN, "调整项目 项目：ZX-2027-001 财政资金：250万元 年度：2028").text
    assert "2000000" in ok.replace(",", "") or "→" in ok, ok
    p = _project(c, "ZX-2027-001")
    assert p.fiscal_funds_fen == 250_000_000 and p.list_year == 2028 and p.name == "北坡村水渠"
    c.session.rollback()
    moved = wecom.text(COUNTY_ADMIN, "调整项目 项目：ZX-2027-001 县：代县").text
    assert "不能在聊天中把项目改到其他地区" in moved
    assert "2028" in wecom.text(COUNTY_ADMIN, "项目").text


def _project_or_none(c: County, code: str) -> Project | None:
    c.session.expire_all()
    p = c.session.scalar(select(Project).where(Project.code == code))
    c.session.rollback()
    return p


def test_floors_by_fund_source(county: County, wecom, services) -> None:  # type: ignore[no-untyped-def]
    c = county
    key = c.add_project("ZT-2026-001", category="重推", uses_xianjie=False)
    special = c.add_project("ZX-2026-001", category="专项", uses_xianjie=False)
    c.session.commit()
    _freeze(services, "2026-11-20T10:00")
    # before any work entry: no verdict, only the share
    first = wecom.text(LIAISON, f"查询 {special.code}").text
    assert "尚未记工，暂不评判" in first and "未达到" not in first, first
    c.work(c.workers[0], date(2026, 11, 2), project=key)
    c.work(c.workers[0], date(2026, 11, 2), project=special)
    c.session.commit()
    key_reply = wecom.text(LIAISON, f"查询 {key.code}").text
    assert "无最低占比要求" in key_reply and "未达到" not in key_reply, key_reply
    special_reply = wecom.text(LIAISON, f"查询 {special.code}").text
    assert "按已发放计，未达到最低占比 30%" in special_reply, special_reply


def test_post_types_as_written_and_posts_exported(
    county: County, wecom, services, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from models import PublicPost

    c = county
    _freeze(services, "2026-12-01T10:00")
    base = "岗位 项目：NT-2026-001 月薪：800 开始：2027-01-01"
    canal = wecom.text(LIAISON, f"{base} 类型：灌渠养护员 人员：张三").text
    assert "灌渠养护员（不属于（九）所列五类" in canal, canal
    assert "未登记任何重点人群类别" not in canal  # 张三 is 脱贫人口
    road = wecom.text(LIAISON, f"{base} 类型：护路员 人员：李四").text
    assert "护路员（属乡村道路养护管理员）" in road and "未登记任何重点人群类别" in road, road
    forest = wecom.text(LIAISON, f"{base} 类型：生态护林员 人员：李四").text
    assert "已登记公益性岗位" in forest
    again = wecom.text(LIAISON, f"{base} 类型：护林 人员：李四").text
    assert "不重复登记" in again
    assert "岗位类型" in wecom.text(LIAISON, f"{base} 类型：123 人员：李四").text
    c.session.expire_all()
    rows = c.session.scalars(select(PublicPost).order_by(PublicPost.id)).all()
    assert [(r.post_type, r.post_category) for r in rows] == [
        ("灌渠养护员", ""),
        ("护路员", "乡村道路养护管理员"),
        ("生态护林员", "生态护林员"),
    ]
    c.session.rollback()
    from domain.access import resolve_principal
    from handlers.tabular.exporter import export_kind

    out = tmp_path / "posts.csv"
    liaison = resolve_principal(c.session, LIAISON)  # masked ID numbers
    assert export_kind(c.session, services.settings, "posts", out, actor=liaison) == 3
    text = out.read_text(encoding="utf-8-sig")
    assert "灌渠养护员,（其他）" in text and "护路员,乡村道路养护管理员" in text
    assert text.splitlines()[0].startswith("项目编号,身份证号,姓名,岗位类型,岗位类别")
    assert text.splitlines()[1].endswith(",脱贫人口") and text.splitlines()[2].endswith(",无")
