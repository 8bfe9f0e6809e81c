"""未收到 → the liaison (through the outbox and the fake WeCom API) → 处理 → the worker is told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.outbox import drain
from bot.sender import WeComSender
from bot.wecom_api import WeComClient
from models import ComplaintStatus, WageComplaint
from models.base import utcnow
from models.privacy import mask_id
from tests.fake_wecom import FakeWeCom, offline_http
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    ADMIN,
    LI,
    LIAISON_A,
    LIAISON_B,
    LIAISON_C,
    ZHANG,
    People,
    count_rows,
    outbox_to,
    people_fixture,
    read,
    set_clock,
)


@pytest.fixture
def bound(wecom, people: People) -> People:
    assert "绑定成功" in wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}").text
    return people


def deliver(services, fake: FakeWeCom) -> None:  # type: ignore[no-untyped-def]
    """Drain the outbox through the real sender to the fake WeCom API."""
    with WeComClient(fake.settings(), http=offline_http()) as client:
        stats = drain(services.session_factory, WeComSender(client), now=utcnow())
    assert stats.failed == 0 and stats.sent == stats.claimed


def test_complaint_reaches_the_liaison_through_the_wecom_api(
    wecom, bound: People, services, session, fake_wecom: FakeWeCom
):
    r = wecom.text(ZHANG, "未收到 项目：NT-2026-001 期间：2026-10")
    assert "已收到您的反映（编号 F-000001）" in r.text
    assert "未发800元" in r.text and "已逾期3天" in r.text and "12333" in r.text
    deliver(services, fake_wecom)
    texts = fake_wecom.texts(LIAISON_A)
    assert len(texts) == 1 and "【欠薪反映 F-000001】" in texts[0]
    assert f"张三（{mask_id(bound.ids['张三'])}）" in texts[0] and bound.ids["张三"] not in texts[0]
    assert "处理 反映号：F-000001 说明：" in texts[0]
    assert fake_wecom.texts(LIAISON_B) == [] and fake_wecom.texts(LIAISON_C) == []

    # the ledger still shows the month unpaid: closing it needs a reason the admins see
    kept = wecom.text(LIAISON_A, "处理 反映号：F-000001 说明：已于11月20日补发到社保卡")
    assert "没有办结" in kept.text and "仍未发 800元" in kept.text and "原因：" in kept.text
    assert read(session, select(WageComplaint.status)) == [ComplaintStatus.OPEN]
    done = wecom.text(
        LIAISON_A,
        "处理 反映号：F-000001 说明：已于11月20日补发到社保卡 原因：社保卡代发回单已核对，台账待补录",
    )
    assert "已办结反映 F-000001" in done.text and "已把处理说明发给本人" in done.text
    assert "仍未发800元" in done.text and "已报县级管理员" in done.text
    deliver(services, fake_wecom)
    (to_admin,) = fake_wecom.texts(ADMIN)
    assert (
        "未发放即办结" in to_admin and "社保卡代发回单已核对" in to_admin and "F-000001" in to_admin
    )
    told = fake_wecom.texts(ZHANG)
    assert len(told) == 1 and "已于11月20日补发到社保卡" in told[0] and "12333" in told[0]
    status = read(session, select(WageComplaint.status))
    assert status == [ComplaintStatus.RESOLVED]


def test_bare_complaint_when_one_period_is_outstanding(wecom, people: People, session):
    r = wecom.text(LI, "未收到")
    assert "F-000001" in r.text and "2026-10" in r.text and "应发4,000元" in r.text
    assert "12333" in r.text
    assert "李四" in outbox_to(session, LIAISON_A)[0]
    again = wecom.text(LI, "没收到工资 10月")
    assert "F-000001" in again.text and "不用重复反映" in again.text and "12333" in again.text
    assert count_rows(session, WageComplaint) == 1
    assert len(outbox_to(session, LIAISON_A)) == 1


def test_ambiguous_complaint_asks_for_the_project(wecom, bound: People, session):
    listed = wecom.text(ZHANG, "未收到")
    assert "多笔工资未发清" in listed.text and "NT-2026-003 期间：2026-10" in listed.text
    asked = wecom.text(ZHANG, "未收到 期间：2026-10")
    assert "请写明是哪个项目" in asked.text and "NT-2026-001、NT-2026-003" in asked.text
    assert "12333" in asked.text
    assert count_rows(session, WageComplaint) == 0
    r = wecom.text(ZHANG, "未收到 项目：NT-2026-003 期间：2026-10")
    assert "F-000001" in r.text
    assert len(outbox_to(session, LIAISON_C)) == 1 and outbox_to(session, LIAISON_A) == []


def test_complaint_tells_nothing_about_other_projects(wecom, bound: People, session):
    r = wecom.text(ZHANG, "未收到 项目：NT-2026-002 期间：2026-10")
    assert "不在项目 NT-2026-002 的务工名单中" in r.text and "12333" in r.text
    assert "赵联络" not in r.text and "西河村" not in r.text
    unknown = wecom.text(ZHANG, "未收到 项目：NT-2099-999 期间：2026-10")
    assert unknown.text.replace("NT-2099-999", "X") == r.text.replace("NT-2026-002", "X")
    future = wecom.text(ZHANG, "未收到 项目：NT-2026-001 期间：2026-12")
    assert "还没到" in future.text
    assert count_rows(session, WageComplaint) == 0


def test_complaint_on_a_month_the_ledger_lacks_is_still_routed(wecom, bound: People, session):
    r = wecom.text(ZHANG, "未收到 项目：NT-2026-003 期间：2026-08")
    assert "F-000001" in r.text and "台账上该月没有出工和发放记录" in r.text
    assert "台账上该月没有出工和发放记录" in outbox_to(session, LIAISON_C)[0]


def test_only_the_projects_liaison_or_admin_may_resolve(wecom, people: People, session, services):
    wecom.text(LI, "未收到")
    assert "F-000001" in wecom.text(LIAISON_A, "反映列表").text
    assert "没有待处理" in wecom.text(LIAISON_B, "反映列表").text
    refused = wecom.text(LIAISON_B, "处理 反映号：F-000001 说明：已发")
    assert "不属于您负责的项目" in refused.text
    missing = wecom.text(LIAISON_A, "处理 反映号：F-000001")
    assert "缺少“说明”" in missing.text
    set_clock(services, "2026-11-25T09:00")
    listed = wecom.text(ADMIN, "反映列表").text
    assert "已9天，已超过7天" in listed
    ok = wecom.text(
        ADMIN,
        "处理 反映号：f000001 说明：已督促施工方本周内发放 原因：施工方书面承诺11月30日前发放",
    )
    assert "已办结反映 F-000001" in ok.text
    assert "已督促施工方本周内发放" in outbox_to(session, LI)[-1]
    twice = wecom.text(LIAISON_A, "处理 反映号：F-000001 说明：已发")
    assert "已于2026-11-25由 admin-county 处理过" in twice.text
