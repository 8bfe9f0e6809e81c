"""Signed tokens of the pages: session cookies, OAuth2 state, CSRF and single-use wage links.

In bot/ (below handlers) so the chat can hand a 微信客服 worker their wage link; web/ uses it
through web/tokens.py.

Everything is HMAC-SHA256 over a compact JSON payload, with a key derived from YIGONG_DATA_KEY
for each purpose, so a token made for one purpose never passes as another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.settings import Settings

SESSION_SECONDS = 2 * 3600  # a session cookie lives two hours
LINK_SECONDS = 72 * 3600  # a wage link sent to a 微信客服 customer: three days, once
LINK_SESSION_SECONDS = 30 * 60  # the session a wage link opens: half an hour, wage page only
STATE_SECONDS = 10 * 60  # from the redirect to WeCom until the code comes back


class BadToken(ValueError):
    """A token that is forged, expired or made for something else."""


def _key(settings: Settings, purpose: str) -> bytes:
    return hmac.new(
        settings.effective_data_key.encode(), b"yigong-web:" + purpose.encode(), hashlib.sha256
    ).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(settings: Settings, purpose: str, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    mac = _b64(hmac.new(_key(settings, purpose), body.encode(), hashlib.sha256).digest())
    return f"{body}.{mac}"


def unsign(
    settings: Settings, purpose: str, token: str, *, now: float | None = None
) -> dict[str, Any]:
    """The payload of a token signed for `purpose` whose `exp` has not passed."""
    body, _, mac = (token or "").partition(".")
    if not body or not mac or len(token) > 4096:
        raise BadToken("malformed")
    want = _b64(hmac.new(_key(settings, purpose), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, mac):
        raise BadToken("bad signature")
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        raise BadToken("malformed") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int | float):
        raise BadToken("malformed")
    if payload["exp"] < (time.time() if now is None else now):
        raise BadToken("expired")
    return payload


@dataclass(frozen=True)
class WebSession:
    """Who holds a session: a WeCom userid, or (from a wage link) only a worker id."""

    userid: str
    worker_id: int | None
    csrf: str
    exp: int

    @property
    def link_only(self) -> bool:
        return not self.userid


SESSION_COOKIE = "yg_session"
STATE_COOKIE = "yg_oauth_state"


def make_session(
    settings: Settings,
    *,
    userid: str = "",
    worker_id: int | None = None,
    seconds: int = SESSION_SECONDS,
    now: float | None = None,
) -> str:
    issued = int(time.time() if now is None else now)
    payload = {"u": userid, "w": worker_id, "c": secrets.token_urlsafe(16), "exp": issued + seconds}
    return sign(settings, "session", payload)


def read_session(settings: Settings, cookie: str | None, *, now: float | None = None) -> WebSession:
    payload = unsign(settings, "session", cookie or "", now=now)
    userid, worker, csrf = payload.get("u"), payload.get("w"), payload.get("c")
    if not isinstance(userid, str) or not isinstance(csrf, str):
        raise BadToken("malformed")
    if not userid and not isinstance(worker, int):
        raise BadToken("malformed")
    return WebSession(
        userid, worker if isinstance(worker, int) else None, csrf, int(payload["exp"])
    )


def make_state(settings: Settings, *, now: float | None = None) -> tuple[str, str]:
    """(state for the authorize URL, cookie binding it to this browser)."""
    nonce = secrets.token_urlsafe(18)
    issued = int(time.time() if now is None else now)
    return nonce, sign(settings, "state", {"n": nonce, "exp": issued + STATE_SECONDS})


def check_state(settings: Settings, state: str | None, cookie: str | None) -> None:
    """The `state` WeCom sent back must be the one this browser was given (CSRF of login)."""
    payload = unsign(settings, "state", cookie or "")
    if not state or not hmac.compare_digest(str(payload.get("n", "")), state):
        raise BadToken("state mismatch")


def authorize_url(settings: Settings, redirect_uri: str, state: str) -> str:
    """WeCom OAuth2 网页授权 (snsapi_base: silent, gives the member's userid)."""
    query = urlencode(
        {
            "appid": settings.corp_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": settings.agent_id,
        }
    )
    return f"{settings.oauth_authorize_url}?{query}#wechat_redirect"


def make_link_token(
    settings: Settings, worker_id: int, *, seconds: int = LINK_SECONDS, now: float | None = None
) -> str:
    issued = int(time.time() if now is None else now)
    payload = {"w": int(worker_id), "j": secrets.token_urlsafe(18), "exp": issued + seconds}
    return sign(settings, "wage-link", payload)


def read_link_token(settings: Settings, token: str, *, now: float | None = None) -> tuple[int, str]:
    """(worker id, jti) of a valid wage link; its single use is checked in the database."""
    payload = unsign(settings, "wage-link", token, now=now)
    worker, jti = payload.get("w"), payload.get("j")
    if not isinstance(worker, int) or not isinstance(jti, str):
        raise BadToken("malformed")
    return worker, jti


def base_url(settings: Settings, fallback: str = "") -> str:
    return (settings.public_url or fallback).rstrip("/")


def make_wage_link(settings: Settings, worker_id: int, *, now: float | None = None) -> str:
    """The URL a 微信客服 worker opens to see their own wage page: signed, expires in three
    days, works once (it then opens a half-hour session limited to that worker's page).

    Needs YIGONG_PUBLIC_URL (the https address the county published); without it the link
    is relative, which only works in tests and sandbox mode.
    """
    token = make_link_token(settings, worker_id, now=now)
    return f"{base_url(settings)}/web/link/{token}"
