"""A 微信客服 worker gets their wage page from the bot: a signed, single-use link (issue 17)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from tests.bot.kf_world import KfWorld, kf_fixture, kf_settings  # noqa: F401  (fixtures)
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    LI,
    People,
    people_fixture,
)

ZHANG_KF = "wmzhangsan0000000000000000000001"
LINK = re.compile(r"\S*/web/link/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


@pytest.fixture
def bound(kf: KfWorld, people: People) -> People:
    kf.says(ZHANG_KF, f"绑定 姓名：张三 身份证：{people.ids['张三']}")
    assert "绑定成功" in kf.read(ZHANG_KF)[-1]
    return people


@pytest.fixture
def pages(kf: KfWorld, settings: object) -> Iterator[TestClient]:
    app = create_app(settings, services=kf.services, background=False)  # type: ignore[arg-type]
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _link(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return urlsplit(found.group(0)).path


def test_the_bot_sends_a_link_that_opens_the_wage_page_once(
    kf: KfWorld, bound: People, pages: TestClient, settings: object
) -> None:
    kf.says(ZHANG_KF, "工资页")
    answer = kf.read(ZHANG_KF)[-1]
    assert "只能打开一次" in answer and "企业微信" not in answer
    path = _link(answer)
    opened = pages.get(path)
    assert opened.status_code == 303 and opened.headers["location"] == "/web/wages"
    page = pages.get("/web/wages")
    assert page.status_code == 200 and "张三" in page.text and "李四" not in page.text
    assert bound.ids["张三"] not in page.text  # masked
    again = TestClient(pages.app, base_url="https://testserver").get(path)
    assert again.status_code == 403 and "已经用过" in again.text and "工资页" in again.text


def test_wages_in_the_kf_channel_end_with_a_fresh_link(
    kf: KfWorld, bound: People, pages: TestClient
) -> None:
    kf.says(ZHANG_KF, "查工资")
    first = kf.read(ZHANG_KF)[-1]
    assert "张三的劳务报酬" in first
    assert first.rstrip().endswith(_link(first))  # the link closes the answer
    kf.says(ZHANG_KF, "我的工资页")
    second = _link(kf.read(ZHANG_KF)[-1])
    assert second != _link(first)  # each link is its own single use
    assert pages.get(_link(first)).status_code == 303
    assert pages.get(second).status_code == 303


def test_the_kf_menu_offers_it_and_a_stranger_is_told_to_bind(kf: KfWorld, people: People) -> None:
    kf.says(ZHANG_KF, "帮助")
    menu = [b for b in kf.kf.sent if b["touser"] == ZHANG_KF][-1]
    assert menu["msgtype"] == "msgmenu"
    assert "工资页" in [i["click"]["content"] for i in menu["msgmenu"]["list"]]
    kf.says(ZHANG_KF, "工资页")
    answer = kf.read(ZHANG_KF)[-1]
    assert "绑定" in answer and "/web/link/" not in answer


def test_a_wecom_member_worker_gets_the_page_address_not_a_link(
    kf: KfWorld, people: People
) -> None:
    r = kf.wecom.text(LI, "工资页")
    assert "/web/wages" in r.text and "/web/link/" not in r.text
