"""Pages opened inside WeCom (the app's homepage and links the bot sends), all under /web/.

`mount(app)` adds them to the FastAPI app; `make_wage_link` is for the 微信客服 channel.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from web.tokens import make_wage_link

__all__ = ["make_wage_link", "mount"]


def mount(app: FastAPI) -> None:
    from fastapi import APIRouter
    from fastapi.responses import RedirectResponse

    from web import auth, county, roster, upload, wages
    from web.core import (
        NeedSignIn,
        PageError,
        database,
        error_page,
        render,
        sign_in_redirect,
        viewer,
    )

    home = APIRouter()

    @home.get("/")
    def index(request: Request) -> Response:
        with database(request) as db:
            v = viewer(request, db)
            if v.web.link_only:
                return RedirectResponse("/web/wages", status_code=303)
            return render("home.html", viewer=v)

    for part in (home, auth.router, upload.router, roster.router, wages.router, county.router):
        app.include_router(part, prefix="/web")

    @app.get("/web", include_in_schema=False)
    def bare() -> Response:
        return RedirectResponse("/web/", status_code=307)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return error_page(exc)

    @app.exception_handler(NeedSignIn)
    async def _need_sign_in(request: Request, exc: NeedSignIn) -> Response:
        if request.method == "GET":
            return sign_in_redirect(request)
        return error_page(PageError(401, "登录已过期，没有执行任何操作。请从应用主页重新进入。"))
