"""What every page shares: templates, the signed-in viewer, CSRF, and a handler context.

A page is a plain sync route (run in FastAPI's thread pool) that asks `viewer()` who is
signing in, opens one database session, and calls the same functions as chat and CLI.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Principal
from bot.settings import Settings
from models import Role
from web.tokens import SESSION_COOKIE, BadToken, WebSession, read_session

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
ROLE_NAMES = {"admin": "管理员", "liaison": "项目联系人", "worker": "务工人员", "guest": "访客"}


class PageError(Exception):
    """A refusal shown as a page: a Chinese message and a 4xx status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NeedSignIn(Exception):
    """No valid session: GET pages send the browser to sign in again."""


def services_of(request: Request) -> Any:
    return request.app.state.services


def settings_of(request: Request) -> Settings:
    return services_of(request).settings  # type: ignore[no-any-return]


@dataclass
class Viewer:
    """The signed-in person of one request, resolved afresh from the database."""

    web: WebSession
    principal: Principal

    @property
    def role(self) -> str:
        return str(self.principal.role)


def viewer(request: Request, db: Session) -> Viewer:
    """Who holds the session cookie; roles come from the same resolution as chat."""
    from domain.access import resolve_principal

    settings = settings_of(request)
    try:
        web = read_session(settings, request.cookies.get(SESSION_COOKIE))
    except BadToken:
        raise NeedSignIn() from None
    if web.link_only:  # a wage link: the worker it names, nothing else
        return Viewer(
            web,
            Principal(userid=f"link:{web.worker_id}", role=Role.WORKER, worker_id=web.worker_id),
        )
    return Viewer(web, resolve_principal(db, web.userid))


def require_role(v: Viewer, *roles: Role, what: str) -> None:
    if v.principal.role not in roles:
        who = "、".join(ROLE_NAMES[str(r)] for r in roles)
        raise PageError(403, f"没有权限：“{what}”仅限{who}使用。")


def check_csrf(v: Viewer, form_token: object) -> None:
    """Every POST carries the session's CSRF token (a page of ours put it in the form)."""
    if not isinstance(form_token, str) or not hmac.compare_digest(form_token, v.web.csrf):
        raise PageError(
            403, "页面已过期或来源不明（CSRF 校验失败），没有执行任何操作。请返回重新打开页面。"
        )


@contextmanager
def database(request: Request) -> Iterator[Session]:
    with services_of(request).session_factory() as db:
        yield db


def handler_context(
    request: Request, db: Session, v: Viewer, channel: str = "web"
) -> HandlerContext:
    settings = settings_of(request)
    return HandlerContext(
        session=db,
        user=v.principal,
        now=datetime.now(settings.tz),
        settings=settings,
        channel=channel,
        services=services_of(request),
    )


def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(role_names=ROLE_NAMES, **values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'",
}


def error_page(exc: PageError, v: Viewer | None = None) -> HTMLResponse:
    return render("error.html", status=exc.status, message=exc.message, viewer=v)


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/web/login?next={quote(target)}", status_code=303)
