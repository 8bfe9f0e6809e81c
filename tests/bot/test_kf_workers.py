"""A worker on plain WeChat: binds, asks 查工资 and 未收到, and hears the liaison's 处理."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.jobs import run_pending
from models import Contact, KfCustomer, OutboxMessage, Role, Worker
from tests.bot.kf_world import KfWorld, kf_fixture, kf_settings  # noqa: F401  (fixtures)
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    LIAISON_A,
    People,
    people_fixture,
    read,
)

ZHANG_KF = "wmzhangsan0000000000000000000001"


@pytest.fixture
def bound(kf: KfWorld, people: People) -> People:
    kf.says(ZHANG_KF, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定成功" in kf.read(ZHANG_KF)[-1]
    assert "企业微信" not in kf.read(ZHANG_KF)[-1]
    return people


def test_a_wechat_worker_binds_and_asks_for_wages(kf: KfWorld, bound: People, session) -> None:
    number = bound.ids["张三"]
    assert number not in kf.read(ZHANG_KF)[-1]  # masked
    kf.says(ZHANG_KF, "查工资")
    wages = kf.read(ZHANG_KF)[-1]
    assert "张三的劳务报酬" in wages and "未发800元" in wages and "12333" in wages
    who = read(session, select(Worker.wecom_userid).where(Worker.name == "张三"))
    assert who == [f"kf:{ZHANG_KF}"]
    kf.says(ZHANG_KF, "我的信息")
    info = kf.read(ZHANG_KF)[-1]
    assert "已绑定（微信客服）" in info and ZHANG_KF not in info and number not in info


def test_a_wrong_id_is_refused_the_same_way_and_locks_after_five(
    kf: KfWorld, people: People
) -> None:
    wrong = people.ids["李四"]
    for _ in range(5):
        kf.says(ZHANG_KF, f"绑定 姓名：张三 身份证：{wrong}")
    assert "绑定没有成功" in kf.read(ZHANG_KF)[0]
    assert "暂停绑定" in kf.read(ZHANG_KF)[-1]
    kf.says(ZHANG_KF, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定暂停" in kf.read(ZHANG_KF)[-1]  # the same lock as the app channel


def test_complaint_goes_to_the_liaison_and_the_answer_comes_back(
    kf: KfWorld, bound: People
) -> None:
    kf.says(ZHANG_KF, "未收到 项目：NT-2026-001 期间：2026-10")
    assert "已收到您的反映（编号 F-000001）" in kf.read(ZHANG_KF)[-1]
    to_liaison = kf.fake.texts(LIAISON_A)
    assert len(to_liaison) == 1 and "F-000001" in to_liaison[0]
    unpaid = kf.wecom.text(LIAISON_A, "处理 反映号：F-000001 说明：已于11月16日补发到社保卡")
    assert "没有办结" in unpaid.text  # the ledger still says unpaid (issue 11)
    paid = kf.wecom.text(
        LIAISON_A,
        "发放 项目：NT-2026-001 期间：2026-10 日期：2026-11-16 方式：社保卡\n张三 800元",
    )
    assert "800" in paid.text, paid.text
    r = kf.wecom.text(LIAISON_A, "处理 反映号：F-000001 说明：已于11月16日补发到社保卡")
    assert "已把处理说明发给本人" in r.text
    kf.deliver()
    answer = kf.read(ZHANG_KF)[-1]
    assert "F-000001" in answer and "已于11月16日补发到社保卡" in answer and "12333" in answer


def test_outside_the_window_the_liaison_is_told_to_call(
    kf: KfWorld, bound: People, session
) -> None:
    kf.says(ZHANG_KF, "未收到 项目：NT-2026-001 期间：2026-10")
    with kf.services.session_factory() as s, s.begin():  # 49 hours pass in WeChat
        customer = s.get(KfCustomer, ZHANG_KF)
        assert customer is not None
        customer.last_msg_at = customer.last_msg_at.replace(year=2000)  # type: ignore[union-attr]
    sent = len(kf.kf.sent)
    r = kf.wecom.text(LIAISON_A, "处理 反映号：F-000001 说明：已补发 原因：社保卡代发回单已核对")
    assert "超过48小时" in r.text and "138****8000" in r.text
    kf.deliver()
    assert len(kf.kf.sent) == sent and kf.kf.refused == []


def test_a_push_dropped_at_send_time_tells_its_author(kf: KfWorld, bound: People) -> None:
    kf.says(ZHANG_KF, "未收到 项目：NT-2026-001 期间：2026-10")
    kf.wecom.text(
        LIAISON_A, "处理 反映号：F-000001 说明：已补发 原因：社保卡代发回单已核对"
    )  # queued, window open
    with kf.services.session_factory() as s, s.begin():  # …and closes before it leaves
        customer = s.get(KfCustomer, ZHANG_KF)
        customer.last_msg_at = customer.last_msg_at.replace(year=2000)  # type: ignore[union-attr]
    sent = len(kf.kf.sent)
    kf.deliver()
    assert len(kf.kf.sent) == sent and kf.kf.refused == []
    assert any("48小时" in e for e in kf.failures())
    assert "没能发给张三" in kf.fake.texts(LIAISON_A)[-1]


def test_a_customer_is_never_staff_whatever_the_data_says(kf: KfWorld, session) -> None:
    session.add(Contact(userid="kf:wmforged", name="冒充", role=Role.ADMIN))
    session.commit()
    kf.says("wmforged", "欠薪")
    assert "没有权限" in kf.read("wmforged")[-1]
    kf.says("wmforged", "邀请 项目：NT-2026-001")
    assert "没有权限" in kf.read("wmforged")[-1]


def test_transfer_to_a_liaison_on_duty_then_the_bot_is_silent(kf: KfWorld, bound: People) -> None:
    kf.kf.servicers[kf.kf.open_kfid] = {LIAISON_A: 0}
    kf.says(ZHANG_KF, "转人工")
    assert "正在为您转接项目联系人李联络" in kf.read(ZHANG_KF)[-1]
    assert kf.kf.state_of(ZHANG_KF) == 3
    before = len(kf.kf.sent)
    kf.says(ZHANG_KF, "查工资")  # a person serves the session now
    assert len(kf.kf.sent) == before and kf.kf.refused == []


def test_transfer_without_a_servicer_says_how_to_reach_the_liaison(
    kf: KfWorld, bound: People
) -> None:
    kf.kf.servicers[kf.kf.open_kfid] = {"somebody-else": 0, LIAISON_A: 1}  # A is off duty
    kf.says(ZHANG_KF, "转人工")
    text = kf.read(ZHANG_KF)[-1]
    assert "李联络（NT-2026-001）" in text and "钱联络（NT-2026-003）" in text
    assert "12333" in text and kf.kf.state_of(ZHANG_KF) == 1


def test_welcome_names_the_project_of_the_qr_code(kf: KfWorld, people: People) -> None:
    project = people.projects["003"]
    kf.kf.enter_session("wmnewcomer", scene=f"p{project.id}", scene_param="NT-2026-003")
    kf.callback()
    kf.run()
    assert len(kf.kf.welcomes) == 1
    welcome = kf.kf.welcomes[0]
    assert welcome["msgtype"] == "msgmenu" and "NT-2026-003" in welcome["msgmenu"]["head_content"]
    assert "绑定" in welcome["msgmenu"]["head_content"]
    with kf.services.session_factory() as s:
        assert s.get(KfCustomer, "wmnewcomer").project_code == "NT-2026-003"  # type: ignore[union-attr]
    # 转人工 from an unbound newcomer goes to that project's liaison
    kf.says("wmnewcomer", "转人工")
    assert "钱联络（NT-2026-003）" in kf.read("wmnewcomer")[-1]


def test_a_late_welcome_is_dropped_not_sent(kf: KfWorld, people: People) -> None:
    kf.kf.enter_session("wmlate")
    kf.callback()
    kf.pull()
    kf.kf.clock_offset = 0
    with kf.services.session_factory() as s, s.begin():
        row = s.scalar(select(OutboxMessage).where(OutboxMessage.rule == "kf-welcome"))
        row.payload = {**row.payload, "expires_at": "2000-01-01T00:00:00+00:00"}  # type: ignore[union-attr]
    kf.deliver()
    assert kf.kf.welcomes == [] and any("20秒" in e for e in kf.failures())


def test_menu_taps_stand_for_their_commands(kf: KfWorld, bound: People) -> None:
    kf.says(ZHANG_KF, "查工资", menu_id="wages")
    assert "张三的劳务报酬" in kf.read(ZHANG_KF)[-1]
    kf.says(ZHANG_KF, "问政策", menu_id="policy")
    assert "请直接打字提问" in kf.read(ZHANG_KF)[-1]


def test_invitation_link_and_qr_code(kf: KfWorld, people: People) -> None:
    r = kf.wecom.text(LIAISON_A, "邀请 项目：NT-2026-001")
    assert "正在生成" in r.text
    run_pending(kf.services.session_factory, kf.services)
    kf.deliver()
    project = people.projects["001"]
    assert kf.kf.contact_ways[-1]["scene"] == f"p{project.id}"
    text = kf.fake.texts(LIAISON_A)[-1]
    assert "scene_param=NT-2026-001" in text and "https://work.weixin.qq.com/kf/" in text
    image = [m for m in kf.fake.messages if m["msgtype"] == "image"]
    assert len(image) == 1
    upload = kf.fake.uploads[-1]
    assert upload["data"][:8] == b"\x89PNG\r\n\x1a\n"
    r = kf.wecom.text(LIAISON_A, "邀请 项目：NT-2026-002")
    assert "没有找到您可以操作的项目 NT-2026-002" in r.text


def test_other_message_types_get_a_clear_answer(kf: KfWorld) -> None:
    kf.kf.customer_says("wmvoice", msgtype="voice")
    kf.callback()
    kf.run()
    assert "只能处理文字" in kf.read("wmvoice")[-1]
    assert time.time() > 0


def test_wage_questions_in_own_words_on_wechat(kf: KfWorld, bound: People) -> None:
    kf.says(ZHANG_KF, "我的钱什么时候到账")
    answer = kf.read(ZHANG_KF)[-1]
    assert answer.startswith("张三，您在项目 NT-2026-001 2026-10 的工资还有800元没发")
    assert "已逾期3天" in answer and "12333" in answer
    kf.says("wmunbound", "这个月工资多少")
    assert "先绑定" in kf.read("wmunbound")[-1]
