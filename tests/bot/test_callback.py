"""The callback contract of SPEC §7, through real wechatpy encryption."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import create_app
from bot.context import HandlerContext, Incoming, Reply
from bot.router import Router
from bot.services import Services
from bot.settings import Settings
from bot.wiring import build_services
from models import AuditLog, InboundMessage, OutboxMessage
from tests.builders import WeComUser

SAMPLE = {
    "WECOM_CORP_ID": "wx5823bf96d3bd56c7",
    "WECOM_AGENT_ID": 218,
    "WECOM_TOKEN": "QDG6eK",
    "WECOM_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "WECOM_SECRET": "x",
    "YIGONG_DATA_KEY": "sample-data-key-0123456789abcdefghijkl",
    "WECOM_REPLAY_WINDOW": 0,  # the samples are from 2014
    "YIGONG_SCHEDULER": False,
}
SAMPLE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjv"
    "d4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw"
    "2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22N"
    "cx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2u"
    "yPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
SAMPLE_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
    f"<Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)


@pytest.fixture
def sample_client(db_url: str, engine) -> TestClient:  # type: ignore[no-untyped-def]
    settings = Settings(DATABASE_URL=db_url, **SAMPLE)
    services = build_services(settings, engine=engine)
    return TestClient(create_app(settings, services=services, background=False))


def count(session_factory, model) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_wecom_sample_url_verification(sample_client: TestClient) -> None:
    resp = sample_client.get(
        "/wecom/callback",
        params={
            "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "timestamp": "1409659589",
            "nonce": "263014780",
            "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
        },
    )
    assert resp.status_code == 200
    assert resp.text == "1616140317555161061"


def test_wecom_sample_url_verification_bad_signature(sample_client: TestClient) -> None:
    resp = sample_client.get(
        "/wecom/callback",
        params={
            "msg_signature": "0" * 40,
            "timestamp": "1409659589",
            "nonce": "263014780",
            "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
        },
    )
    assert resp.status_code == 403


def test_wecom_sample_hello_message(sample_client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    params = {
        "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
        "timestamp": "1409659813",
        "nonce": "1372623149",
    }
    resp = sample_client.post("/wecom/callback", params=params, content=SAMPLE_BODY.encode())
    assert resp.status_code == 200
    with sample_client:
        services: Services = sample_client.app.state.services  # type: ignore[attr-defined]
        with services.session_factory() as s:
            row = s.get(InboundMessage, "msg:4561255354251345929:mycreate")
            assert row is not None and row.user_id == "mycreate"
            # "hello" is no command: it is answered (as a policy question or a pointer to help).
            assert row.reply_text
        # The reply decrypts with the sample key, for the sample sender.
        plain = services.crypto.decrypt_reply(resp.text)
        assert "<ToUserName><![CDATA[mycreate]]></ToUserName>" in plain


def test_help_lists_commands(wecom: WeComUser) -> None:
    reply = wecom.text("zhangsan", "帮助")
    assert reply.status == 200
    assert "帮助" in reply.text and "政策问题" in reply.text


@pytest.fixture
def writing_router(services: Services) -> Router:
    """A command that writes, so that duplicates and refusals can be counted."""
    r = Router("test")

    @r.command("测试写入", help="test")
    def write(msg: Incoming, ctx: HandlerContext) -> Reply:
        ctx.session.add(
            AuditLog(actor=ctx.user.userid, channel="chat", action="test", subject=ctx.args)
        )
        return Reply(f"已写入 {ctx.args}")

    @r.command("测试长回复", help="test")
    def long_reply(msg: Incoming, ctx: HandlerContext) -> Reply:
        return Reply(
            "\n".join(f"第{i:03d}行：劳务报酬按时足额发放，务工台账规范完整。" for i in range(120))
        )

    services.router.include(r)
    return r


def test_retried_msgid_gets_identical_reply_and_no_second_write(
    wecom: WeComUser, writing_router: Router, session_factory
) -> None:  # type: ignore[no-untyped-def]
    first = wecom.text("liaison1", "测试写入 A", msg_id="123456789")
    again = wecom.text("liaison1", "测试写入 A", msg_id="123456789")
    assert first.text == "已写入 A"
    assert again.response.content == first.response.content  # byte-identical
    assert count(session_factory, AuditLog) == 1


def test_event_without_msgid_is_deduplicated_by_sender_time_event_key(
    wecom: WeComUser, session_factory
) -> None:  # type: ignore[no-untyped-def]
    t = int(time.time())
    a = wecom.event("u1", "template_card_event", create_time=t, EventKey="paid", TaskId="task-1")
    b = wecom.event("u1", "template_card_event", create_time=t, EventKey="paid", TaskId="task-1")
    c = wecom.event("u1", "template_card_event", create_time=t, EventKey="detail", TaskId="task-1")
    assert a.status == b.status == c.status == 200
    assert count(session_factory, InboundMessage) == 2


def test_long_reply_is_split_on_lines_into_outbox(
    wecom: WeComUser, writing_router: Router, session_factory
) -> None:  # type: ignore[no-untyped-def]
    reply = wecom.text("u2", "测试长回复")
    assert 0 < len(reply.text.encode()) <= 2048
    with session_factory() as s:
        rest = s.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "u2").order_by(OutboxMessage.id)
        ).all()
    parts = [reply.text] + [r.payload["content"] for r in rest]
    assert len(parts) >= 3
    assert all(len(p.encode()) <= 2048 for p in parts)
    full = "\n".join(parts).split("\n")
    assert full == [f"第{i:03d}行：劳务报酬按时足额发放，务工台账规范完整。" for i in range(120)]


def _bad_posts(wecom: WeComUser) -> list[tuple[str, int]]:
    """Each hostile request and the status it must get."""
    c = wecom.client
    ts = str(int(time.time()))
    body, sig = wecom.crypto.encrypt_body(
        "<xml><FromUserName>x</FromUserName><MsgType>text</MsgType><Content>测试写入 X</Content><MsgId>1</MsgId><CreateTime>1</CreateTime></xml>",
        "n1",
        ts,
    )
    results = []
    r = c.post(
        "/wecom/callback",
        params={"msg_signature": "f" * 40, "timestamp": ts, "nonce": "n1"},
        content=body,
    )
    results.append(("forged signature", r.status_code))
    old = str(int(time.time()) - 3600)
    body_old, sig_old = wecom.crypto.encrypt_body(
        "<xml><FromUserName>x</FromUserName><MsgType>text</MsgType><Content>测试写入 X</Content><MsgId>2</MsgId><CreateTime>1</CreateTime></xml>",
        "n2",
        old,
    )
    r = c.post(
        "/wecom/callback",
        params={"msg_signature": sig_old, "timestamp": old, "nonce": "n2"},
        content=body_old,
    )
    results.append(("stale timestamp", r.status_code))
    r = c.post(
        "/wecom/callback",
        params={"msg_signature": sig, "timestamp": ts, "nonce": "n1"},
        content=b"<xml>" + b"A" * (65 * 1024) + b"</xml>",
    )
    results.append(("body over 64 KiB", r.status_code))
    r = c.post(
        "/wecom/callback",
        params={"msg_signature": sig, "timestamp": ts, "nonce": "n1"},
        content=b"<xml><Encrypt>abc</Enc",
    )
    results.append(("malformed XML", r.status_code))
    r = c.post("/wecom/callback", params={"timestamp": ts, "nonce": "n1"}, content=body)
    results.append(("missing msg_signature", r.status_code))
    r = c.post("/wecom/callback", content=body)
    results.append(("no query at all", r.status_code))
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>'
    r = c.post(
        "/wecom/callback",
        params={"msg_signature": sig, "timestamp": ts, "nonce": "n1"},
        content=bomb,
    )
    results.append(("entity expansion", r.status_code))
    return results


def test_hostile_requests_get_4xx_and_write_nothing(
    wecom: WeComUser, writing_router: Router, session_factory
) -> None:  # type: ignore[no-untyped-def]
    for name, status in _bad_posts(wecom):
        assert 400 <= status < 500, name
    assert count(session_factory, InboundMessage) == 0
    assert count(session_factory, AuditLog) == 0


def test_get_verification_needs_all_parameters(client: TestClient) -> None:
    assert client.get("/wecom/callback").status_code == 400
    assert (
        client.get(
            "/wecom/callback", params={"msg_signature": "a", "timestamp": "1", "nonce": "n"}
        ).status_code
        == 400
    )


def test_healthz_reports_database(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["database"] == "ok"
