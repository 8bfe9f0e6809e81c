"""Fixtures of the page tests: the app outside sandbox mode, signed in through the fake
WeCom's OAuth2 (authorize page and auth/getuserinfo), on the demo county."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Services, create_app
from bot.settings import Settings
from handlers.demo import load_demo
from handlers.tabular.importer import import_bytes
from tests.conftest import TZ
from tests.fake_wecom import FakeWeCom

OTHER_LIAISON = "other-liaison"  # liaison of ZT-DEMO-002 only


@pytest.fixture
def api_base(fake_wecom: FakeWeCom) -> str:
    return fake_wecom.base_url


@pytest.fixture
def settings(db_url: str, fake_wecom: FakeWeCom) -> Settings:
    return fake_wecom.settings(
        database_url=db_url,
        oauth_authorize_url=fake_wecom.authorize_url,
        scheduler_enabled=False,
    )


@pytest.fixture
def demo(session_factory: sessionmaker[Session], settings: Settings) -> None:
    with session_factory() as db:
        load_demo(db, settings)
        contacts = (
            "企业微信账号,姓名,角色,单位,省,市,县,负责项目\n"
            f"{OTHER_LIAISON},另一联系人,联系人,西河乡,山西省,忻州市,五台县,ZT-DEMO-002\n"
        ).encode()
        report = import_bytes(
            db, settings, "contacts", "c.csv", contacts, actor=None, channel="cli",
            today=datetime.now(TZ).date(),
        )  # fmt: skip
        assert report.ok, report.text()
        db.commit()


class Browser:
    """A TestClient that signs in the way WeCom's in-app browser does."""

    def __init__(self, app: object, fake: FakeWeCom) -> None:
        self.client = TestClient(app, base_url="https://testserver", follow_redirects=False)  # type: ignore[arg-type]
        self.fake = fake

    def __getattr__(self, name: str) -> object:
        return getattr(self.client, name)

    def authorize(self, userid: str, target: str = "/web/") -> str:
        """Open a page, follow the redirect to WeCom's authorize page; the URL WeCom sends back."""
        first = self.client.get(target)
        assert first.status_code == 303, first.text
        login = self.client.get(first.headers["location"])
        assert login.status_code == 303
        self.fake.signed_in = userid
        with httpx.Client(trust_env=False) as http:
            back = http.get(login.headers["location"].split("#")[0])
        assert back.status_code == 302, back.text
        return back.headers["location"]

    def sign_in(self, userid: str, target: str = "/web/") -> None:
        back = urlsplit(self.authorize(userid, target))
        done = self.client.get(f"{back.path}?{back.query}")
        assert done.status_code == 303, done.text

    def csrf(self, path: str = "/web/upload") -> str:
        page = self.client.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, page.text
        return found.group(1)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def app(settings: Settings, services: Services, demo: None) -> Iterator[object]:
    application = create_app(settings, services=services, background=False)
    with TestClient(application):  # runs the lifespan
        yield application


@pytest.fixture
def browser(app: object, fake_wecom: FakeWeCom) -> Browser:
    return Browser(app, fake_wecom)


@pytest.fixture
def other_browser(app: object, fake_wecom: FakeWeCom) -> Browser:
    return Browser(app, fake_wecom)
