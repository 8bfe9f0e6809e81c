"""A local fake of the WeCom HTTP API (errcodes included) and its pytest fixtures."""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import mimetypes
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pytest

from bot.settings import Settings
from tests.fake_kf import FakeKf
from tests.fake_kf import handle as kf_handle

TEXT_LIMIT = 2048
ROBOT_MARKDOWN_LIMIT = 4096
APP_MSGTYPES = frozenset(
    {"text", "markdown", "image", "voice", "video", "file", "textcard", "news", "mpnews",
     "template_card", "miniprogram_notice"}
)  # fmt: skip
MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})
OAUTH_CODE_SECONDS = 300  # an OAuth2 code lives five minutes and is used once
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

Response = tuple[int, dict[str, str], bytes]


@dataclass
class _Injected:
    errcode: int | None
    errmsg: str
    times: int
    after: int
    delay: float = 0.0


class FakeWeCom:
    """WeCom as seen from our server: gettoken, message/send, media, group robots."""

    corp_id = "wwfakecorp00000001"
    secret = "fake-app-secret"
    agent_id = 1000002

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeWeCom:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        """Forget everything: tokens, media, recorded calls, injected failures."""
        with self._lock:
            self.token_calls = 0
            self.calls: list[str] = []
            self.messages: list[dict[str, Any]] = []
            self.dropped: list[dict[str, Any]] = []  # accepted but not delivered: duplicates
            self._recent: dict[str, float] = {}  # duplicate-check key → when it was delivered
            self.webhooks: list[tuple[str, dict[str, Any]]] = []
            self.uploads: list[dict[str, Any]] = []
            self.users: set[str] | None = None  # the app's visible range; None: everybody
            self.robot_keys: set[str] | None = None  # valid robot keys; None: any key
            self._tokens: set[str] = set()
            self._expired: set[str] = set()
            self._media: dict[str, tuple[str, bytes]] = {}
            self._injected: dict[str, list[_Injected]] = {}
            self._seq = itertools.count(1)
            # OAuth2 网页授权: who is using the WeCom client, and the codes issued to them
            self.signed_in: str | None = None  # a member's userid; None: nobody
            self.trusted_domain: str | None = None  # 可信域名; None: any host
            self._codes: dict[str, tuple[str, float]] = {}  # code -> (userid, expires)
            self.clock = time.time
            self.kf = FakeKf()  # 微信客服 endpoints (tests/fake_kf.py)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "fake WeCom is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}/cgi-bin/"

    def settings(self, **overrides: Any) -> Settings:
        """Settings pointing at this fake, outside sandbox mode."""
        values: dict[str, Any] = {
            "database_url": "sqlite://",
            "wecom_corp_id": self.corp_id,
            "wecom_agent_id": self.agent_id,
            "wecom_secret": self.secret,
            "wecom_token": "fakeToken",
            "wecom_aes_key": "a" * 43,
            "wecom_api_base": self.base_url,
            "data_key": "fake-data-key-for-tests-0123456789abcdef",
            "http_timeout": 2.0,
        }
        values.update(overrides)
        return Settings(**values)

    # -- injection ---------------------------------------------------------------------------

    def fail_next(
        self, endpoint: str, errcode: int, *, times: int = 1, after: int = 0, errmsg: str = ""
    ) -> None:
        """The next `times` calls of `endpoint` (after `after` normal ones) answer `errcode`."""
        with self._lock:
            self._injected.setdefault(endpoint, []).append(
                _Injected(errcode, errmsg or f"injected {errcode}", times, after)
            )

    def delay_next(self, endpoint: str, seconds: float, *, times: int = 1) -> None:
        """The next `times` calls of `endpoint` answer only after `seconds` (timeouts)."""
        with self._lock:
            self._injected.setdefault(endpoint, []).append(_Injected(None, "", times, 0, seconds))

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001 from now on."""
        with self._lock:
            self._expired |= self._tokens

    def add_media(self, media_id: str, filename: str, data: bytes) -> None:
        with self._lock:
            self._media[media_id] = (filename, data)

    def issue_code(self, userid: str) -> str:
        """A code as WeCom gives it after 网页授权 of `userid` (a member), or of an outsider
        when `userid` starts with "openid:"."""
        code = f"fake-code-{next(self._seq)}-{int(self.clock())}"
        with self._lock:
            self._codes[code] = (userid, self.clock() + OAUTH_CODE_SECONDS)
        return code

    @property
    def authorize_url(self) -> str:
        return self.base_url.removesuffix("cgi-bin/") + "connect/oauth2/authorize"

    def texts(self, touser: str | None = None) -> list[str]:
        """Contents of the text/markdown app messages received, in order."""
        return [
            m[m["msgtype"]]["content"]
            for m in self.messages
            if m["msgtype"] in ("text", "markdown") and touser in (None, m["touser"])
        ]

    # -- the API -----------------------------------------------------------------------------

    def handle(
        self, method: str, endpoint: str, query: dict[str, str], headers: Any, body: bytes
    ) -> Response:
        routes = {
            ("GET", "gettoken"): self._gettoken,
            ("POST", "message/send"): self._message_send,
            ("POST", "media/upload"): self._media_upload,
            ("GET", "media/get"): self._media_get,
            ("POST", "webhook/send"): self._webhook_send,
            ("GET", "auth/getuserinfo"): self._auth_getuserinfo,
        }
        if (method, endpoint) == ("GET", "/connect/oauth2/authorize"):
            return self._authorize(query)
        route = routes.get((method, endpoint))
        if route is None and self.kf.route(method, endpoint) is not None:

            def route(query: dict[str, str], headers: Any, body: bytes) -> Response:
                return self._kf(method, endpoint, query, body)

        if route is None:
            return 404, {"Content-Type": "text/html"}, b"<html>404 Not Found</html>"
        injected = self._take_injected(endpoint)
        with self._lock:
            self.calls.append(endpoint)
        if injected is not None:
            time.sleep(injected.delay)
            if injected.errcode is not None:
                return _error(injected.errcode, injected.errmsg)
        with self._lock:
            if endpoint not in ("gettoken", "webhook/send"):
                denied = self._check_token(query.get("access_token"))
                if denied is not None:
                    return denied
            return route(query, headers, body)

    def _take_injected(self, endpoint: str) -> _Injected | None:
        with self._lock:
            queue = self._injected.get(endpoint, [])
            if not queue:
                return None
            head = queue[0]
            if head.after > 0:
                head.after -= 1
                return None
            head.times -= 1
            if head.times <= 0:
                queue.pop(0)
            return head

    def _check_token(self, token: str | None) -> Response | None:
        if not token:
            return _error(41001, "access_token missing")
        if token not in self._tokens:
            return _error(40014, "invalid access_token")
        if token in self._expired:
            return _error(42001, "access_token expired")
        return None

    def _gettoken(self, query: dict[str, str], headers: Any, body: bytes) -> Response:
        self.token_calls += 1
        if query.get("corpid") != self.corp_id:
            return _error(40013, "invalid corpid")
        if query.get("corpsecret") != self.secret:
            return _error(40001, "invalid credential")
        token = f"fake-token-{next(self._seq)}"
        self._tokens.add(token)
        return _ok({"access_token": token, "expires_in": 7200})

    def _message_send(self, query: dict[str, str], headers: Any, body: bytes) -> Response:
        try:
            msg = json.loads(body)
        except ValueError:
            return _error(40058, "Warning: wrong json format.")
        if msg.get("agentid") != self.agent_id:
            return _error(40056, "invalid agentid")
        msgtype = msg.get("msgtype")
        if msgtype not in APP_MSGTYPES or not isinstance(msg.get(msgtype), dict):
            return _error(40008, "invalid message type")
        part = msg[msgtype]
        if msgtype in ("text", "markdown"):
            content = part.get("content") or ""
            if not content:
                return _error(44004, "empty content")
            if len(content.encode()) > TEXT_LIMIT:
                return _error(45002, "content size out of limit")
        if msgtype in MEDIA_KINDS and part.get("media_id") not in self._media:
            return _error(40007, "invalid media_id")
        users = [u for u in str(msg.get("touser") or "").split("|") if u]
        valid = users if self.users is None else [u for u in users if u in self.users]
        if not valid:
            return _error(81013, "user & party & tag all invalid")
        # enable_duplicate_check: the same message to the same users within the interval
        # (default 1800 s, at most 4 h) is answered ok and not delivered again
        key = json.dumps([msg.get("touser"), msgtype, part], sort_keys=True, ensure_ascii=False)
        now = time.monotonic()
        interval = min(int(msg.get("duplicate_check_interval") or 1800), 4 * 3600)
        if msg.get("enable_duplicate_check") == 1 and now - self._recent.get(key, -1e9) < interval:
            self.dropped.append(msg)
            return _ok({"invaliduser": "", "msgid": f"fake-msg-{next(self._seq)}"})
        self._recent[key] = now
        self.messages.append(msg)
        invalid = "|".join(u for u in users if u not in valid)
        return _ok({"invaliduser": invalid, "msgid": f"fake-msg-{next(self._seq)}"})

    def _kf(self, method: str, endpoint: str, query: dict[str, str], body: bytes) -> Response:
        answer = kf_handle(self.kf, method, endpoint, query, body)
        if "errcode" in answer and answer["errcode"]:
            return _error(answer["errcode"], answer["errmsg"])
        return _ok({k: v for k, v in answer.items() if k != "errcode"})

    def _media_upload(self, query: dict[str, str], headers: Any, body: bytes) -> Response:
        kind = query.get("type", "")
        if kind not in MEDIA_KINDS:
            return _error(40005, "invalid media type")
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        form = parser.parsebytes(
            f"Content-Type: {headers.get('Content-Type', '')}\r\n\r\n".encode() + body
        )
        for part in form.iter_parts() if form.is_multipart() else []:
            if part.get_param("name", header="content-disposition") == "media":
                raw = part.get_payload(decode=True)
                data = raw if isinstance(raw, bytes) else b""
                filename = part.get_filename() or "media"
                break
        else:
            return _error(41005, "media data missing")
        if len(data) < 5:
            return _error(40006, "invalid file size")
        media_id = f"fake-media-{next(self._seq)}"
        self._media[media_id] = (filename, data)
        self.uploads.append(
            {"type": kind, "filename": filename, "data": data, "media_id": media_id}
        )
        return _ok({"type": kind, "media_id": media_id, "created_at": str(int(time.time()))})

    def _media_get(self, query: dict[str, str], headers: Any, body: bytes) -> Response:
        media = self._media.get(query.get("media_id", ""))
        if media is None:
            return _error(40007, "invalid media_id")
        filename, data = media
        ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
        return (
            200,
            {
                "Content-Type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
                "Content-Disposition": f'attachment; filename="{ascii_name}"; '
                f"filename*=UTF-8''{quote(filename)}",
            },
            data,
        )

    def _authorize(self, query: dict[str, str]) -> Response:
        """open.weixin.qq.com/connect/oauth2/authorize: the WeCom client signs the member in
        silently (snsapi_base) and redirects to redirect_uri with code and state."""
        redirect = query.get("redirect_uri", "")
        problem = ""
        if query.get("appid") != self.corp_id:
            problem = "appid 参数错误（应为企业的 CorpID）"
        elif query.get("response_type") != "code":
            problem = "response_type 参数错误"
        elif query.get("scope") not in ("snsapi_base", "snsapi_privateinfo"):
            problem = "scope 参数错误"
        elif not redirect.startswith(("http://", "https://")):
            problem = "redirect_uri 参数错误"
        elif self.trusted_domain and urlsplit(redirect).hostname != self.trusted_domain:
            problem = "redirect_uri 需与后台配置的可信域名一致（errcode 50001）"
        elif query.get("agentid") != str(self.agent_id):
            problem = "agentid 参数错误"
        elif self.signed_in is None:
            problem = "请在企业微信客户端打开链接"
        if problem:
            page = f"<html><body><h4>{problem}</h4></body></html>".encode()
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page
        code = self.issue_code(self.signed_in)  # type: ignore[arg-type]
        sep = "&" if "?" in redirect else "?"
        params = {"code": code, **({"state": query["state"]} if "state" in query else {})}
        return 302, {"Location": redirect + sep + urlencode(params)}, b""

    def _auth_getuserinfo(self, query: dict[str, str], headers: Any, body: bytes) -> Response:
        code = query.get("code", "")
        if not code:
            return _error(41008, "missing code")
        issued = self._codes.pop(code, None)  # used once, whatever the outcome
        if issued is None or issued[1] < self.clock():
            return _error(40029, "invalid code")
        userid = issued[0]
        if userid.startswith("openid:"):  # not a member of the corp
            return _ok({"openid": userid.removeprefix("openid:")})
        return _ok({"userid": userid})

    def _webhook_send(self, query: dict[str, str], headers: Any, body: bytes) -> Response:
        key = query.get("key", "")
        if not key or (self.robot_keys is not None and key not in self.robot_keys):
            return _error(93000, "invalid webhook url")
        try:
            msg = json.loads(body)
        except ValueError:
            return _error(40058, "Warning: wrong json format.")
        msgtype = msg.get("msgtype")
        if not isinstance(msg.get(msgtype), dict):
            return _error(40008, "invalid message type")
        if msgtype in ("text", "markdown"):
            content = msg[msgtype].get("content") or ""
            limit = ROBOT_MARKDOWN_LIMIT if msgtype == "markdown" else TEXT_LIMIT
            if not content:
                return _error(44004, "empty content")
            if len(content.encode()) > limit:
                return _error(45002, "content size out of limit")
        self.webhooks.append((key, msg))
        return _ok({})


def _ok(data: dict[str, Any]) -> Response:
    return _json({"errcode": 0, "errmsg": "ok", **data})


def _error(errcode: int, errmsg: str) -> Response:
    return _json({"errcode": errcode, "errmsg": f"{errmsg}, hint: [fake]"})


def _json(data: dict[str, Any]) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode()
    return 200, {"Content-Type": "application/json; charset=UTF-8"}, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive + Nagle + delayed ACK = 40 ms a call
    fake: FakeWeCom

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        endpoint = url.path.removeprefix("/cgi-bin/")
        status, headers, payload = self.fake.handle(method, endpoint, query, self.headers, body)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left: as with the real server, nobody hears it


class _LocalOnlyTransport(httpx.HTTPTransport):
    """Refuses any host but this machine: tests never reach the internet."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host not in LOCAL_HOSTS:
            raise RuntimeError(f"test tried to reach {request.url.host}")
        return super().handle_request(request)


def offline_http(timeout: float = 2.0) -> httpx.Client:
    """An httpx client that only talks to 127.0.0.1, ignoring proxy settings."""
    return httpx.Client(transport=_LocalOnlyTransport(), timeout=timeout, trust_env=False)


@pytest.fixture(scope="session")
def fake_wecom_server() -> Iterator[FakeWeCom]:
    """One fake server for the whole session."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        mp.setenv("no_proxy", "127.0.0.1,localhost")
        fake = FakeWeCom().start()
        try:
            yield fake
        finally:
            fake.stop()


@pytest.fixture
def fake_wecom(fake_wecom_server: FakeWeCom) -> Iterator[FakeWeCom]:
    """The running fake, reset before and after each test."""
    fake_wecom_server.reset()
    yield fake_wecom_server
    fake_wecom_server.reset()
