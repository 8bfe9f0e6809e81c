"""The upload page takes the 考勤表 grid like chat and CLI do: check, confirm, written once."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from models import WorkRecord
from models.calendar import period_of, shift_period
from tests.conftest import TZ
from tests.web.conftest import Browser
from tests.web.test_pages import _ids

TODAY = datetime.now(TZ).date()


def _grid(people: list[tuple[int, str, str]], marks: list[str]) -> bytes:
    """A bare 考勤表: no title, so the project, month and wage come from the form."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号", *range(1, 32), "出勤天数"])
    for i, (_, name, number) in enumerate(people, start=1):
        ws.append([i, name, number, *marks, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _days(db: Session, ids: list[int]) -> object:
    return db.scalar(
        select(func.coalesce(func.sum(WorkRecord.days), 0)).where(WorkRecord.worker_id.in_(ids))
    )


def test_upload_a_grid_with_project_month_and_wage_from_the_form(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-liaison")
    assert 'value="attendance"' in browser.get("/web/upload").text
    with session_factory() as db:
        people = _ids(settings, db, "NT-DEMO-001")[:2]
        ids = [w for w, _, _ in people]
        before = _days(db, ids)
        records = db.scalar(select(func.count()).select_from(WorkRecord))
    period = shift_period(period_of(TODAY - timedelta(days=62)), 0)
    marks = ["√", "半", "", "", "", "", ""] + [""] * 24  # days 1 and 2 of that month
    data = _grid(people, marks)
    form = {"csrf": browser.csrf(), "kind": "auto", "项目": "NT-DEMO-001", "期间": period}
    missing = browser.post(
        "/web/upload",
        data={"csrf": form["csrf"], "kind": "attendance"},
        files={"file": ("考勤.xlsx", data, "application/octet-stream")},
    )
    assert missing.status_code == 422 and "没有写入任何数据" in missing.text
    assert "日薪" in missing.text  # the sheet does not say it, nor did the form
    checked = browser.post(
        "/web/upload",
        data={**form, "日薪": "160"},
        files={"file": ("考勤.xlsx", data, "application/octet-stream")},
    )
    assert checked.status_code == 200, checked.text
    assert "考勤表" in checked.text and "全部通过校验：将新写入 4 行" in checked.text
    assert people[0][2] not in checked.text  # masked
    token = re.search(r'name="token" value="([^"]+)"', checked.text).group(1)  # type: ignore[union-attr]
    with session_factory() as db:
        assert db.scalar(select(func.count()).select_from(WorkRecord)) == records  # a check only
    done = browser.post("/web/upload/confirm", data={"csrf": browser.csrf(), "token": token})
    assert done.status_code == 200 and "新写入 4 行" in done.text, done.text
    with session_factory() as db:
        assert _days(db, ids) - before == 3  # type: ignore[operator]
        rows = db.execute(
            select(WorkRecord.work_date, WorkRecord.due_fen)
            .where(WorkRecord.worker_id == ids[0])
            .order_by(WorkRecord.id.desc())
            .limit(2)
        ).all()
        assert {d.strftime("%Y-%m") for d, _ in rows} == {period}
        assert sorted(fen for _, fen in rows) == [8000, 16000]
    again = browser.post("/web/upload/confirm", data={"csrf": browser.csrf(), "token": token})
    assert again.status_code == 409


def test_upload_lists_the_bank_result_file(browser: Browser) -> None:
    browser.sign_in("demo-liaison")
    page = browser.get("/web/upload").text
    assert 'value="bank-result"' in page and "银行代发回单" in page
