"""Inbound WeCom callbacks: signature check, replay window, safe XML, decryption, parsing.

wechatpy does the cryptography and parses ordinary messages; XML is first read with
DTDs and entity tricks refused (as defusedxml does) before anything else sees them,
and `template_card_event` (which wechatpy does not know) is parsed here.
"""

from __future__ import annotations

import time
from typing import Any
from xml.parsers import expat

from wechatpy.enterprise.crypto import WeChatCrypto

from bot.context import Incoming
from bot.settings import Settings


class CallbackRejected(Exception):
    """A callback we refuse; `status` is the HTTP status to answer (always 4xx)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


MAX_DEPTH = 8  # WeCom nests three levels at most; deeper is an attack on the recursion


class _Refused(Exception):
    """A DTD or an entity declaration: not our XML."""


def _refuse(*_args: object) -> int:
    raise _Refused


def safe_parse_xml(data: bytes | str) -> dict[str, Any]:
    """<xml><A>1</A><B><C>2</C></B></xml> → {"A": "1", "B": {"C": "2"}}; CallbackRejected(400)
    for anything else.

    Read on expat directly, with the refusals defusedxml makes (any DTD, entity declarations,
    external entities): each callback is read twice (the envelope, then the message), and
    building ElementTree objects in pure Python to throw them away cost ~40 µs a callback.
    """
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    # one entry per open element: its tag, its children so far, its text so far
    open_: list[tuple[str, dict[str, Any], list[str]]] = []
    done: list[tuple[str, Any]] = []

    def start(tag: str, _attrs: object) -> None:
        if len(open_) > MAX_DEPTH:
            raise CallbackRejected(400, "XML nested too deeply")
        open_.append((tag, {}, []))

    def end(_tag: str) -> None:
        tag, children, text = open_.pop()
        value = children if children else "".join(text)
        if open_:
            open_[-1][1][tag] = value
        else:
            done.append((tag, value))

    def chars(text: str) -> None:
        open_[-1][2].append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except CallbackRejected:
        raise
    except Exception as exc:  # expat's errors and our refusals: all mean "not our XML"
        raise CallbackRejected(400, "malformed XML") from exc
    tag, value = done[0]
    if tag != "xml":
        raise CallbackRejected(400, "unexpected XML root")
    return value if isinstance(value, dict) else {}


MAX_TS_DIGITS = 12


class CallbackCrypto:
    """The callback side of WeCom's message crypto for one app."""

    def __init__(self, settings: Settings) -> None:
        self._crypto = WeChatCrypto(settings.token, settings.aes_key, settings.corp_id)
        self._window = settings.wecom_replay_window
        self._max_body = settings.max_body_bytes
        self._corp_id = settings.corp_id
        self._agent_id = str(settings.agent_id)

    def _check_time(self, timestamp: str, now: float | None) -> None:
        # ASCII digits, seconds since 1970: ten digits until 2286. Anything longer (400
        # digits) or exotic ("²", Arabic digits) is refused before any arithmetic on it.
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TS_DIGITS:
            raise CallbackRejected(400, "bad timestamp")
        if self._window and abs((now or time.time()) - int(timestamp)) > self._window:
            raise CallbackRejected(403, "timestamp outside the replay window")

    def verify_url(
        self, signature: str, timestamp: str, nonce: str, echostr: str, now: float | None = None
    ) -> str:
        """URL verification: the decrypted echostr, or CallbackRejected(403)."""
        self._check_time(timestamp, now)
        try:
            plain = self._crypto.check_signature(signature, timestamp, nonce, echostr)
        except Exception as exc:
            raise CallbackRejected(403, "bad signature") from exc
        return plain.decode() if isinstance(plain, bytes) else str(plain)

    def decrypt(
        self, body: bytes, signature: str, timestamp: str, nonce: str, now: float | None = None
    ) -> dict[str, Any]:
        """Verify and decrypt a POST body; returns the inner message as a flat dict."""
        if len(body) > self._max_body:
            raise CallbackRejected(413, "body too large")
        self._check_time(timestamp, now)
        outer = safe_parse_xml(body)
        encrypt = outer.get("Encrypt")
        if not isinstance(encrypt, str) or not encrypt:
            raise CallbackRejected(400, "no Encrypt element")
        try:
            inner = self._crypto.decrypt_message({"Encrypt": encrypt}, signature, timestamp, nonce)
        except Exception as exc:
            raise CallbackRejected(403, "bad signature or undecryptable body") from exc
        fields = safe_parse_xml(inner)
        self._check_addressee(fields)
        return {"__xml__": inner, **fields}

    def _check_addressee(self, fields: dict[str, Any]) -> None:
        """The inner message must be for this corp and, when it names one, this app.

        (微信客服 events name no AgentID; every app message does.)"""
        if str(fields.get("ToUserName", "")).strip() != self._corp_id:
            raise CallbackRejected(403, "message for another corp")
        agent = fields.get("AgentID")
        if agent not in (None, "") and str(agent).strip() != self._agent_id:
            raise CallbackRejected(403, "message for another app")

    def encrypt_reply(self, xml: str, nonce: str, timestamp: str) -> str:
        return str(self._crypto.encrypt_message(xml, nonce, timestamp))

    def decrypt_reply(self, body: bytes | str) -> str:
        """For clients (`yigong chat --url`, tests, benches): the XML inside a passive reply,
        its signature checked; CallbackRejected(403) when it does not verify."""
        outer = safe_parse_xml(body)
        try:
            return str(
                self._crypto.decrypt_message(
                    {"Encrypt": outer["Encrypt"]},
                    outer["MsgSignature"],
                    outer["TimeStamp"],
                    outer["Nonce"],
                )
            )
        except Exception as exc:
            raise CallbackRejected(403, "bad reply signature") from exc

    def encrypt_body(self, xml: str, nonce: str, timestamp: str) -> tuple[str, str]:
        """For test clients and `yigong chat --url`: the POST body and its msg_signature."""
        reply = safe_parse_xml(self.encrypt_reply(xml, nonce, timestamp))
        body = (
            f"<xml><ToUserName><![CDATA[{self._crypto.corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{reply['Encrypt']}]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>"
        )
        return body, str(reply["MsgSignature"])


def to_incoming(fields: dict[str, Any]) -> Incoming:
    """Turn a decrypted message into an Incoming; unknown types keep their raw fields."""
    msg_type = str(fields.get("MsgType", "")).lower()
    user = str(fields.get("FromUserName", ""))
    if not msg_type or not user:
        raise CallbackRejected(400, "message without MsgType or FromUserName")
    if len(user) > 64 or len(str(fields.get("MsgId", ""))) > 64:
        raise CallbackRejected(400, "FromUserName or MsgId too long")  # WeCom's are far shorter
    stamp = str(fields.get("CreateTime", ""))
    create_time = int(stamp) if stamp.isdecimal() and len(stamp) <= 20 else 0
    raw = {k: v for k, v in fields.items() if k != "__xml__"}
    if msg_type == "event":
        event = str(fields.get("Event", "")).lower()
        if (
            len(event) > 64
            or len(str(fields.get("EventKey", ""))) + len(str(fields.get("TaskId", ""))) > 96
        ):
            raise CallbackRejected(400, "event fields too long")  # the dedup key must fit 255
        return Incoming(
            user_id=user,
            kind="event",
            create_time=create_time,
            event=event,
            event_key=str(fields.get("EventKey", "")),
            task_id=str(fields.get("TaskId", "")),
            raw=raw,
        )
    msg_id = str(fields.get("MsgId", "")) or None
    if msg_type in ("text", "file", "image", "voice", "video", "location", "link"):
        if msg_type == "text":
            # The flat fields already hold the content: no third parse of the same XML
            # (stripped, as wechatpy's parser strips it).
            return Incoming(
                user,
                "text",
                text=str(fields.get("Content") or "").strip(),
                msg_id=msg_id,
                create_time=create_time,
                raw=raw,
            )
        return Incoming(
            user,
            msg_type,
            msg_id=msg_id,
            create_time=create_time,
            media_id=str(fields.get("MediaId", "")),
            file_name=str(fields.get("FileName", fields.get("Title", ""))),
            raw=raw,
        )
    return Incoming(user, msg_type, msg_id=msg_id, create_time=create_time, raw=raw)


def reply_xml(to_user: str, from_corp: str, text: str, create_time: int) -> str:
    """A passive text reply (plaintext XML, to be encrypted)."""
    safe = text.replace("]]>", "]]]]><![CDATA[>")
    return (
        f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
        f"<FromUserName><![CDATA[{from_corp}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{safe}]]></Content></xml>"
    )
