"""The outbox drained against the fake WeCom: retries, failures, splitting, claims, limits."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox import RateLimits, drain, outbox_summary, summary_text
from bot.sender import RecordingSender, WeComSender
from bot.tokens import DbTokenStore
from bot.wecom_api import WeComClient
from models import OutboxMessage, OutboxStatus
from tests.fake_wecom import FakeWeCom, offline_http

T0 = datetime(2026, 12, 16, 1, 0, tzinfo=UTC)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

Add = Callable[..., int]
DB = sessionmaker[Session]


@pytest.fixture
def sender(fake_wecom: FakeWeCom, db_factory: sessionmaker[Session]) -> Iterator[WeComSender]:
    client = WeComClient(fake_wecom.settings(), DbTokenStore(db_factory), http=offline_http())
    yield WeComSender(client)
    client._http.close()


@pytest.fixture
def add(db_factory: sessionmaker[Session]) -> Add:
    """Queue one message (as HandlerContext.send does) and return its id."""

    def add(
        recipient: str = "zhangsan",
        text: str = "你好",
        *,
        msgtype: str = "text",
        payload: dict[str, Any] | None = None,
        channel: str = "app",
        at: datetime = T0,
    ) -> int:
        with db_factory.begin() as session:
            row = OutboxMessage(
                recipient=recipient,
                channel=channel,
                msgtype=msgtype,
                payload=payload if payload is not None else {"content": text},
                next_attempt_at=at,
                created_at=at,
            )
            session.add(row)
            session.flush()
            return row.id

    return add


def row(db_factory: sessionmaker[Session], msg_id: int) -> OutboxMessage:
    with db_factory() as session:
        found = session.get(OutboxMessage, msg_id)
        assert found is not None
        return found


def test_text_is_sent_and_marked(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add()
    stats = drain(db_factory, sender, now=T0)
    assert (stats.claimed, stats.sent) == (1, 1)
    assert fake_wecom.texts("zhangsan") == ["你好"]
    sent = row(db_factory, msg_id)
    assert sent.status == OutboxStatus.SENT and sent.sent_at == T0 and sent.claimed_until is None
    assert drain(db_factory, sender, now=T0 + timedelta(hours=1)).claimed == 0


def test_not_due_yet_is_left_alone(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    add(at=T0 + timedelta(minutes=5))
    assert drain(db_factory, sender, now=T0).claimed == 0
    assert fake_wecom.messages == []


def test_rate_limited_45009_is_retried_after_a_minute(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add()
    fake_wecom.fail_next("message/send", 45009)
    assert drain(db_factory, sender, now=T0).retried == 1
    assert fake_wecom.messages == []
    waiting = row(db_factory, msg_id)
    assert waiting.status == OutboxStatus.PENDING and waiting.last_errcode == 45009
    assert waiting.next_attempt_at == T0 + timedelta(seconds=60)
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=30)).claimed == 0
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=61)).sent == 1
    assert fake_wecom.texts() == ["你好"]
    assert row(db_factory, msg_id).attempts == 2


def test_system_busy_is_retried_with_backoff_then_delivered_once(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add()
    fake_wecom.fail_next("message/send", -1, times=2)
    assert drain(db_factory, sender, now=T0).retried == 1
    assert row(db_factory, msg_id).next_attempt_at == T0 + timedelta(seconds=2)
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=2)).retried == 1
    assert row(db_factory, msg_id).next_attempt_at == T0 + timedelta(seconds=6)
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=5)).claimed == 0
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=6)).sent == 1
    assert fake_wecom.texts() == ["你好"]


def test_system_busy_gives_up_after_five_tries(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add()
    fake_wecom.fail_next("message/send", -1, times=10)
    now = T0
    for _ in range(5):
        drain(db_factory, sender, now=now)
        now += timedelta(minutes=1)
    failed = row(db_factory, msg_id)
    assert failed.status == OutboxStatus.FAILED and failed.attempts == 5
    assert fake_wecom.calls.count("message/send") == 5


def test_untrusted_ip_fails_at_once_with_a_fix_hint(
    fake_wecom: FakeWeCom,
    db_factory: DB,
    sender: WeComSender,
    add: Add,
    caplog: pytest.LogCaptureFixture,
) -> None:
    msg_id = add("wangwu", "工资已到账")
    fake_wecom.fail_next("message/send", 60020, times=3, errmsg="not allow to access from your ip")
    with caplog.at_level(logging.ERROR, logger="bot.outbox"):
        assert drain(db_factory, sender, now=T0).failed == 1
    failed = row(db_factory, msg_id)
    assert failed.status == OutboxStatus.FAILED and failed.last_errcode == 60020
    assert "企业可信IP" in failed.last_error
    assert "企业可信IP" in caplog.text
    assert "wangwu" not in caplog.text and "工资已到账" not in caplog.text
    assert drain(db_factory, sender, now=T0 + timedelta(hours=1)).claimed == 0
    assert fake_wecom.calls.count("message/send") == 1


def test_long_text_is_split_on_lines_and_arrives_whole(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    text = "\n".join(f"{i:03d} 张三 东关村 2026-11-20 150元 已发放" for i in range(120))
    assert len(text.encode()) > 5000
    add(text=text)
    assert drain(db_factory, sender, now=T0).sent == 1
    parts = fake_wecom.texts("zhangsan")
    assert len(parts) >= 3
    assert all(len(p.encode()) <= 2048 for p in parts)
    assert all(p.endswith("已发放") for p in parts)  # cut between lines, not inside one
    assert "\n".join(parts) == text


def test_split_message_resumes_after_the_parts_already_delivered(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    text = "\n".join("行" * 300 for _ in range(6))  # 900 bytes a line: three parts
    add(text=text)
    fake_wecom.fail_next("message/send", -1, after=1)
    assert drain(db_factory, sender, now=T0).retried == 1
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=2)).sent == 1
    assert "\n".join(fake_wecom.texts()) == text  # no part twice


def test_webhook_markdown_uses_the_robot_limit(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=county-robot"
    text = "\n".join(f"> **项目{i}** 劳务报酬占比 12%" for i in range(200))
    add(url, text, msgtype="markdown", channel="webhook")
    assert drain(db_factory, sender, now=T0).sent == 1
    bodies = [body for key, body in fake_wecom.webhooks if key == "county-robot"]
    contents = [b["markdown"]["content"] for b in bodies]
    assert len(contents) >= 2 and all(len(c.encode()) <= 4096 for c in contents)
    assert any(len(c.encode()) > 2048 for c in contents)
    assert "\n".join(contents) == text
    assert fake_wecom.messages == []


def test_image_is_uploaded_then_sent(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    payload = {"png_base64": base64.b64encode(PNG).decode(), "filename": "ratio.png"}
    add(msgtype="image", payload=payload)
    assert drain(db_factory, sender, now=T0).sent == 1
    assert [u["filename"] for u in fake_wecom.uploads] == ["ratio.png"]
    assert fake_wecom.uploads[0]["data"] == PNG
    (message,) = fake_wecom.messages
    assert message["msgtype"] == "image"
    assert message["image"] == {"media_id": fake_wecom.uploads[0]["media_id"]}


def test_template_card_body_is_passed_through(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    card = {"card_type": "text_notice", "main_title": {"title": "季度调度"}, "task_id": "q4"}
    add(msgtype="template_card", payload={"template_card": card})
    assert drain(db_factory, sender, now=T0).sent == 1
    assert fake_wecom.messages[0]["template_card"] == card


def test_recording_sender_keeps_everything_local(
    fake_wecom: FakeWeCom, db_factory: DB, add: Add
) -> None:
    msg_id = add()
    recorder = RecordingSender()
    stats = drain(db_factory, recorder, now=T0)
    assert (stats.recorded, stats.sent) == (1, 0)
    assert row(db_factory, msg_id).status == OutboxStatus.RECORDED
    assert recorder.recorded == [("zhangsan", "text", {"content": "你好"})]
    assert fake_wecom.calls == [] and fake_wecom.token_calls == 0


def test_a_claimed_row_is_not_delivered_by_a_concurrent_drain(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add()
    entered, release = threading.Event(), threading.Event()

    class Blocking:
        success_status: ClassVar[str] = OutboxStatus.SENT

        def deliver(self, msg: OutboxMessage) -> None:
            entered.set()
            assert release.wait(10)
            sender.deliver(msg)

    first = threading.Thread(target=drain, args=(db_factory, Blocking()), kwargs={"now": T0})
    first.start()
    assert entered.wait(10)
    assert row(db_factory, msg_id).status == OutboxStatus.SENDING
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=1)).claimed == 0
    release.set()
    first.join()
    assert fake_wecom.texts() == ["你好"]
    assert row(db_factory, msg_id).status == OutboxStatus.SENT


def test_concurrent_drains_deliver_every_row_exactly_once(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    ids = [add(f"user{i}", f"消息{i}") for i in range(40)]
    barrier = threading.Barrier(4)
    totals: list[int] = []

    def run(worker: str) -> None:
        barrier.wait()
        totals.append(drain(db_factory, sender, now=T0, limit=15, worker_id=worker).sent)

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drain(db_factory, sender, now=T0)  # whatever the 4 × 15 claims left over
    assert sorted(fake_wecom.texts()) == sorted(f"消息{i}" for i in range(40))
    assert all(row(db_factory, i).status == OutboxStatus.SENT for i in ids)


def test_an_expired_claim_is_taken_over(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add()

    class Crashing:
        success_status: ClassVar[str] = OutboxStatus.SENT

        def deliver(self, msg: OutboxMessage) -> None:
            raise KeyboardInterrupt  # the worker dies mid-send

    with pytest.raises(KeyboardInterrupt):
        drain(db_factory, Crashing(), now=T0)
    assert drain(db_factory, sender, now=T0 + timedelta(minutes=1)).claimed == 0
    assert drain(db_factory, sender, now=T0 + timedelta(minutes=6)).sent == 1
    assert row(db_factory, msg_id).status == OutboxStatus.SENT


def test_per_member_minute_limit_postpones(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    for i in range(35):
        add(text=f"第{i}条")
    add("lisi", "别人的")
    stats = drain(db_factory, sender, now=T0)
    assert (stats.sent, stats.postponed) == (31, 5)
    assert len(fake_wecom.texts("zhangsan")) == 30
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=30)).claimed == 0
    assert drain(db_factory, sender, now=T0 + timedelta(seconds=61)).sent == 5
    assert len(fake_wecom.texts("zhangsan")) == 35


def test_per_member_hour_limit_postpones_until_the_window_frees(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    limits = RateLimits(member_per_minute=3, member_per_hour=4)
    for i in range(5):
        add(text=f"第{i}条")
    assert drain(db_factory, sender, now=T0, limits=limits).sent == 3
    stats = drain(db_factory, sender, now=T0 + timedelta(minutes=2), limits=limits)
    assert (stats.sent, stats.postponed) == (1, 1)
    with db_factory() as session:
        waiting = session.execute(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
        ).scalar_one()
    assert waiting.next_attempt_at == T0 + timedelta(hours=1)
    assert drain(db_factory, sender, now=T0 + timedelta(hours=1), limits=limits).sent == 1


def test_image_without_data_fails(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    msg_id = add(msgtype="image", payload={"filename": "no-data.png"})
    assert drain(db_factory, sender, now=T0).failed == 1
    assert row(db_factory, msg_id).status == OutboxStatus.FAILED
    assert fake_wecom.messages == []


def test_an_unexpected_error_is_retried_then_failed_and_the_drain_goes_on(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    broken_id, fine_id = add("lisi"), add()

    class Buggy:
        success_status: ClassVar[str] = OutboxStatus.SENT

        def deliver(self, msg: OutboxMessage) -> None:
            if msg.id == broken_id:
                raise ValueError("INSERT … parameters: 张三 142329198503121233")
            sender.deliver(msg)

    stats = drain(db_factory, Buggy(), now=T0)
    assert (stats.retried, stats.sent) == (1, 1)  # maybe the token store blinked: try again
    assert row(db_factory, fine_id).status == OutboxStatus.SENT
    now = T0
    for _ in range(4):
        now += timedelta(minutes=1)
        drain(db_factory, Buggy(), now=now)
    broken = row(db_factory, broken_id)
    assert broken.status == OutboxStatus.FAILED and broken.attempts == 5
    assert "ValueError" in broken.last_error and broken.last_errcode is None
    assert "张三" not in broken.last_error and "1423" not in broken.last_error  # admins see it


def test_summary_for_admins(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    add()
    failed_id = add("lisi")
    add("wangwu", at=T0 + timedelta(days=1))
    fake_wecom.users = {"zhangsan", "wangwu"}
    drain(db_factory, sender, now=T0)
    with db_factory() as session:
        summary = outbox_summary(session)
    assert summary.counts["sent"] == 1 and summary.counts["failed"] == 1
    assert summary.counts["pending"] == 1
    assert summary.recent_failures[0]["id"] == failed_id
    assert summary.recent_failures[0]["errcode"] == 81013
    assert "可见范围" in summary_text(summary)


def test_a_resend_after_a_crash_mid_send_is_dropped_by_wecom(
    fake_wecom: FakeWeCom, db_factory: DB, sender: WeComSender, add: Add
) -> None:
    """WeCom took the message, then the process died before marking the row sent."""
    msg_id = add(text="工资提醒")

    class DiesAfterSending:
        success_status: ClassVar[str] = OutboxStatus.SENT

        def deliver(self, msg: OutboxMessage) -> None:
            sender.deliver(msg)
            raise KeyboardInterrupt  # killed between WeCom's answer and our commit

    with pytest.raises(KeyboardInterrupt):
        drain(db_factory, DiesAfterSending(), now=T0)
    assert drain(db_factory, sender, now=T0 + timedelta(minutes=6)).sent == 1
    assert row(db_factory, msg_id).status == OutboxStatus.SENT
    assert [m["text"]["content"] for m in fake_wecom.messages] == ["工资提醒"]
    assert len(fake_wecom.dropped) == 1
    for m in fake_wecom.messages + fake_wecom.dropped:  # the first try asked for it too
        assert m["enable_duplicate_check"] == 1 and m["duplicate_check_interval"] == 1800
