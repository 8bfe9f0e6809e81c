"""The pages in a real headless Chromium (the system's package, driven by Selenium), against
the real server (uvicorn) on SQLite, signing in through the fake WeCom's OAuth2 pages.

In CI a missing browser fails these tests; elsewhere it skips them. With
YIGONG_SCREENSHOTS=1 each page is saved at 360 px wide under docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.app import create_app
from bot.wiring import build_services
from handlers.demo import load_demo
from models import Project, ProjectWorker, WageComplaint, Worker, WorkRecord
from models.privacy import personal_data
from models.session import make_engine, make_sessionmaker
from tests.conftest import TZ
from tests.fake_wecom import FakeWeCom
from web.tokens import make_wage_link

WIDTH = 360
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _browser_paths() -> tuple[str, str]:
    binary = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), ""
    )
    driver = shutil.which("chromedriver") or ""
    if not binary or not driver:
        message = (
            "Chromium/chromedriver not found: apt-get install -y chromium chromium-driver "
            "(.ci/run installs them)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    return binary, driver


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, fake_wecom_server: FakeWeCom
) -> Iterator[dict[str, Any]]:
    """uvicorn serving the app on a free port, SQLite file, the demo county loaded."""
    fake = fake_wecom_server
    fake.reset()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    db_url = f"sqlite:///{tmp_path_factory.mktemp('pages')}/pages.db"
    settings = fake.settings(
        database_url=db_url,
        oauth_authorize_url=fake.authorize_url,
        public_url=url,
        scheduler_enabled=False,
    )
    engine = make_engine(db_url)
    models.Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    with factory() as db:
        load_demo(db, settings)
        db.commit()
    app = create_app(settings, services=build_services(settings, engine=engine), background=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield {"url": url, "settings": settings, "factory": factory, "fake": fake}
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()
    fake.reset()


@pytest.fixture(scope="module")
def chrome(live: dict[str, Any]) -> Iterator[Any]:
    binary, driver_path = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},780",
        "--lang=zh-CN",
        "--no-proxy-server",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _sign_in(chrome: Any, live: dict[str, Any], userid: str, path: str = "/web/") -> None:
    chrome.delete_all_cookies()
    live["fake"].signed_in = userid
    chrome.get(live["url"] + path)  # → /web/login → WeCom authorize → /web/oauth → path
    assert chrome.current_url.startswith(live["url"] + path), chrome.current_url


def _shot(chrome: Any, name: str) -> None:
    """A full-page screenshot at phone width, kept in docs/ when asked for."""
    if not os.environ.get("YIGONG_SCREENSHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = chrome.execute_script("return document.documentElement.scrollHeight")
    chrome.set_window_size(WIDTH, min(int(height) + 120, 4000))
    chrome.save_screenshot(str(SHOTS / f"{name}.png"))
    chrome.set_window_size(WIDTH, 780)


def _go(chrome: Any, element: Any) -> None:
    """Click something that loads a page, and wait until the new page has replaced the old."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = chrome.find_element("tag name", "html")
    element.click()

    def replaced(_: Any) -> bool:
        # Chromium reports a node of the old document as "does not belong to the document"
        # (an unknown error) as often as a stale reference: either means it was replaced.
        try:
            return bool(expected_conditions.staleness_of(old)(chrome))
        except WebDriverException:
            return True

    WebDriverWait(chrome, 20).until(replaced)
    WebDriverWait(chrome, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _fits(chrome: Any) -> None:
    """Nothing wider than the phone: wide tables scroll inside their own box."""
    overflow = chrome.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def _text(chrome: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    return str(chrome.find_element(By.CSS_SELECTOR, css).text)


def _count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_liaison_uploads_a_ledger_and_ticks_a_roster(
    chrome: Any, live: dict[str, Any], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    factory = live["factory"]
    _sign_in(chrome, live, "demo-liaison")
    assert "演示联系人" in chrome.page_source
    _shot(chrome, "home-liaison")
    _go(chrome, chrome.find_element(By.LINK_TEXT, "上传台账（Excel / CSV）"))
    _fits(chrome)
    _shot(chrome, "upload")
    pd = personal_data(live["settings"].effective_data_key)
    with factory() as db:
        workers = db.scalars(
            select(Worker).join(ProjectWorker, ProjectWorker.worker_id == Worker.id)
            .join(Project, Project.id == ProjectWorker.project_id)
            .where(Project.code == "NT-DEMO-001").order_by(Worker.id)
        ).all()  # fmt: skip
        numbers = [pd.decrypt(w.id_cipher) for w in workers]
    day = datetime.now(TZ).date().isoformat()
    bad = tmp_path / "记工-有错.csv"
    bad.write_text(
        "项目编号,身份证号,日期,天数,日薪(元)\n"
        f"NT-DEMO-001,{numbers[0]},{day},1,150\nNT-DEMO-001,{numbers[1]},{day},2,150\n",
        encoding="utf-8",
    )
    Select(chrome.find_element(By.ID, "kind")).select_by_value("work")
    chrome.find_element(By.ID, "file").send_keys(str(bad))
    _go(chrome, chrome.find_element(By.ID, "check"))
    assert "没有写入任何数据" in _text(chrome, "#verdict")
    assert "天数" in _text(chrome, "tr.bad") and numbers[1] not in chrome.page_source
    _fits(chrome)
    _shot(chrome, "upload-problems")
    before = _count(factory, WorkRecord)
    good = tmp_path / "记工.csv"
    good.write_text(
        "项目编号,身份证号,日期,天数,日薪(元)\n"
        + "".join(f"NT-DEMO-001,{n},{day},1,150\n" for n in numbers[:2]),
        encoding="utf-8",
    )
    chrome.get(live["url"] + "/web/upload")
    chrome.find_element(By.ID, "file").send_keys(str(good))
    _go(chrome, chrome.find_element(By.ID, "check"))
    assert "全部通过校验" in _text(chrome, "#verdict")
    _shot(chrome, "upload-check")
    _go(chrome, chrome.find_element(By.ID, "confirm"))
    assert "新写入 2 行" in _text(chrome, "#report")
    _shot(chrome, "upload-done")
    assert _count(factory, WorkRecord) == before + 2

    # the roster: the two just imported are marked, tap two more
    chrome.get(live["url"] + "/web/roster")
    _go(chrome, chrome.find_element(By.PARTIAL_LINK_TEXT, "NT-DEMO-001"))
    assert "已记 1天" in chrome.page_source
    chrome.find_element(By.CSS_SELECTOR, f"input[name=d_{workers[2].id}][value='1'] + span").click()
    chrome.find_element(
        By.CSS_SELECTOR, f"input[name=d_{workers[3].id}][value='0.5'] + span"
    ).click()
    _fits(chrome)
    _shot(chrome, "roster")
    _go(chrome, chrome.find_element(By.ID, "submit"))
    result = _text(chrome, "#result")
    assert "已记工 2 条" in result and "合计 1.5天" in result
    assert _count(factory, WorkRecord) == before + 4
    _go(chrome, chrome.find_element(By.LINK_TEXT, "看整月"))
    cell = chrome.find_element(By.CSS_SELECTOR, f"button.cell[data-for^='m_{workers[4].id}_']")
    cell.click()
    cell.click()  # 1 → 0.5
    assert cell.text == "½"
    _fits(chrome)
    _shot(chrome, "roster-month")
    _go(chrome, chrome.find_element(By.ID, "submit-month"))
    assert "共记工 1 条" in _text(chrome, "#result")
    assert _count(factory, WorkRecord) == before + 5


def test_admin_reads_the_county_and_follows_a_figure(chrome: Any, live: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    _sign_in(chrome, live, "demo-admin", "/web/county")
    assert "五台县" in chrome.page_source
    assert chrome.find_element(By.CSS_SELECTOR, "svg").is_displayed()
    assert "逾期" in _text(chrome, "#totals")
    _fits(chrome)
    _shot(chrome, "county")
    _go(chrome, chrome.find_element(By.CSS_SELECTOR, "a[href='/web/county/ZT-DEMO-002/overdue']"))
    assert "逾期明细" in chrome.page_source and "********" in chrome.page_source
    _fits(chrome)
    _shot(chrome, "county-rows")


def test_worker_opens_the_link_and_reports_unpaid_wages(chrome: Any, live: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    factory = live["factory"]
    with factory() as db:
        worker = db.scalar(select(Worker).where(Worker.wecom_userid == "demo-worker-late"))
        assert worker is not None
    chrome.delete_all_cookies()
    link = make_wage_link(live["settings"], worker.id)
    chrome.get(link)
    assert chrome.current_url == live["url"] + "/web/wages"
    assert worker.id_masked in chrome.page_source and "已逾期" in chrome.page_source
    _fits(chrome)
    _shot(chrome, "wages")
    _go(chrome, chrome.find_element(By.XPATH, "//button[text()='未收到']"))
    assert "已转给项目联系人" in _text(chrome, "#result")
    _shot(chrome, "wages-complaint")
    assert _count(factory, WageComplaint) == 1
    chrome.delete_all_cookies()
    chrome.get(link)  # a link works once
    assert "已经用过" in chrome.page_source


def test_a_missing_browser_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium"):
        _browser_paths()
