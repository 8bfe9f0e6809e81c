"""`yigong chat`: the same router and replies a WeCom user gets, from a terminal."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.context import Incoming
from bot.settings import Settings
from bot.wecom_crypto import CallbackCrypto, safe_parse_xml
from models import OutboxMessage


def text_xml(
    user: str, corp_id: str, text: str, msg_id: str, create_time: int, agent_id: int = 1
) -> str:
    safe = text.replace("]]>", "]]]]><![CDATA[>")
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{create_time}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{safe}]]></Content>"
        f"<MsgId>{msg_id}</MsgId><AgentID>{agent_id}</AgentID></xml>"
    )


class ChatSession:
    """Feeds typed messages in-process, or as encrypted callbacks to a running server."""

    def __init__(
        self, settings: Settings, user: str, url: str | None = None, kf: str | None = None
    ) -> None:
        from bot.wiring import build_services

        self.kf = kf is not None  # a 微信客服 customer: the kf pipeline, answers via the outbox
        self.user = f"kf:{kf}" if kf is not None else user
        self.settings = settings
        self.url = url.rstrip("/") if url else None
        self.services = build_services(settings)
        self.crypto = CallbackCrypto(settings)
        with self.services.session_factory() as s:
            self.last_outbox = (
                s.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0
            )

    def send(self, text: str) -> list[str]:
        msg_id = str(uuid.uuid4().int >> 65)
        if self.kf:
            from bot.kf import reply_of

            reply_of(self.services, self.user, text, msgid=f"chat{msg_id}")
            return self._notifications()
        if self.url:
            lines = [self._via_http(text, msg_id)]
        else:
            msg = Incoming(
                self.user, "text", text=text, msg_id=msg_id, create_time=int(time.time())
            )
            lines = [self.services.dispatcher.feed(msg).reply]
        return [line for line in lines if line] + self._notifications()

    def _via_http(self, text: str, msg_id: str) -> str:
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        xml = text_xml(
            self.user, self.settings.corp_id, text, msg_id, int(ts), self.settings.agent_id
        )
        body, sig = self.crypto.encrypt_body(xml, nonce, ts)
        resp = httpx.post(
            f"{self.url}/wecom/callback",
            params={"msg_signature": sig, "timestamp": ts, "nonce": nonce},
            content=body.encode(),
            timeout=10,
        )
        resp.raise_for_status()
        if not resp.content:
            return ""
        inner = self.crypto.decrypt_reply(resp.content)
        return str(safe_parse_xml(inner).get("Content", ""))

    def _notifications(self) -> list[str]:
        """Messages queued for this user since the last look (long replies, results, reminders)."""
        with self.services.session_factory() as s:
            rows = s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == self.user, OutboxMessage.id > self.last_outbox)
                .order_by(OutboxMessage.id)
            ).all()
        if rows:
            self.last_outbox = rows[-1].id
        out = []
        for row in rows:
            payload = row.payload if isinstance(row.payload, dict) else {}
            content = payload.get("content")
            saved = _save_file(payload) if not content else None
            if row.channel == "kf":
                out.append(_kf_text(row.msgtype, payload))
            elif saved:
                out.append(f"[{row.msgtype} 消息] 已保存到 {saved}")
            else:
                out.append(f"[消息] {content}" if content else f"[{row.msgtype} 消息]")
        return out


FILES_DIR = Path("yigong-files")


def _save_file(payload: object) -> Path | None:
    """A file or image message's bytes, saved under ./yigong-files/ so the terminal user can open it."""
    if not isinstance(payload, dict) or "data_base64" not in payload:
        return None
    name = Path(str(payload.get("filename") or "file.bin")).name  # no directories from a payload
    FILES_DIR.mkdir(exist_ok=True)
    path = FILES_DIR / name
    path.write_bytes(base64.b64decode(payload["data_base64"]))
    return path


def _kf_text(msgtype: str, payload: dict[str, Any]) -> str:
    """A 微信客服 message as the customer would read it."""
    if msgtype == "msgmenu" and isinstance(payload.get("msgmenu"), dict):
        menu: dict[str, Any] = payload["msgmenu"]
        taps = " | ".join(str(i["click"]["content"]) for i in menu.get("list") or [])
        return "\n".join(
            x
            for x in (
                str(menu.get("head_content", "")),
                f"[选项] {taps}",
                str(menu.get("tail_content", "")),
            )
            if x
        )
    if msgtype == "kf_trans":
        return f"[转人工] {payload.get('fallback', '')}"
    return str(payload.get("content", ""))
