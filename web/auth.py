"""Signing in: WeCom OAuth2 网页授权 (snsapi_base), single-use wage links, sandbox sign-in."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Contact, WebLinkUse, Worker
from web.core import (
    PageError,
    database,
    render,
    services_of,
    settings_of,
)
from web.tokens import (
    LINK_SESSION_SECONDS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    STATE_COOKIE,
    STATE_SECONDS,
    BadToken,
    authorize_url,
    base_url,
    check_state,
    make_session,
    make_state,
    read_link_token,
)

log = logging.getLogger(__name__)
router = APIRouter()

ERR_INVALID_CODE = 40029
SANDBOX_USERS_SHOWN = 40


def _safe_next(target: str | None) -> str:
    """Only our own pages: an open redirect would make a phishing link of the sign-in."""
    if not target or not target.startswith("/web/") or target.startswith("//") or "\\" in target:
        return "/web/"
    return target


def _cookie_args(request: Request, max_age: int) -> dict[str, Any]:
    # Secure: WeCom only opens https pages (browsers also keep Secure cookies from
    # http://127.0.0.1 and localhost). Sandbox mode over plain http (a newcomer opening
    # http://<LAN address>:8000/web/) would otherwise loop on sign-in; it holds no real data.
    secure = not (settings_of(request).sandbox and request.url.scheme == "http")
    return {
        "max_age": max_age,
        "httponly": True,
        "secure": secure,
        "samesite": "lax",
        "path": "/web/",
    }


def start_session(request: Request, response: Response, **who: Any) -> None:
    seconds = LINK_SESSION_SECONDS if "worker_id" in who else SESSION_SECONDS
    token = make_session(settings_of(request), seconds=seconds, **who)
    response.set_cookie(SESSION_COOKIE, token, **_cookie_args(request, seconds))
    response.delete_cookie(STATE_COOKIE, path="/web/")


@router.get("/login")
def login(request: Request, next: str | None = None) -> Response:  # noqa: A002
    settings = settings_of(request)
    target = _safe_next(next)
    state, cookie = make_state(settings)
    if settings.sandbox:
        with database(request) as db:
            users = _sandbox_users(db)
        response: Response = render(
            "sandbox_login.html", users=users, state=state, next=target, viewer=None
        )
    else:
        redirect_uri = base_url(settings, str(request.base_url)) + "/web/oauth?next=" + target
        response = RedirectResponse(authorize_url(settings, redirect_uri, state), status_code=303)
    response.set_cookie(STATE_COOKIE, cookie, **_cookie_args(request, STATE_SECONDS))
    return response


def _sandbox_users(db: Any) -> list[tuple[str, str, str]]:
    """(userid, name, role label) of the contacts and bound workers: the demo county's people."""
    rows: list[tuple[str, str, str]] = []
    for c in db.scalars(
        select(Contact).order_by(Contact.role, Contact.userid).limit(SANDBOX_USERS_SHOWN)
    ):
        rows.append((c.userid, c.name, "管理员" if c.role == "admin" else "项目联系人"))
    workers = select(Worker).where(Worker.wecom_userid.is_not(None)).order_by(Worker.wecom_userid)
    for w in db.scalars(workers.limit(SANDBOX_USERS_SHOWN)):
        rows.append((w.wecom_userid, w.name, "务工人员"))
    return rows


@router.post("/sandbox-login")
def sandbox_login(
    request: Request,
    userid: str = Form(...),
    state: str = Form(""),
    next: str = Form("/web/"),  # noqa: A002
) -> Response:
    """Sandbox mode only: sign in as any demo user. Outside sandbox this route does not exist."""
    settings = settings_of(request)
    if not settings.sandbox:
        raise PageError(404, "页面不存在。")
    try:
        check_state(settings, state, request.cookies.get(STATE_COOKIE))
    except BadToken:
        raise PageError(403, "登录页面已过期或来源不明，请重新打开登录页。") from None
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, userid=userid.strip()[:64])
    return response


@router.get("/oauth")
def oauth_callback(
    request: Request,
    code: str = "",
    state: str = "",
    next: str | None = None,  # noqa: A002
) -> Response:
    """WeCom redirects here with `code` and the `state` we gave: code → auth/getuserinfo → userid."""
    settings = settings_of(request)
    if settings.sandbox:
        raise PageError(404, "沙箱模式没有企业微信登录，请从 /web/login 选择示范用户。")
    try:
        check_state(settings, state, request.cookies.get(STATE_COOKIE))
    except BadToken:
        log.warning("oauth: state refused")
        raise PageError(
            403, "登录请求来源不明或已超时（state 校验失败），请从应用主页重新打开。"
        ) from None
    if not code:
        raise PageError(403, "企业微信没有给出授权码，请从应用主页重新打开。")
    userid = _userid_of_code(request, code)
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, userid=userid)
    return response


def _userid_of_code(request: Request, code: str) -> str:
    from bot.wecom_api import WeComError, _json

    client = _wecom_client(request)
    try:
        # auth/getuserinfo is not in WeComClient yet; its token handling is reused as is.
        data = _json(
            client._authorized("GET", "auth/getuserinfo", params={"code": code[:512]}),
            "auth/getuserinfo",
        )
    except WeComError as exc:
        if exc.errcode == ERR_INVALID_CODE:
            raise PageError(
                403, "授权码无效、已使用或已过期（40029），请从应用主页重新打开。"
            ) from None
        log.warning("oauth: auth/getuserinfo failed: %s", exc.describe())
        raise PageError(502, "暂时无法向企业微信确认您的身份，请稍后再试。") from None
    userid = data.get("userid") or data.get("UserId")
    if not isinstance(userid, str) or not userid:
        raise PageError(
            403, "仅限本企业成员使用。企业外的务工人员请通过微信客服发送“查工资”获取链接。"
        )
    return userid


def _wecom_client(request: Request) -> Any:
    from bot.redis_support import token_store
    from bot.wecom_api import WeComClient

    services = services_of(request)
    if services.wecom is None:
        services.wecom = WeComClient(services.settings, token_store(services))
    return services.wecom


@router.get("/link/{token}")
def open_link(request: Request, token: str) -> Response:
    """A worker's signed wage link: valid once, before it expires, for that worker only."""
    settings = settings_of(request)
    try:
        worker_id, jti = read_link_token(settings, token)
    except BadToken as exc:
        reason = "已过期" if str(exc) == "expired" else "无效"
        raise PageError(
            403, f"这个链接{reason}。请在微信客服里再发送“工资页”获取新链接。"
        ) from None
    with database(request) as db:
        if db.get(Worker, worker_id) is None:
            raise PageError(403, "这个链接无效。请在微信客服里再发送“工资页”获取新链接。")
        db.add(WebLinkUse(jti=jti, worker_id=worker_id, used_at=datetime.now(UTC)))
        try:
            db.commit()
        except IntegrityError:
            raise PageError(
                403,
                "这个链接已经用过了（每个链接只能打开一次）。请在微信客服里再发送“工资页”获取新链接。",
            ) from None
    response = RedirectResponse("/web/wages", status_code=303)
    start_session(request, response, worker_id=worker_id)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/web/signed-out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/web/")
    return response


@router.get("/signed-out")
def signed_out(request: Request) -> Response:
    return render(
        "error.html", status=200, message="已退出。从企业微信应用主页可再次进入。", viewer=None
    )
