"""JSON logs carry a request id and no personal data; /metrics counts callbacks."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from bot.observability import JsonFormatter, RequestIdFilter, redact
from bot.services import Services
from tests.builders import WeComUser
from tests.fake_wecom import FakeWeCom, offline_http

ID_NUMBER = "142329198503121233"
PHONE = "13800138000"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buf
    root.removeHandler(handler)
    root.setLevel(old_level)


def _records(buf: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]


def test_redact_ids_and_phones() -> None:
    text = f"登记工人 张三 身份证：{ID_NUMBER} 手机 {PHONE} 旧证 130503670401001 MsgId 7000000000000000001"
    out = redact(text)
    assert ID_NUMBER not in out and PHONE not in out and "130503670401001" not in out
    assert "7000000000000000001" in out  # 19-digit message ids are not personal data


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["1", "3", "8", "0", "X", "x", "-", " ", "+86", "a", "：", "2026-12-01T05"]
        ),
        max_size=40,
    ).map("".join)
)
def test_redaction_shortcut_changes_nothing(text: str) -> None:
    # The quick pre-check may only skip lines the two full patterns would leave alone.
    from bot.observability import _ID_RE, _PHONE_RE

    assert redact(text) == _PHONE_RE.sub("[phone]", _ID_RE.sub("[id]", text))


def test_callback_logs_are_json_with_request_id_and_no_personal_data(
    wecom: WeComUser, services: Services, json_lines: io.StringIO
) -> None:
    feed = services.dispatcher.feed
    log = logging.getLogger("tests.ops.feed")

    def logging_feed(msg, **kw):  # type: ignore[no-untyped-def]
        log.info("feeding %s", msg.text)  # a careless log line inside the worker thread
        try:
            raise ValueError(f"bad worker {msg.text}")
        except ValueError:
            log.exception("handler trouble")
        return feed(msg, **kw)

    services.dispatcher.feed = logging_feed  # type: ignore[method-assign]
    reply = wecom.text("liaison-1", f"登记工人 张三 身份证：{ID_NUMBER} 手机：{PHONE} 村：河东村")
    assert reply.status == 200
    raw = json_lines.getvalue()
    assert ID_NUMBER not in raw and PHONE not in raw
    records = _records(json_lines)
    access = [r for r in records if r["logger"] == "yigong.access"]
    assert access and access[-1]["status"] == 200
    rid = access[-1]["request_id"]
    assert isinstance(rid, str) and re.fullmatch(r"[0-9a-f]{16}", rid)
    assert reply.response.headers["x-request-id"] == rid
    inner = [r for r in records if r["logger"] == "tests.ops.feed"]
    assert {r["request_id"] for r in inner} == {rid}  # carried into the thread pool
    assert "[id]" in str(inner[0]["message"]) and "exc" in inner[1]
    server_lines = [r for r in records if r["logger"] != "httpx"]  # httpx: the test's own client
    assert all("msg_signature" not in json.dumps(r) for r in server_lines)


def test_request_id_header_is_reused_when_sane(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    odd = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["x-request-id"]
    assert odd != "<script>"


def _sample(text: str, name: str, labels: str = "") -> float:
    pattern = re.escape(name) + (re.escape("{" + labels + "}") if labels else r"(?:\{[^}]*\})?")
    match = re.search(r"^" + pattern + r" ([0-9.e+-]+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def test_metrics_count_callbacks(wecom: WeComUser, client: TestClient) -> None:
    before = client.get("/metrics").text
    first = wecom.text("someone", "帮助", msg_id="910000000000000001")
    again = wecom.text("someone", "帮助", msg_id="910000000000000001")
    client.post(
        "/wecom/callback",
        params={"msg_signature": "x", "timestamp": "1", "nonce": "n"},
        content=b"<xml/>",
    )
    assert first.status == again.status == 200
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    after = resp.text
    for labels in ('outcome="ok"', 'outcome="duplicate"'):
        assert (
            _sample(after, "yigong_callbacks_total", labels)
            == _sample(before, "yigong_callbacks_total", labels) + 1
        )
    assert (
        _sample(after, "yigong_reply_seconds_count")
        >= _sample(before, "yigong_reply_seconds_count") + 2
    )
    assert re.search(r'yigong_callbacks_total\{outcome="rejected_4\d\d"\}', after)
    assert 'yigong_outbox_depth{status="pending"}' in after


def test_wecom_sends_are_counted_by_errcode(
    fake_wecom: FakeWeCom, session_factory: sessionmaker[Session], client: TestClient
) -> None:
    from bot.observability import record_send
    from bot.outbox import drain
    from bot.sender import WeComSender
    from bot.tokens import DbTokenStore
    from bot.wecom_api import WeComClient
    from models.outbox import enqueue, text

    before = client.get("/metrics").text
    with session_factory() as s, s.begin():
        enqueue(s, [text("zhangsan", "你好"), text("lisi", "你好")])
    fake_wecom.fail_next("message/send", 45009, times=1)  # WeCom's rate limit, once
    wecom = WeComClient(fake_wecom.settings(), DbTokenStore(session_factory), http=offline_http())
    try:
        drain(session_factory, WeComSender(wecom, on_attempt=record_send))
    finally:
        wecom.close()
    after = client.get("/metrics").text
    for errcode in ("0", "45009"):
        labels = f'errcode="{errcode}"'
        assert (
            _sample(after, "yigong_wecom_sends_total", labels)
            == _sample(before, "yigong_wecom_sends_total", labels) + 1
        ), errcode


def test_a_handler_crash_is_an_apology_writes_nothing_and_is_counted(
    wecom: WeComUser, client: TestClient, services: Services
) -> None:
    from sqlalchemy import func, select

    from bot.context import HandlerContext, Incoming, Reply
    from bot.dispatcher import INTERNAL_ERROR_REPLY
    from models import AuditLog

    @services.router.command("崩溃测试", help="test only", hidden=True)
    def crash(msg: Incoming, ctx: HandlerContext) -> Reply:
        ctx.audit("test.before-crash", "x")  # a write that must not survive
        raise ZeroDivisionError("a bug")

    before = client.get("/metrics").text
    reply = wecom.text("someone", "崩溃测试")
    assert reply.status == 200 and reply.text == INTERNAL_ERROR_REPLY
    with services.session_factory() as session:
        assert not session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "test.before-crash")
        )
    after = client.get("/metrics").text
    labels = 'outcome="handler_error"'
    assert (
        _sample(after, "yigong_callbacks_total", labels)
        == _sample(before, "yigong_callbacks_total", labels) + 1
    )
