"""Message builders: real wechatpy-encrypted callback bodies, and decryption of replies."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from bot.settings import Settings
from bot.wecom_crypto import CallbackCrypto, safe_parse_xml

_ids = itertools.count(7_000_000_000_000_000_000)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(fields: dict[str, Any], corp_id: str) -> str:
    body = "".join(
        f"<{k}>{_cdata(str(v)) if isinstance(v, str) else v}</{k}>" for k, v in fields.items()
    )
    return f"<xml><ToUserName>{_cdata(corp_id)}</ToUserName>{body}</xml>"


@dataclass
class CallbackReply:
    response: Response
    text: str

    @property
    def status(self) -> int:
        return self.response.status_code


class WeComUser:
    """Plays WeCom for one app: signs and encrypts callbacks, decrypts passive replies."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.crypto = CallbackCrypto(settings)

    def post(
        self, fields: dict[str, Any], *, timestamp: int | None = None, nonce: str | None = None
    ) -> CallbackReply:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or secrets.token_hex(6)
        xml = message_xml(fields, self.settings.corp_id)
        body, sig = self.crypto.encrypt_body(xml, nonce, ts)
        resp = self.client.post(
            "/wecom/callback",
            params={"msg_signature": sig, "timestamp": ts, "nonce": nonce},
            content=body.encode(),
        )
        return CallbackReply(resp, self.decrypt(resp) if resp.status_code == 200 else "")

    def decrypt(self, resp: Response) -> str:
        if not resp.content:
            return ""
        inner = self.crypto.decrypt_reply(resp.content)
        return str(safe_parse_xml(inner).get("Content", ""))

    def text(
        self, user: str, content: str, *, msg_id: str | None = None, **kw: Any
    ) -> CallbackReply:
        fields = {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id or str(next(_ids)),
            "AgentID": self.settings.agent_id,
        }
        return self.post(fields, **kw)

    def event(
        self, user: str, event: str, *, create_time: int | None = None, **extra: Any
    ) -> CallbackReply:
        fields: dict[str, Any] = {
            "FromUserName": user,
            "CreateTime": create_time or int(time.time()),
            "MsgType": "event",
            "Event": event,
            "AgentID": self.settings.agent_id,
            **extra,
        }
        return self.post(fields)

    def file(
        self, user: str, media_id: str, file_name: str, *, msg_id: str | None = None
    ) -> CallbackReply:
        fields = {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "file",
            "MediaId": media_id,
            "FileName": file_name,
            "MsgId": msg_id or str(next(_ids)),
            "AgentID": self.settings.agent_id,
        }
        return self.post(fields)
