"""A thin WeCom HTTP client on httpx: timeouts, errcodes classified, token refreshed once."""

from __future__ import annotations

import enum
import logging
import mimetypes
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.tokens import AccessTokenManager, Clock, DbTokenStore, MemoryTokenStore, TokenStore
from models.base import utcnow

log = logging.getLogger(__name__)

NETWORK_ERROR = -1  # our own code for timeouts and 5xx: as retryable as WeCom's "system busy"
HTTP_ERROR = -2  # our own code for a non-JSON 4xx: usually a wrong WECOM_API_BASE


class ErrorKind(enum.StrEnum):
    RETRY = "retry"  # -1: a few times, with backoff
    RATE_LIMIT = "rate_limit"  # 45009/45033: again after a minute
    TOKEN = "token"  # refresh the token once, retry once
    CONFIG = "config"  # the operator must fix the setup; fail at once
    PERMANENT = "permanent"  # this message can never be delivered as it is


RATE_LIMIT_CODES = frozenset({45009, 45033})
TOKEN_CODES = frozenset({40001, 40014, 42001})

_SECRET_HINT = (
    "WECOM_SECRET 不正确：在管理后台 应用管理 → 本应用 → Secret 查看并更新"
    "（check WECOM_SECRET: the app's Secret）"
)

# How an operator fixes a setup error (Chinese, with the English gist).
CONFIG_HINTS: dict[int, str] = {
    HTTP_ERROR: "WeCom 接口返回非 JSON 的 HTTP 错误：检查 WECOM_API_BASE 与出口代理"
    "（check WECOM_API_BASE and the egress proxy）",
    40013: "WECOM_CORP_ID 不正确：在管理后台 我的企业 → 企业信息 底部复制企业ID"
    "（bad corp id: copy the CorpID from 我的企业 → 企业信息）",
    40056: "WECOM_AGENT_ID 不正确：在 应用管理 → 本应用 查看 AgentId（bad agent id）",
    40091: _SECRET_HINT,
    41004: "缺少 WECOM_SECRET：设置应用的 Secret（WECOM_SECRET is missing）",
    48002: "应用无此接口权限：在管理后台为本应用开通相应 API 权限（the app lacks this API permission）",
    60020: "服务器出口IP不在应用的「企业可信IP」中：在管理后台 应用管理 → 本应用 → 企业可信IP "
    "添加本机出口IP（untrusted IP: add the server's egress IP to the app's trusted IPs）",
    301002: "WECOM_AGENT_ID 与 WECOM_SECRET 不属于同一个应用：核对二者（agent id and secret "
    "belong to different apps）",
}

# Errors tied to one message: no retry helps; the hint says what to check.
PERMANENT_HINTS: dict[int, str] = {
    40003: "接收人 userid 无效：核对导入的企业微信账号（invalid userid）",
    40004: "媒体文件类型不被接受（invalid media type）",
    40005: "媒体文件类型参数不合法（invalid media kind）",
    40006: "媒体文件大小不合法（invalid media size）",
    40007: "media_id 无效或已过期（临时素材仅 3 天有效）（invalid or expired media_id）",
    40008: "消息类型不合法（invalid msgtype）",
    44004: "消息内容为空（empty content）",
    45002: "消息内容超过长度限制（content too long）",
    60011: "应用无权限给该接收人发消息：在 应用管理 → 本应用 → 可见范围 中加入该成员（no "
    "permission for this recipient）",
    81013: "接收人不在应用的可见范围或账号不存在：在 应用管理 → 本应用 → 可见范围 中加入该成员或其"
    "部门，并核对 userid（user not in the app's visible range）",
    93000: "群机器人 webhook 地址无效或机器人已被移出群：更新群机器人地址（invalid robot webhook）",
    # 微信客服 (bot/kf_api.py)
    95000: "open_kfid 无效：在 微信客服 → 客服账号 核对，或设置 WECOM_KF_OPEN_KFID（invalid open_kfid）",
    95001: "超出微信客服发送限制：客户发消息后48小时内最多5条（kf send quota exceeded）",
    95013: "会话已结束（kf session ended）",
    95016: "不允许这种会话状态转换（kf state change not allowed）",
    95018: "会话正由接待人员处理或在排队，应用不能发送（kf session state invalid）",
}


def classify(errcode: int) -> ErrorKind:
    """What to do about an errcode (SPEC §7: retry only −1 and 45009/45033)."""
    if errcode == NETWORK_ERROR:
        return ErrorKind.RETRY
    if errcode in RATE_LIMIT_CODES:
        return ErrorKind.RATE_LIMIT
    if errcode in TOKEN_CODES:
        return ErrorKind.TOKEN
    if errcode in CONFIG_HINTS:
        return ErrorKind.CONFIG
    return ErrorKind.PERMANENT


class WeComError(Exception):
    """A WeCom errcode (or a network failure, as −1), classified."""

    def __init__(
        self, errcode: int, errmsg: str, *, endpoint: str = "", kind: ErrorKind | None = None
    ) -> None:
        super().__init__(f"WeCom {endpoint or 'API'} errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.endpoint = endpoint
        self.kind = kind or classify(errcode)
        self.parts_sent = 0  # set by the sender when a split message failed half-way

    @property
    def retryable(self) -> bool:
        return self.kind in (ErrorKind.RETRY, ErrorKind.RATE_LIMIT, ErrorKind.TOKEN)

    @property
    def hint(self) -> str:
        """How to fix it, for operators (empty for transient errors)."""
        if self.kind is ErrorKind.CONFIG and self.errcode in TOKEN_CODES:
            return _SECRET_HINT
        return CONFIG_HINTS.get(self.errcode) or PERMANENT_HINTS.get(self.errcode, "")

    def describe(self) -> str:
        """One line for the outbox's last_error: code, WeCom's message and the fix."""
        text = f"{self.errcode} {self.errmsg}".strip()
        return f"{text}；处理：{self.hint}" if self.hint else text


class WeComClient:
    """The self-built app's API: every call goes to settings.wecom_api_base with a timeout.

    `store` shares the token between processes: a TokenStore, or a session factory for the
    database store; None keeps it in this process only.
    """

    def __init__(
        self,
        settings: Settings,
        store: TokenStore | sessionmaker[Session] | None = None,
        *,
        http: httpx.Client | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._base = settings.wecom_api_base.rstrip("/") + "/"
        self._timeout = httpx.Timeout(settings.http_timeout)
        self._http = http if http is not None else httpx.Client(timeout=self._timeout)
        self._owns_http = http is None
        self.corp_id = settings.corp_id
        self.agent_id = settings.agent_id
        self._secret = settings.wecom_secret or ""
        if isinstance(store, sessionmaker):
            store = DbTokenStore(store, clock=clock)
        self.tokens = AccessTokenManager(
            store if store is not None else MemoryTokenStore(clock=clock),
            f"{self.corp_id}:{self.agent_id}",
            self._fetch_token,
            clock=clock,
        )
        _install_log_redaction()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WeComClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- API ---------------------------------------------------------------------------------

    def get_token(self) -> str:
        """A valid access_token (cached; refreshed early, once, for every process)."""
        return self.tokens.get()

    def send_app_message(
        self,
        touser: str,
        msgtype: str,
        body: Mapping[str, Any],
        *,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """POST message/send; `body` is the part under the msgtype key, e.g. {"content": ...}."""
        message: dict[str, Any] = {
            "touser": touser,
            "msgtype": msgtype,
            "agentid": self.agent_id,
            msgtype: dict(body),
            **(options or {}),
        }
        return _json(self._authorized("POST", "message/send", json=message), "message/send")

    def upload_media(self, kind: str, filename: str, data: bytes) -> str:
        """POST media/upload (multipart); returns the media_id (valid 3 days)."""
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = self._authorized(
            "POST", "media/upload", params={"type": kind}, files={"media": (filename, data, ctype)}
        )
        return str(_json(response, "media/upload")["media_id"])

    def download_media(self, media_id: str) -> tuple[str, bytes]:
        """GET media/get: (filename, bytes); the filename comes from Content-Disposition."""
        response = self._authorized("GET", "media/get", params={"media_id": media_id})
        name = _disposition_filename(response.headers.get("content-disposition"))
        return name or media_id, response.content

    def webhook_send(self, url: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST to a group robot; `url` is the robot's webhook URL (or just its key)."""
        response = self._send("POST", "webhook/send", params={"key": robot_key(url)}, json=body)
        return _json(response, "webhook/send")

    # -- plumbing ----------------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, int]:
        params = {"corpid": self.corp_id, "corpsecret": self._secret}
        try:
            data = _json(self._send("GET", "gettoken", params=params), "gettoken")
        except WeComError as exc:
            if exc.kind is ErrorKind.TOKEN:  # 40001 here means a wrong secret
                raise WeComError(
                    exc.errcode, exc.errmsg, endpoint="gettoken", kind=ErrorKind.CONFIG
                ) from exc
            raise
        return str(data["access_token"]), int(data.get("expires_in", 7200))

    def _authorized(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Call with the access_token; on a token error refresh once and retry once."""
        token = self.tokens.get()
        response = self._send(
            method, path, params={**(params or {}), "access_token": token}, **kwargs
        )
        error = _error_of(response, path)
        if error is not None and error.kind is ErrorKind.TOKEN:
            log.info("WeCom %s: token rejected (%s), refreshing once", path, error.errcode)
            self.tokens.invalidate(token)
            token = self.tokens.get()
            response = self._send(
                method, path, params={**(params or {}), "access_token": token}, **kwargs
            )
            error = _error_of(response, path)
        if error is not None:
            raise error
        return response

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(
                method, self._base + path, timeout=self._timeout, **kwargs
            )
        except httpx.TimeoutException as exc:
            raise WeComError(
                NETWORK_ERROR, f"timeout ({type(exc).__name__})", endpoint=path
            ) from exc
        except httpx.TransportError as exc:
            raise WeComError(
                NETWORK_ERROR, f"network ({type(exc).__name__})", endpoint=path
            ) from exc
        if response.status_code >= 500:
            raise WeComError(NETWORK_ERROR, f"HTTP {response.status_code}", endpoint=path)
        return response


def robot_key(url: str) -> str:
    """The `key` of a group-robot webhook URL; a bare key is returned as it is."""
    if "://" not in url and "?" not in url:
        return url
    keys = parse_qs(urlsplit(url).query).get("key")
    if not keys:
        raise WeComError(93000, "webhook url has no key", endpoint="webhook/send")
    return keys[0]


def _error_of(response: httpx.Response, endpoint: str) -> WeComError | None:
    """The errcode in a reply, if any; binary replies (media/get) are not errors."""
    ctype = response.headers.get("content-type", "")
    looks_json = "json" in ctype or "text/plain" in ctype or response.content[:1] == b"{"
    if response.status_code >= 400 and not looks_json:
        return WeComError(HTTP_ERROR, f"HTTP {response.status_code}", endpoint=endpoint)
    if not looks_json or "content-disposition" in response.headers:
        return None
    try:
        data = response.json()
    except ValueError:
        return WeComError(HTTP_ERROR, "reply is not JSON", endpoint=endpoint)
    errcode = int(data.get("errcode", 0)) if isinstance(data, dict) else 0
    if errcode != 0:
        return WeComError(errcode, str(data.get("errmsg", "")), endpoint=endpoint)
    return None


def _json(response: httpx.Response, endpoint: str) -> dict[str, Any]:
    error = _error_of(response, endpoint)
    if error is not None:
        raise error
    try:
        data = response.json()
    except ValueError as exc:
        raise WeComError(HTTP_ERROR, "reply is not JSON", endpoint=endpoint) from exc
    if not isinstance(data, dict):
        raise WeComError(HTTP_ERROR, "reply is not a JSON object", endpoint=endpoint)
    return data


def _disposition_filename(header: str | None) -> str:
    """filename* (RFC 5987) or filename of a Content-Disposition header, without directories."""
    if not header:
        return ""
    extended = _FILENAME_EXT.search(header)
    if extended:
        charset, _, value = extended.group(1).strip().strip('"').partition("''")
        try:
            name = unquote(value, encoding=charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name
            name = unquote(value)
    else:
        plain = _FILENAME.search(header)
        name = unquote(plain.group(1) or plain.group(2)) if plain else ""
    return PurePosixPath(name.replace("\\", "/")).name


_FILENAME_EXT = re.compile(r"filename\*\s*=\s*([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r"filename\s*=\s*(?:\"([^\"]*)\"|([^;\s]+))", re.IGNORECASE)
_SECRET_PARAMS = re.compile(r"((?:access_token|corpsecret|key)=)[^&\s\"']+")


class _RedactSecrets(logging.Filter):
    """httpx logs request URLs at INFO; WeCom puts secrets in the query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_PARAMS.sub(r"\1***", str(a)) if isinstance(a, httpx.URL | str) else a
                for a in record.args
            )
        return True


def _install_log_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
        logger.addFilter(_RedactSecrets())
