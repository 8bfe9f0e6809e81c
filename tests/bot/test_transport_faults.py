"""Transport faults end in a 4xx or a clear line, never a traceback or a 500."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import anyio
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import create_app
from models import InboundMessage
from tests.builders import WeComUser, message_xml


def _signed_post(wecom: WeComUser, xml: str, ts: str | None = None) -> Any:
    stamp = str(int(time.time()))
    nonce = secrets.token_hex(6)
    body, sig = wecom.crypto.encrypt_body(xml, nonce, stamp)
    return wecom.client.post(
        "/wecom/callback",
        params={"msg_signature": sig, "timestamp": ts or stamp, "nonce": nonce},
        content=body.encode(),
    )


def _text_fields(wecom: WeComUser, **over: Any) -> dict[str, Any]:
    return {
        "FromUserName": "zhangsan",
        "CreateTime": int(time.time()),
        "MsgType": "text",
        "Content": "帮助",
        "MsgId": str(secrets.randbelow(10**18)),
        "AgentID": wecom.settings.agent_id,
        **over,
    }


@pytest.mark.parametrize("ts", ["9" * 400, "1" * 13, "١٢٣٤٥٦٧٨٩٠", "²"])
def test_absurd_timestamps_are_400_before_any_signature_check(wecom: WeComUser, ts: str) -> None:
    xml = message_xml(_text_fields(wecom), wecom.settings.corp_id)
    resp = _signed_post(wecom, xml, ts=ts)
    assert resp.status_code == 400
    get = wecom.client.get(
        "/wecom/callback",
        params={"msg_signature": "x", "timestamp": ts, "nonce": "n", "echostr": "e"},
    )
    assert get.status_code == 400


def test_messages_for_another_corp_or_app_are_refused(wecom: WeComUser, session: Session) -> None:
    other_corp = message_xml(_text_fields(wecom), "ww-some-other-corp")
    assert _signed_post(wecom, other_corp).status_code == 403
    other_app = message_xml(_text_fields(wecom, AgentID=999999), wecom.settings.corp_id)
    assert _signed_post(wecom, other_app).status_code == 403
    ours = message_xml(_text_fields(wecom), wecom.settings.corp_id)
    assert _signed_post(wecom, ours).status_code == 200
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_a_client_leaving_mid_body_gets_a_4xx_and_no_traceback(
    settings, services, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, services=services, background=False)
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        parts = [
            {"type": "http.request", "body": b"<xml><Encrypt>", "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> dict[str, Any]:
            return parts.pop(0) if parts else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/wecom/callback",
            "raw_path": b"/wecom/callback",
            "query_string": b"msg_signature=a&timestamp=1&nonce=b",
            "headers": [(b"host", b"test")],
            "client": ("127.0.0.1", 1),
            "server": ("test", 80),
            "root_path": "",
            "state": {},
        }
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    with caplog.at_level(logging.INFO):
        anyio.run(run)
    start = [m for m in sent if m["type"] == "http.response.start"]
    assert start and 400 <= start[0]["status"] < 500
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


def test_yigong_chat_url_messages_pass_the_addressee_check(wecom: WeComUser) -> None:
    from bot.chat import text_xml

    s = wecom.settings
    xml = text_xml("zhangsan", s.corp_id, "帮助", "123456", int(time.time()), s.agent_id)
    resp = _signed_post(wecom, xml)
    assert resp.status_code == 200 and wecom.decrypt(resp)
