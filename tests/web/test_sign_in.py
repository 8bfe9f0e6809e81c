"""Signing in to the pages: WeCom OAuth2 as documented, and every forgery refused."""

from __future__ import annotations

import time
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from models import Worker, WorkRecord
from tests.conftest import TZ
from tests.fake_wecom import FakeWeCom
from tests.web.conftest import Browser, query_of
from web.tokens import SESSION_COOKIE, make_session, make_wage_link


def test_authorize_url_is_wecom_oauth2_snsapi_base(browser: Browser, settings: Settings) -> None:
    first = browser.get("/web/county")
    assert first.status_code == 303 and first.headers["location"] == "/web/login?next=/web/county"
    login = browser.get(first.headers["location"])
    url = login.headers["location"]
    assert url.startswith(settings.oauth_authorize_url + "?") and url.endswith("#wechat_redirect")
    q = query_of(url.split("#")[0])
    assert q["appid"] == settings.corp_id and q["agentid"] == str(settings.agent_id)
    assert q["scope"] == "snsapi_base" and q["response_type"] == "code"
    assert len(q["state"]) >= 16
    assert q["redirect_uri"] == "https://testserver/web/oauth?next=/web/county"
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie


def test_sign_in_gives_a_short_lived_secure_session_with_the_chat_role(browser: Browser) -> None:
    back = urlsplit(browser.authorize("demo-liaison", "/web/roster"))
    done = browser.get(f"{back.path}?{back.query}")
    assert done.status_code == 303 and done.headers["location"] == "/web/roster"
    cookie = done.headers["set-cookie"].lower()
    assert cookie.startswith(SESSION_COOKIE) and "httponly" in cookie and "secure" in cookie
    assert "samesite=lax" in cookie and "max-age=7200" in cookie
    home = browser.get("/web/")
    assert "演示联系人 · 项目联系人" in home.text and "点名记工" in home.text
    assert "县域总览" not in home.text  # a liaison, as in chat: not an admin
    assert browser.get("/web/county").status_code == 403


def test_forged_state_is_refused(browser: Browser) -> None:
    back = urlsplit(browser.authorize("demo-admin"))
    q = query_of(back.geturl())
    forged = browser.get(f"/web/oauth?code={q['code']}&state=attacker-chosen-state")
    assert forged.status_code == 403 and "state" in forged.text
    assert SESSION_COOKIE not in forged.headers.get("set-cookie", "")
    assert browser.get("/web/county").status_code == 303  # still not signed in


def test_state_of_another_browser_is_refused(
    browser: Browser, other_browser: Browser, fake_wecom: FakeWeCom
) -> None:
    """Login CSRF: a victim's browser must not be signed in with the attacker's code/state."""
    back = urlsplit(browser.authorize("demo-liaison"))  # the attacker's own authorisation
    other_browser.get("/web/login")  # the victim has a state cookie of their own
    planted = other_browser.get(f"{back.path}?{back.query}")
    assert planted.status_code == 403
    assert other_browser.get("/web/").status_code == 303


def test_someone_elses_code_is_refused(
    browser: Browser, other_browser: Browser, fake_wecom: FakeWeCom
) -> None:
    """A code seen in a victim's URL (history, a shared screenshot) does not sign anyone in."""
    victim = urlsplit(browser.authorize("demo-admin"))
    assert browser.get(f"{victim.path}?{victim.query}").status_code == 303  # used by its owner
    stolen = query_of(victim.geturl())["code"]
    mine = query_of(other_browser.authorize("demo-worker"))
    replay = other_browser.get(f"/web/oauth?code={stolen}&state={mine['state']}")
    assert replay.status_code == 403 and "40029" in replay.text
    assert other_browser.get("/web/county").status_code == 303  # not the admin


def test_expired_code_is_refused(browser: Browser, fake_wecom: FakeWeCom) -> None:
    back = urlsplit(browser.authorize("demo-admin"))
    fake_wecom.clock = lambda: time.time() + 301  # WeCom's codes live five minutes
    late = browser.get(f"{back.path}?{back.query}")
    assert late.status_code == 403 and "40029" in late.text


def test_outsider_without_userid_is_refused(browser: Browser) -> None:
    back = urlsplit(browser.authorize("openid:oAbCdEf-outsider"))
    answer = browser.get(f"{back.path}?{back.query}")
    assert answer.status_code == 403 and "仅限本企业成员" in answer.text


def test_expired_session_signs_in_again_and_writes_nothing(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-liaison")
    csrf = browser.csrf("/web/roster/NT-DEMO-001")
    fresh = make_session(settings, userid="demo-liaison", now=time.time() - 3600)
    browser.client.cookies.clear()
    browser.client.cookies.set(SESSION_COOKIE, fresh, domain="testserver.local", path="/web/")
    assert browser.get("/web/roster/NT-DEMO-001").status_code == 200  # an hour old: still good
    old = make_session(settings, userid="demo-liaison", now=time.time() - 3 * 3600)
    browser.client.cookies.clear()
    browser.client.cookies.set(SESSION_COOKIE, old, domain="testserver.local", path="/web/")
    again = browser.get("/web/roster/NT-DEMO-001")
    assert again.status_code == 303 and again.headers["location"].startswith("/web/login")
    with session_factory() as db:
        worker = db.scalars(select(Worker).order_by(Worker.id)).first()
        before = db.scalar(select(func.count()).select_from(WorkRecord))
    posted = browser.post(
        "/web/roster/NT-DEMO-001",
        data={
            "csrf": csrf,
            "day": datetime.now(TZ).date().isoformat(),
            "wage": "150",
            f"d_{worker.id}": "1",
        },  # type: ignore[union-attr]
    )
    assert posted.status_code == 401 and "登录已过期" in posted.text
    with session_factory() as db:
        assert db.scalar(select(func.count()).select_from(WorkRecord)) == before


def test_tampered_session_cookie_is_not_a_session(browser: Browser, settings: Settings) -> None:
    browser.sign_in("demo-worker")
    token = browser.client.cookies.get(SESSION_COOKIE)
    body, mac = token.split(".")
    forged = make_session(settings, userid="demo-admin").split(".")[0] + "." + mac
    browser.client.cookies.clear()
    browser.client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path="/web/")
    assert browser.get("/web/").status_code == 200  # the genuine cookie, set the same way
    browser.client.cookies.clear()
    browser.client.cookies.set(SESSION_COOKIE, forged, domain="testserver.local", path="/web/")
    assert browser.get("/web/county").status_code == 303


def test_sandbox_sign_in_does_not_exist_outside_sandbox(browser: Browser) -> None:
    login = browser.get("/web/login")
    assert login.status_code == 303 and "demo-admin" not in login.text  # straight to WeCom
    state = query_of(login.headers["location"].split("#")[0])["state"]
    forced = browser.post("/web/sandbox-login", data={"userid": "demo-admin", "state": state})
    assert forced.status_code == 404
    assert browser.get("/web/county").status_code == 303


def test_next_never_leaves_the_pages(browser: Browser) -> None:
    back = urlsplit(browser.authorize("demo-admin", "/web/"))
    q = query_of(back.geturl())
    done = browser.get(f"/web/oauth?code={q['code']}&state={q['state']}&next=https://evil.example/")
    assert done.status_code == 303 and done.headers["location"] == "/web/"


def test_wage_link_opens_once_and_only_its_workers_page(
    browser: Browser,
    other_browser: Browser,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as db:
        late = db.scalar(select(Worker).where(Worker.wecom_userid == "demo-worker-late"))
        other = db.scalar(select(Worker).where(Worker.wecom_userid == "demo-worker"))
        assert late is not None and other is not None
    link = make_wage_link(settings, late.id)
    opened = browser.get(urlsplit(link).path)
    assert opened.status_code == 303 and opened.headers["location"] == "/web/wages"
    assert "max-age=1800" in opened.headers["set-cookie"].lower()
    page = browser.get("/web/wages")
    assert page.status_code == 200 and late.name in page.text and late.id_masked in page.text
    assert other.name not in page.text
    # a link session sees the wage page and nothing else
    assert browser.get("/web/roster/NT-DEMO-001").status_code == 403
    assert browser.get("/web/county").status_code == 403
    assert browser.get("/web/upload").status_code == 403
    # once only, even in another browser
    again = other_browser.get(urlsplit(link).path)
    assert again.status_code == 403 and "已经用过" in again.text


def test_forged_or_expired_wage_link_is_refused(
    other_browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as db:
        ids = list(db.scalars(select(Worker.id).order_by(Worker.id).limit(2)))
    mine = make_wage_link(settings, ids[0])
    body, mac = urlsplit(mine).path.removeprefix("/web/link/").split(".")
    theirs = make_wage_link(settings, ids[1])
    their_body = urlsplit(theirs).path.removeprefix("/web/link/").split(".")[0]
    swapped = other_browser.get(f"/web/link/{their_body}.{mac}")
    assert swapped.status_code == 403 and "无效" in swapped.text
    old = make_wage_link(settings, ids[0], now=time.time() - 4 * 24 * 3600)
    expired = other_browser.get(urlsplit(old).path)
    assert expired.status_code == 403 and "已过期" in expired.text
    assert other_browser.get("/web/wages").status_code == 303


def test_sandbox_sign_in_lists_the_demo_users(db_url: str, engine: object, demo: None) -> None:
    import re

    from fastapi.testclient import TestClient

    from bot.app import create_app
    from bot.wiring import build_services

    sandbox = Settings(DATABASE_URL=db_url, YIGONG_SCHEDULER=False)
    assert sandbox.sandbox
    app = create_app(sandbox, services=build_services(sandbox, engine=engine), background=False)  # type: ignore[arg-type]
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        page = c.get("/web/login?next=/web/county")
        users = re.findall(r'data-user="([^"]+)"', page.text)
        assert {"demo-admin", "demo-liaison", "demo-worker", "demo-worker-late"} <= set(users)
        state = re.search(r'name="state" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        assert (
            c.post("/web/sandbox-login", data={"userid": "demo-admin", "state": "x"}).status_code
            == 403
        )
        assert c.get("/web/oauth?code=a&state=b").status_code == 404
        done = c.post(
            "/web/sandbox-login",
            data={"userid": "demo-admin", "state": state, "next": "/web/county"},
        )
        assert done.status_code == 303 and done.headers["location"] == "/web/county"
        assert "演示管理员 · 管理员" in c.get("/web/county").text
