"""微信客服 end to end: encrypted callbacks → kf/sync_msg pages → handlers → kf/send_msg."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from models import InboundMessage, KfCursor, OutboxMessage
from tests.bot.kf_world import KfWorld, kf_fixture, kf_settings  # noqa: F401  (fixtures)


def test_a_burst_in_several_pages_is_answered_once_each(kf: KfWorld) -> None:
    customers = [f"wmcustomer{i:02d}" for i in range(5)]
    questions = ["帮助", "农推项目劳务报酬比例有什么要求？", "查工资", "你好", "以工代赈是什么"]
    sent = [kf.kf.customer_says(c, q) for q in questions for c in customers]
    assert kf.callback().status == 200
    stats = kf.pull(limit=7)  # 25 messages: 4 pages
    assert stats.pages == 4 and stats.answered == 25 and stats.errors == 0
    kf.deliver()
    per_customer = Counter(body["touser"] for body in kf.kf.sent)
    assert per_customer == dict.fromkeys(customers, 5)
    replied = [b["msgid"] for b in kf.kf.sent]
    assert len(replied) == len(set(replied)) == 25
    # 帮助 comes back as a tap menu; 查工资 from a stranger says how to bind
    first = [b for b in kf.kf.sent if b["touser"] == customers[0]]
    assert first[0]["msgtype"] == "msgmenu"
    assert [i["click"]["content"] for i in first[0]["msgmenu"]["list"]] == [
        "查工资",
        "未收到",
        "工资页",
        "问政策",
        "转人工",
    ]
    assert "绑定" in first[2]["text"]["content"]
    assert "（一）" in first[1]["text"]["content"]
    with kf.services.session_factory() as s:
        keys = set(s.scalars(select(InboundMessage.key).where(InboundMessage.key.like("kfmsg:%"))))
    assert keys == {f"kfmsg:{m}" for m in sent}


def test_a_crash_between_pages_resumes_where_it_stopped(kf: KfWorld) -> None:
    for i in range(12):
        kf.kf.customer_says(f"wmcrash{i % 3}", f"以工代赈问题{i}")
    kf.callback()
    kf.fake.fail_next("kf/sync_msg", -1, after=1)  # the second page's pull fails
    first = kf.pull(limit=5)
    assert first.pages == 1 and first.answered == 5 and first.errors == 1
    with kf.services.session_factory() as s:
        row = s.get(KfCursor, kf.kf.open_kfid)
        assert row is not None and row.cursor == "c5" and row.synced < row.requested
        assert row.locked_until is None  # released: the next tick may resume at once
    second = kf.pull(limit=5)
    assert second.answered == 7 and second.duplicates == 0 and second.errors == 0
    kf.deliver()
    assert len(kf.kf.sent) == 12
    assert len({b["msgid"] for b in kf.kf.sent}) == 12
    assert kf.pull().pages == 0  # nothing requested any more


def test_a_replayed_callback_pulls_nothing_twice(kf: KfWorld) -> None:
    kf.kf.customer_says("wmreplay", "帮助")
    token = kf.kf.announce()
    assert kf.callback(token).status == 200
    kf.run()
    calls = kf.fake.calls.count("kf/sync_msg")
    assert kf.callback(token).status == 200  # WeCom's retry of the same callback
    kf.run()
    assert kf.fake.calls.count("kf/sync_msg") == calls
    assert len(kf.kf.sent) == 1
    # a new callback whose page holds an already-handled message answers nothing new
    with kf.services.session_factory() as s, s.begin():
        s.get(KfCursor, kf.kf.open_kfid).cursor = ""  # type: ignore[union-attr]
    kf.callback()
    stats = kf.run()
    assert stats.duplicates == 1 and stats.answered == 0 and len(kf.kf.sent) == 1


def test_a_bad_kf_callback_is_refused_and_writes_nothing(kf: KfWorld) -> None:
    r = kf.wecom.post(
        {"CreateTime": 1, "MsgType": "event", "Event": "kf_msg_or_event", "Token": "x"}
    )
    assert r.status == 400
    with kf.services.session_factory() as s:
        assert s.scalar(select(KfCursor)) is None
        assert s.scalar(select(OutboxMessage)) is None


def _queue(kf: KfWorld, ext: str, content: str, rule: str, *, early: bool = False) -> None:
    from datetime import timedelta

    from models.base import utcnow

    with kf.services.session_factory() as s, s.begin():
        row = OutboxMessage(
            recipient=f"kf:{ext}", channel="kf", payload={"content": content}, rule=rule
        )
        if early:  # due before the answer already queued
            row.next_attempt_at = utcnow() - timedelta(minutes=1)
        s.add(row)


def test_pushes_never_spend_the_fifth_message(kf: KfWorld) -> None:
    kf.kf.customer_says("wmbudget", "你好")
    kf.callback()
    kf.pull()
    for i in range(6):
        _queue(kf, "wmbudget", f"通知{i}", "complaint", early=True)
    kf.deliver()
    got = kf.read("wmbudget")
    assert got[:4] == ["通知0", "通知1", "通知2", "通知3"]
    assert len(got) == 5 and "通知" not in got[4]  # the fifth was the answer
    assert kf.kf.refused == []
    assert sum("5条已用完" in e for e in kf.failures()) == 2


def test_a_long_answer_is_packed_into_the_budget_left(kf: KfWorld) -> None:
    kf.kf.customer_says("wmlong", "你好")
    kf.callback()
    kf.pull()
    long = "\n".join(f"第{i}行" + "工资" * 300 for i in range(12))  # ~22 KB, 11+ messages
    _queue(kf, "wmlong", long, "kf-reply")
    kf.deliver()
    got = kf.read("wmlong")
    assert len(got) == 5 and kf.kf.refused == []
    assert all(len(t.encode()) <= 2048 for t in got)
    assert got[1].startswith("第0行") and "内容较长，后面没有发出" in got[-1]


def test_nothing_is_sent_outside_the_48_hour_window(kf: KfWorld) -> None:
    import time

    kf.kf.customer_says("wmold", "你好", at=time.time() - 49 * 3600)
    kf.callback()
    stats = kf.run()
    assert stats.answered == 1
    assert kf.kf.sent == [] and kf.kf.refused == []
    assert any("48小时" in e for e in kf.failures())


def test_the_fake_refuses_what_wecom_refuses(kf: KfWorld) -> None:
    """The fake's own rules, so that the tests above mean something."""
    import pytest

    from bot.wecom_api import WeComError

    kf.kf.customer_says("wmraw", "你好")
    for i in range(5):
        kf.api.send_msg("wmraw", kf.kf.open_kfid, "text", {"content": f"{i}"})
    with pytest.raises(WeComError) as sixth:
        kf.api.send_msg("wmraw", kf.kf.open_kfid, "text", {"content": "6"})
    assert sixth.value.errcode == 95001
    kf.kf.customer_says("wmraw", "再问")
    kf.kf.set_state("wmraw", 3, "someone")
    with pytest.raises(WeComError) as human:
        kf.api.send_msg("wmraw", kf.kf.open_kfid, "text", {"content": "x"})
    assert human.value.errcode == 95018
    with pytest.raises(WeComError) as token:
        kf.api.sync_msg(kf.kf.open_kfid, token="ENCnotissued")
    assert token.value.errcode == 95007
    with pytest.raises(WeComError) as account:
        kf.api.sync_msg("wknotours")
    assert account.value.errcode == 95000


def test_an_expired_callback_token_still_pulls(kf: KfWorld) -> None:
    kf.kf.customer_says("wmslow", "帮助")
    kf.callback()
    kf.kf.clock_offset = 700  # WeCom's clock: the Token is 11 minutes old
    stats = kf.run()
    assert stats.answered == 1 and stats.errors == 0 and len(kf.kf.sent) == 1


def test_a_person_takes_the_session_and_later_ends_it(kf: KfWorld) -> None:
    kf.says("wmserved", "帮助")
    assert len(kf.kf.sent) == 1
    kf.kf.set_state("wmserved", 3, "someone")  # a servicer takes it from the pool…
    kf.kf.system_event(
        {"event_type": "session_status_change", "external_userid": "wmserved", "change_type": 1}
    )
    kf.says("wmserved", "查工资")
    assert len(kf.kf.sent) == 1 and kf.kf.refused == []  # the bot stays silent
    kf.kf.set_state("wmserved", 4)  # …and ends it
    kf.kf.system_event(
        {"event_type": "session_status_change", "external_userid": "wmserved", "change_type": 3}
    )
    kf.says("wmserved", "查工资")
    assert len(kf.kf.sent) == 2 and "绑定" in kf.read("wmserved")[-1]


def test_hostile_entries_in_a_page_are_skipped_not_fatal(kf: KfWorld) -> None:
    good = kf.kf.customer_says("wmgood", "帮助")
    kf.kf.messages.extend(
        [
            {"msgid": "", "open_kfid": kf.kf.open_kfid, "origin": 3, "msgtype": "text"},
            {"msgid": "bad1", "open_kfid": kf.kf.open_kfid, "external_userid": "wm" + "x" * 70,
             "send_time": 1, "origin": 3, "msgtype": "text", "text": {"content": "帮助"}},
            {"msgid": "bad2", "open_kfid": kf.kf.open_kfid, "external_userid": "wmodd",
             "send_time": "soon", "origin": "3", "msgtype": "text", "text": "not a dict"},
            {"msgid": "bad3", "open_kfid": kf.kf.open_kfid, "origin": 4, "msgtype": "event",
             "event": {"event_type": "enter_session", "external_userid": "y" * 99}},
            {"msgid": "bad4", "open_kfid": kf.kf.open_kfid, "origin": 4, "msgtype": "event",
             "event": {"event_type": "msg_send_fail", "fail_msgid": "yg999999p0"}},
        ]
    )  # fmt: skip
    kf.callback()
    stats = kf.run()
    assert stats.errors == 0 and stats.duplicates == 1  # the entry without a msgid
    assert [b["touser"] for b in kf.kf.sent] == ["wmgood"]
    with kf.services.session_factory() as s:
        odd = s.scalar(select(OutboxMessage.payload).where(OutboxMessage.recipient == "kf:wmodd"))
        assert odd is not None and "只能处理文字" in odd["content"]  # a bad send_time is "now"
        assert s.get(InboundMessage, f"kfmsg:{good}") is not None
        assert s.get(InboundMessage, "kfmsg:bad1") is not None  # seen, not answered
