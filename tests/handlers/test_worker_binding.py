"""绑定 and 解绑 through the encrypted callback: no hints, a lock after five misses, liaisons told."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import BindingAttempt, Role, Worker
from models.privacy import mask_id
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    LI,
    LIAISON_A,
    LIAISON_B,
    LIAISON_C,
    STRANGER,
    UNKNOWN_ID,
    WANG,
    ZHANG,
    People,
    outbox_to,
    people_fixture,
    read,
    set_clock,
)


def bound_to(session, name: str) -> str | None:  # type: ignore[no-untyped-def]
    return read(session, select(Worker.wecom_userid).where(Worker.name == name))[0]


def without_count(text: str) -> str:
    return re.sub(r"还可以再试\d次", "", text)


def test_wrong_id_is_refused_without_a_hint_then_right_id_binds(wecom, people: People, session):
    tries = [
        f"绑定 姓名：张三 身份证：{people.ids['李四']}",  # real name, somebody else's ID
        f"绑定 姓名：张三 身份证：{UNKNOWN_ID}",  # real name, nobody's ID
        f"绑定 姓名：赵六 身份证：{people.ids['张三']}",  # real ID, wrong name
        f"绑定 姓名：赵六 身份证：{UNKNOWN_ID}",  # nothing real
    ]
    replies = [wecom.text(ZHANG, t).text for t in tries]
    assert len({without_count(r) for r in replies}) == 1, replies  # identical: no oracle
    assert "不一致" in replies[0] and "还可以再试4次" in replies[0]
    for r in replies:
        assert "李四" not in r and "赵六" not in r
        for number in people.ids.values():
            assert number not in r and mask_id(number) not in r
    assert bound_to(session, "张三") is None

    ok = wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定成功" in ok.text and mask_id(people.ids["张三"]) in ok.text
    assert people.ids["张三"] not in ok.text
    assert "NT-2026-001" in ok.text and "NT-2026-003" in ok.text
    assert bound_to(session, "张三") == ZHANG
    assert "查工资" in ok.text
    assert "1,800元" in wecom.text(ZHANG, "查工资").text


def test_sixth_bad_try_is_locked_and_the_liaison_is_told(wecom, people: People, session, services):
    for i in range(1, 6):
        r = wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{UNKNOWN_ID}")
        assert ("暂停绑定" in r.text) == (i == 5), (i, r.text)
    notices = outbox_to(session, LIAISON_A)
    assert len(notices) == 1 and "绑定锁定" in notices[0] and ZHANG in notices[0]
    assert mask_id(people.ids["张三"]) in notices[0] and UNKNOWN_ID not in notices[0]
    assert "NT-2026-001" in notices[0]
    assert len(outbox_to(session, LIAISON_C)) == 1  # 张三 is on 003 too
    assert outbox_to(session, LIAISON_B) == []  # nothing to do with 002

    sixth = wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定暂停" in sixth.text and "明天" in sixth.text
    assert bound_to(session, "张三") is None
    assert len(outbox_to(session, LIAISON_A)) == 1  # told once, not at every try
    outcomes = read(session, select(BindingAttempt.outcome).where(BindingAttempt.userid == ZHANG))
    assert outcomes == ["mismatch"] * 5 + ["locked"]

    # Another account is not locked; and the lock ends at local midnight.
    assert "还可以再试4次" in wecom.text(STRANGER, f"绑定 姓名：李四 身份证：{UNKNOWN_ID}").text
    set_clock(services, "2026-11-17T00:05")
    assert "绑定成功" in wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}").text


def test_a_lock_with_no_name_or_id_match_pages_nobody(wecom, people: People, session):
    for _ in range(5):
        r = wecom.text(STRANGER, f"绑定 姓名：路人甲 身份证：{UNKNOWN_ID}")
    assert "暂停绑定" in r.text
    for liaison in (LIAISON_A, LIAISON_B, LIAISON_C):
        assert outbox_to(session, liaison) == []


def test_format_errors_do_not_count_and_never_echo_the_number(wecom, people: People, session):
    short = people.ids["张三"][:17]
    typo = people.ids["张三"][:17] + ("0" if people.ids["张三"][17] != "0" else "1")
    for text in (
        f"绑定 姓名：张三 身份证：{short}",
        f"绑定 姓名：张三 身份证：{typo}",
        f"绑定 张三 {people.ids['张三']}",
        "绑定 姓名：张三",
        f"绑定 {people.ids['张三']} 姓名：张三",
    ) * 2:
        r = wecom.text(ZHANG, text)
        assert "没有" in r.text and "示例" in r.text, r.text
        assert short not in r.text and typo not in r.text
    assert "绑定成功" in wecom.text(ZHANG, f"绑定 姓名：张三 身份证：{people.ids['张三']}").text


def test_bound_worker_binding_again_checks_nothing(wecom, people: People, session):
    r = wecom.text(LI, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "已绑定务工人员 李四" in r.text and "解绑" in r.text
    assert "张三" not in r.text
    assert bound_to(session, "张三") is None
    assert read(session, select(BindingAttempt)) == []


def test_right_data_for_a_worker_bound_elsewhere_binds_nothing(wecom, people: People, session):
    r = wecom.text("li-new-phone", f"绑定 姓名：李四 身份证：{people.ids['李四']}")
    assert "已经绑定了另一个企业微信账号" in r.text
    assert bound_to(session, "李四") == LI
    notice = outbox_to(session, LIAISON_A)
    assert len(notice) == 1 and "li-new-phone" in notice[0] and "解绑" in notice[0]


def test_binding_twice_to_a_worker_bound_elsewhere_answers_the_same_and_pages_once(
    wecom, people: People, session
):
    # The second try queues the same liaison notice (same dedup key) as the first: it must
    # be skipped, not crash the message into the generic apology.
    first = wecom.text("li-new-phone", f"绑定 姓名：李四 身份证：{people.ids['李四']}")
    second = wecom.text("li-new-phone", f"绑定 姓名：李四 身份证：{people.ids['李四']}")
    assert "已经绑定了另一个企业微信账号" in first.text
    assert second.text == first.text
    assert "出错" not in second.text
    assert bound_to(session, "李四") == LI
    assert len(outbox_to(session, LIAISON_A)) == 1
    attempts = read(session, select(BindingAttempt.outcome))
    assert len(attempts) == 2  # both tries were recorded: the second one was not rolled back


def test_liaison_unbinds_and_the_account_can_no_longer_query(wecom, people: People, session):
    refused = wecom.text(LIAISON_B, "解绑 项目：NT-2026-001 人员：李四")
    unknown = wecom.text(LIAISON_B, "解绑 项目：NT-2099-999 人员：李四")
    assert "没有找到您可以操作的项目" in refused.text
    assert refused.text.replace("NT-2026-001", "X", 1) == unknown.text.replace(
        "NT-2099-999", "X", 1
    )
    r = wecom.text(LIAISON_A, "解绑 项目：NT-2026-001 人员：李四")
    assert "已解除" in r.text and LI in r.text and mask_id(people.ids["李四"]) in r.text
    assert bound_to(session, "李四") is None
    assert any("绑定已由项目联系人解除" in t for t in outbox_to(session, LI))
    assert "还没有绑定" in wecom.text(LI, "查工资").text
    again = wecom.text(LIAISON_A, "解绑 项目：NT-2026-001 人员：李四")
    assert "没有绑定" in again.text
    # A new account binds with the worker's own data.
    assert "绑定成功" in wecom.text("li-new", f"绑定 姓名：李四 身份证：{people.ids['李四']}").text


def test_worker_cannot_run_liaison_or_admin_commands(wecom, people: People, services):
    staff_only = [
        c for c in services.router.commands if c.roles is not None and Role.WORKER not in c.roles
    ]
    assert {"处理", "解绑", "反映列表"} <= {c.name for c in staff_only}
    for cmd in staff_only:
        r = wecom.text(LI, f"{cmd.name} 项目：NT-2026-001")
        assert "没有权限" in r.text, (cmd.name, r.text)
    r = wecom.text(WANG, "处理 反映号：F-000001 说明：已发")
    assert "没有权限" in r.text


def test_guest_is_told_how_to_bind(wecom, people: People):
    for command in ("查工资", "我的工资", "工资发了吗", "查培训", "我的信息", "未收到"):
        r = wecom.text(STRANGER, command)
        assert "还没有绑定" in r.text and "绑定 姓名：" in r.text, (command, r.text)


def test_liaison_binds_through_register_with_wecom_account(wecom, people: People, session):
    r = wecom.text(
        LIAISON_A,
        f"登记工人 项目：NT-2026-001 姓名：张三 身份证：{people.ids['张三']} 企业微信：{ZHANG}",
    )
    assert "张三" in r.text, r.text
    assert bound_to(session, "张三") == ZHANG
    assert "1,800元" in wecom.text(ZHANG, "查工资").text
