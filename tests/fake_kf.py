"""The 微信客服 part of the fake WeCom API: sync_msg pages, the send window and budget, states.

Tests play the customer: `customer_says` puts a message where kf/sync_msg will find it and
returns the callback Token that announces it (valid 10 minutes, like WeCom's).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMIT = 2048
MENU_TEXT_LIMIT = 1024
BUDGET = 5
WINDOW = 48 * 3600
TOKEN_TTL = 600
WELCOME_TTL = 20
KF_MSGTYPES = frozenset(
    {"text", "image", "voice", "video", "file", "link", "miniprogram", "msgmenu", "location"}
)
SCENE = re.compile(r"^[0-9a-zA-Z_-]{0,32}$")
# service_state transitions WeCom allows (kf/service_state/trans)
TRANSITIONS = {0: {1, 2, 3, 4}, 1: {2, 3, 4}, 2: {3, 4}, 3: {3, 4}, 4: set()}

Response = tuple[int, dict[str, str], bytes]


@dataclass
class _Customer:
    last_msg: float = 0.0
    sent: int = 0
    state: int = 0
    servicer: str = ""


@dataclass
class FakeKf:
    """WeCom's kf/* endpoints, in memory."""

    accounts: dict[str, str] = field(default_factory=lambda: {"wkfakekf0001": "以工代赈助手"})
    servicers: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # open_kfid → userid → status
    messages: list[dict[str, Any]] = field(default_factory=list)  # every msg_list entry, in order
    sent: list[dict[str, Any]] = field(default_factory=list)  # kf/send_msg bodies accepted
    welcomes: list[dict[str, Any]] = field(default_factory=list)  # kf/send_msg_on_event bodies
    refused: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)  # both kinds, in order
    sent_at: dict[str, float] = field(default_factory=dict)  # our msgid → when it arrived
    contact_ways: list[dict[str, str]] = field(default_factory=list)
    customers: dict[tuple[str, str], _Customer] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # welcome_code → (ext, at)
    clock_offset: float = 0.0
    _seq: Any = field(default_factory=lambda: itertools.count(1))

    open_kfid = "wkfakekf0001"

    def now(self) -> float:
        return time.time() + self.clock_offset

    # -- playing the customer --------------------------------------------------------------

    def announce(self) -> str:
        """A fresh callback Token (what a kf_msg_or_event callback carries)."""
        token = "ENC" + secrets.token_hex(16)
        self.tokens[token] = self.now()
        return token

    def customer_says(
        self,
        ext: str,
        text: str = "",
        *,
        menu_id: str = "",
        msgtype: str = "text",
        at: float | None = None,
        open_kfid: str | None = None,
    ) -> str:
        """A customer's message (origin 3); opens the 48-hour window and a budget of 5."""
        kfid = open_kfid or self.open_kfid
        when = self.now() if at is None else at
        customer = self.customers.setdefault((kfid, ext), _Customer())
        customer.last_msg, customer.sent = when, 0
        if customer.state == 4:
            customer.state = 0  # a message after the end opens a new session
        msgid = f"fakekfmsg{next(self._seq)}"
        item: dict[str, Any] = {
            "msgid": msgid,
            "open_kfid": kfid,
            "external_userid": ext,
            "send_time": int(when),
            "origin": 3,
            "msgtype": msgtype,
        }
        if msgtype == "text":
            item["text"] = {"content": text, **({"menu_id": menu_id} if menu_id else {})}
        else:
            item[msgtype] = {"media_id": f"fakemedia{next(self._seq)}"}
        self.messages.append(item)
        return msgid

    def enter_session(self, ext: str, *, scene: str = "", scene_param: str = "") -> str:
        """An enter_session event with a welcome_code valid 20 seconds; returns the code."""
        code = "WELCOME" + secrets.token_hex(8)
        self.codes[code] = (ext, self.now())
        self.customers.setdefault((self.open_kfid, ext), _Customer())
        self.messages.append(
            {
                "msgid": f"fakekfmsg{next(self._seq)}",
                "open_kfid": self.open_kfid,
                "send_time": int(self.now()),
                "origin": 4,
                "msgtype": "event",
                "event": {
                    "event_type": "enter_session",
                    "open_kfid": self.open_kfid,
                    "external_userid": ext,
                    "scene": scene,
                    "scene_param": scene_param,
                    "welcome_code": code,
                },
            }
        )
        return code

    def system_event(self, event: dict[str, Any]) -> None:
        self.messages.append(
            {
                "msgid": f"fakekfmsg{next(self._seq)}",
                "open_kfid": self.open_kfid,
                "send_time": int(self.now()),
                "origin": 4,
                "msgtype": "event",
                "event": {"open_kfid": self.open_kfid, **event},
            }
        )

    def set_state(self, ext: str, state: int, servicer: str = "") -> None:
        customer = self.customers.setdefault((self.open_kfid, ext), _Customer())
        customer.state, customer.servicer = state, servicer

    def state_of(self, ext: str) -> int:
        return self.customers.get((self.open_kfid, ext), _Customer()).state

    def texts_to(self, ext: str) -> list[str]:
        """What the customer read, in order: texts, menu heads, welcomes."""
        out = []
        for body in self.delivered:
            if body.get("touser", body.get("_to")) != ext:
                continue
            if body["msgtype"] == "text":
                out.append(body["text"]["content"])
            elif body["msgtype"] == "msgmenu":
                out.append(body["msgmenu"].get("head_content", ""))
        return out

    # -- the API ---------------------------------------------------------------------------

    def route(self, method: str, endpoint: str) -> Any:
        return {
            ("POST", "kf/sync_msg"): self._sync_msg,
            ("POST", "kf/send_msg"): self._send_msg,
            ("POST", "kf/send_msg_on_event"): self._send_msg_on_event,
            ("POST", "kf/service_state/get"): self._state_get,
            ("POST", "kf/service_state/trans"): self._state_trans,
            ("GET", "kf/servicer/list"): self._servicer_list,
            ("POST", "kf/add_contact_way"): self._add_contact_way,
            ("POST", "kf/account/list"): self._account_list,
        }.get((method, endpoint))

    def _sync_msg(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        kfid = str(body.get("open_kfid", ""))
        if kfid not in self.accounts:
            return _err(95000, "invalid open_kfid")
        token = str(body.get("token", ""))
        if token and (token not in self.tokens or self.now() - self.tokens[token] > TOKEN_TTL):
            return _err(95007, "invalid msg token")
        limit = body.get("limit", 1000)
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            return _err(40058, "invalid limit")
        cursor = str(body.get("cursor", "") or "c0")
        if not re.fullmatch(r"c\d+", cursor):
            return _err(40058, "invalid cursor")
        mine = [m for m in self.messages if m.get("open_kfid") == kfid]
        start = int(cursor[1:])
        page = mine[start : start + limit]
        end = start + len(page)
        return {"next_cursor": f"c{end}", "has_more": int(end < len(mine)), "msg_list": page}

    def _send_msg(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        kfid, ext = str(body.get("open_kfid", "")), str(body.get("touser", ""))
        if kfid not in self.accounts:
            return _err(95000, "invalid open_kfid")
        error = _check_content(body)
        if error is not None:
            return error
        customer = self.customers.get((kfid, ext))
        if customer is None or not customer.last_msg:
            return _err(40096, "invalid external userid")
        if customer.state in (2, 3, 4):
            return self._refuse(95018, "send msg session status invalid", body)
        if self.now() - customer.last_msg > WINDOW or customer.sent >= BUDGET:
            return self._refuse(95001, "send msg count limit", body)
        customer.sent += 1
        if customer.state == 0:
            customer.state = 1  # the API answering takes the new session
        self.sent.append(body)
        self.delivered.append(body)
        self.sent_at[str(body.get("msgid", ""))] = time.time()
        return {"msgid": body.get("msgid") or f"fakesent{next(self._seq)}"}

    def _refuse(self, code: int, msg: str, body: dict[str, Any]) -> dict[str, Any]:
        self.refused.append((code, body))
        return _err(code, msg)

    def _send_msg_on_event(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        code = str(body.get("code", ""))
        found = self.codes.pop(code, None)
        if found is None or self.now() - found[1] > WELCOME_TTL:
            return _err(95003, "invalid code (fake: code unknown, used or older than 20 s)")
        error = _check_content(body)
        if error is not None:
            self.codes[code] = found
            return error
        self.welcomes.append({**body, "_to": found[0]})
        self.delivered.append(self.welcomes[-1])
        return {"msgid": body.get("msgid") or f"fakesent{next(self._seq)}"}

    def _state_get(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        kfid = str(body.get("open_kfid", ""))
        if kfid not in self.accounts:
            return _err(95000, "invalid open_kfid")
        customer = self.customers.get((kfid, str(body.get("external_userid", ""))), _Customer())
        return {"service_state": customer.state, "servicer_userid": customer.servicer}

    def _state_trans(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        kfid = str(body.get("open_kfid", ""))
        if kfid not in self.accounts:
            return _err(95000, "invalid open_kfid")
        customer = self.customers.setdefault(
            (kfid, str(body.get("external_userid", ""))), _Customer()
        )
        new = body.get("service_state")
        if new not in TRANSITIONS or new not in TRANSITIONS[customer.state]:
            return _err(95016, "invalid service state change")
        servicer = str(body.get("servicer_userid", ""))
        if new == 3 and self.servicers.get(kfid, {}).get(servicer) != 0:
            return _err(95014, "servicer not on duty (fake errcode)")
        customer.state, customer.servicer = new, servicer if new == 3 else ""
        return {}

    def _servicer_list(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        kfid = query.get("open_kfid", "")
        if kfid not in self.accounts:
            return _err(95000, "invalid open_kfid")
        return {
            "servicer_list": [
                {"userid": u, "status": s} for u, s in self.servicers.get(kfid, {}).items()
            ]
        }

    def _add_contact_way(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        kfid = str(body.get("open_kfid", ""))
        if kfid not in self.accounts:
            return _err(95000, "invalid open_kfid")
        scene = str(body.get("scene", ""))
        if not SCENE.match(scene):
            return _err(40058, "invalid scene")
        url = f"https://work.weixin.qq.com/kf/kfcfake{kfid[-4:]}?enc_scene=ENC{scene}"
        self.contact_ways.append({"open_kfid": kfid, "scene": scene, "url": url})
        return {"url": url}

    def _account_list(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        return {
            "account_list": [
                {"open_kfid": k, "name": n, "avatar": ""} for k, n in self.accounts.items()
            ]
        }


def _check_content(body: dict[str, Any]) -> dict[str, Any] | None:
    msgtype = body.get("msgtype")
    if msgtype not in KF_MSGTYPES or not isinstance(body.get(msgtype), dict):
        return _err(40008, "invalid message type")
    part = body[msgtype]
    if msgtype == "text":
        content = part.get("content") or ""
        if not content:
            return _err(44004, "empty content")
        if len(content.encode()) > TEXT_LIMIT:
            return _err(45002, "content size out of limit")
    if msgtype == "msgmenu":
        for key in ("head_content", "tail_content"):
            if len(str(part.get(key, "")).encode()) > MENU_TEXT_LIMIT:
                return _err(45002, f"{key} size out of limit")
        if not isinstance(part.get("list"), list) or len(part["list"]) > 10:
            return _err(40058, "invalid menu list")
    return None


def _err(code: int, msg: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": msg}


def handle(fake: FakeKf, method: str, endpoint: str, query: dict[str, str], raw: bytes) -> Any:
    """Route a kf call; None when the endpoint is not a kf one we know."""
    route = fake.route(method, endpoint)
    if route is None:
        return None
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        return {"errcode": 40058, "errmsg": "Warning: wrong json format."}
    if not isinstance(body, dict):
        return {"errcode": 40058, "errmsg": "Warning: wrong json format."}
    return route(query, body)
