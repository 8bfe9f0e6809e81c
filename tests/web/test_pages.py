"""The pages do what chat and CLI do, through the same paths: upload, roster, wages, county."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from handlers.demo import NAMES, valid_id
from handlers.tabular.columns import IMPORT_KINDS, KINDS
from models import (
    AuditLog,
    OutboxMessage,
    Project,
    ProjectWorker,
    WageComplaint,
    WebUpload,
    Worker,
    WorkRecord,
)
from models.privacy import personal_data
from models.wages import overdue
from tests.conftest import TZ
from tests.web.conftest import OTHER_LIAISON, Browser

TODAY = datetime.now(TZ).date()


def _ids(settings: Settings, db: Session, code: str) -> list[tuple[int, str, str]]:
    """(worker id, name, clear ID number) of a project's workers."""
    pd = personal_data(settings.effective_data_key)
    rows = db.execute(
        select(Worker)
        .join(ProjectWorker, ProjectWorker.worker_id == Worker.id)
        .join(Project, Project.id == ProjectWorker.project_id)
        .where(Project.code == code)
        .order_by(Worker.id)
    ).scalars()
    return [(w.id, w.name, pd.decrypt(w.id_cipher)) for w in rows]


def _count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _work_csv(lines: list[tuple[str, str, str, str, str]]) -> bytes:
    out = ["项目编号,身份证号,日期,天数,日薪(元)"] + [",".join(x) for x in lines]
    return ("\n".join(out) + "\n").encode()


# -- upload ------------------------------------------------------------------------------------


def test_upload_lists_every_kind_of_the_import_registry(browser: Browser) -> None:
    browser.sign_in("demo-admin")
    page = browser.get("/web/upload").text
    for kind in IMPORT_KINDS:
        assert f'value="{kind}"' in page
    browser.client.cookies.clear()
    browser.sign_in("demo-liaison")
    page = browser.get("/web/upload").text
    assert 'value="work"' in page and 'value="contacts"' not in page  # admins only


def test_upload_shows_every_bad_row_masked_and_writes_nothing(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-liaison")
    with session_factory() as db:
        (wid, _, number), *_ = _ids(settings, db, "NT-DEMO-001")
        before = _count(db, WorkRecord)
    stranger = valid_id("142329", date(1990, 5, 5), 901)
    data = _work_csv([
        ("NT-DEMO-001", number, (TODAY - timedelta(days=1)).isoformat(), "1", "150"),
        ("NT-DEMO-001", stranger, TODAY.isoformat(), "1", "150"),
        ("NT-DEMO-001", number, TODAY.isoformat(), "3", "150"),
        ("NT-DEMO-001", number, (TODAY + timedelta(days=3)).isoformat(), "1", "99999"),
    ])  # fmt: skip
    csrf = browser.csrf()
    checked = browser.post(
        "/web/upload",
        data={"csrf": csrf, "kind": "auto"},
        files={"file": ("记工.csv", data, "text/csv")},
    )
    assert checked.status_code == 422
    assert "没有写入任何数据" in checked.text and "确认导入" not in checked.text
    rows = re.findall(r'<tr class="bad"><td>(\d+)</td>', checked.text)
    assert rows == ["3", "4", "5"]
    assert "未在项目 NT-DEMO-001 登记" in checked.text
    assert number not in checked.text and stranger not in checked.text  # masked
    assert number[:6] + "********" + number[-4:] in checked.text
    with session_factory() as db:
        assert _count(db, WorkRecord) == before


def test_upload_confirm_imports_once_and_sends_the_report(
    browser: Browser,
    other_browser: Browser,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    browser.sign_in("demo-liaison")
    with session_factory() as db:
        people = _ids(settings, db, "NT-DEMO-001")[:3]
        before = _count(db, WorkRecord)
    day = TODAY.isoformat()
    data = _work_csv([("NT-DEMO-001", n, day, "1", "150") for _, _, n in people])
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in data.decode().splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    checked = browser.post(
        "/web/upload",
        data={"csrf": browser.csrf(), "kind": "work"},
        files={"file": ("记工.xlsx", buf.getvalue(), "application/octet-stream")},
    )
    assert checked.status_code == 200 and "全部通过校验：将新写入 3 行" in checked.text
    token = re.search(r'name="token" value="([^"]+)"', checked.text).group(1)  # type: ignore[union-attr]
    with session_factory() as db:
        assert _count(db, WorkRecord) == before  # a check writes nothing
        waiting = db.scalar(select(WebUpload).where(WebUpload.token == token))
        assert waiting is not None and people[0][2].encode() not in waiting.data  # encrypted
        assert b"PK" not in waiting.data[:16]
    # nobody else can confirm it
    other_browser.sign_in("demo-admin")
    stolen = other_browser.post(
        "/web/upload/confirm", data={"csrf": other_browser.csrf(), "token": token}
    )
    assert stolen.status_code == 409
    done = browser.post("/web/upload/confirm", data={"csrf": browser.csrf(), "token": token})
    assert (
        done.status_code == 200 and "导入 记工.xlsx（work） 成功：共 3 行，新写入 3 行" in done.text
    )
    twice = browser.post("/web/upload/confirm", data={"csrf": browser.csrf(), "token": token})
    assert twice.status_code == 409
    with session_factory() as db:
        assert _count(db, WorkRecord) == before + 3
        assert db.scalar(select(WebUpload.data).where(WebUpload.token == token)) == b""
        sent = db.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "demo-liaison")
        ).all()
        assert any("新写入 3 行" in m.payload["content"] for m in sent)
        assert db.scalar(
            select(AuditLog).where(AuditLog.action == "import", AuditLog.actor == "demo-liaison")
        )


def test_upload_refuses_a_project_outside_the_liaisons_scope(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in(OTHER_LIAISON)
    with session_factory() as db:
        (_, _, number), *_ = _ids(settings, db, "NT-DEMO-001")
    data = _work_csv([("NT-DEMO-001", number, TODAY.isoformat(), "1", "150")])
    checked = browser.post(
        "/web/upload",
        data={"csrf": browser.csrf(), "kind": "work"},
        files={"file": ("w.csv", data, "text/csv")},
    )
    assert checked.status_code == 422 and "无权操作项目 NT-DEMO-001" in checked.text


def test_upload_refuses_other_files_with_a_reason(browser: Browser) -> None:
    browser.sign_in("demo-liaison")
    csrf = browser.csrf()
    xls = browser.post(
        "/web/upload", data={"csrf": csrf}, files={"file": ("a.xls", b"\xd0\xcf\x11\xe0", "x")}
    )
    assert xls.status_code == 422 and "另存为 .xlsx" in xls.text
    junk = browser.post(
        "/web/upload", data={"csrf": csrf}, files={"file": ("a.xlsx", b"not a zip", "x")}
    )
    assert junk.status_code == 422 and "Traceback" not in junk.text
    header = browser.post(
        "/web/upload",
        data={"csrf": csrf},
        files={"file": ("a.csv", "姓名,年龄\n张,3\n".encode(), "x")},
    )
    assert header.status_code == 422 and "看不出" in header.text
    no_csrf = browser.post("/web/upload", data={"csrf": "x"}, files={"file": ("a.csv", b"a", "x")})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text


# -- roster ------------------------------------------------------------------------------------


def test_roster_submit_is_one_jigong_batch(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-liaison")
    with session_factory() as db:
        people = _ids(settings, db, "NT-DEMO-001")
        before = _count(db, WorkRecord)
    page = browser.get("/web/roster/NT-DEMO-001")
    assert page.status_code == 200 and all(name in page.text for _, name, _ in people)
    assert all(number not in page.text for _, _, number in people)
    day = TODAY.isoformat()
    form = {"csrf": browser.csrf("/web/roster/NT-DEMO-001"), "day": day, "wage": "160"}
    form |= {f"d_{people[0][0]}": "1", f"d_{people[1][0]}": "0.5", f"d_{people[2][0]}": "0"}
    done = browser.post("/web/roster/NT-DEMO-001", data=form)
    assert (
        done.status_code == 200
        and "已记工 2 条" in done.text
        and "合计 1.5天，应发 240元" in done.text
    )
    with session_factory() as db:
        rows = db.scalars(
            select(WorkRecord).where(WorkRecord.id > 0).order_by(WorkRecord.id.desc()).limit(2)
        ).all()
        assert _count(db, WorkRecord) == before + 2
        assert {r.channel for r in rows} == {"web"} and {r.created_by for r in rows} == {
            "demo-liaison"
        }
    # the same day again: 记工's duplicate rule refuses, nothing is written
    again = browser.post("/web/roster/NT-DEMO-001", data=form)
    assert again.status_code == 422 and "已记过同样的工" in again.text
    with session_factory() as db:
        assert _count(db, WorkRecord) == before + 2


def test_roster_caps_a_day_across_projects(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    """One day per worker and date across projects: a worker on two projects cannot get 2."""
    with session_factory() as db:
        wid, name, number = _ids(settings, db, "ZT-DEMO-002")[0]
        nt = db.scalar(select(Project.id).where(Project.code == "NT-DEMO-001"))
        db.add(ProjectWorker(project_id=nt, worker_id=wid))
        db.commit()
    browser.sign_in("demo-liaison")
    day = TODAY.isoformat()
    first = browser.post(
        "/web/roster/ZT-DEMO-002",
        data={
            "csrf": browser.csrf("/web/roster/ZT-DEMO-002"),
            "day": day,
            "wage": "180",
            f"d_{wid}": "1",
        },
    )
    assert first.status_code == 200, first.text
    second = browser.post(
        "/web/roster/NT-DEMO-001",
        data={
            "csrf": browser.csrf("/web/roster/NT-DEMO-001"),
            "day": day,
            "wage": "150",
            f"d_{wid}": "0.5",
        },
    )
    assert second.status_code == 422 and "ZT-DEMO-002" in second.text


def test_liaison_cannot_open_or_post_another_projects_roster(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in(OTHER_LIAISON)
    assert browser.get("/web/roster/ZT-DEMO-002").status_code == 200
    refused = browser.get("/web/roster/NT-DEMO-001")
    # another project's roster reads exactly like one that does not exist (nothing revealed)
    assert refused.status_code == 404 and "没有找到您可以操作的项目 NT-DEMO-001" in refused.text
    with session_factory() as db:
        wid = _ids(settings, db, "NT-DEMO-001")[0][0]
        before = _count(db, WorkRecord)
    csrf = browser.csrf("/web/roster/ZT-DEMO-002")
    posted = browser.post(
        "/web/roster/NT-DEMO-001",
        data={"csrf": csrf, "day": TODAY.isoformat(), "wage": "150", f"d_{wid}": "1"},
    )
    assert posted.status_code in (403, 404)
    with session_factory() as db:
        assert _count(db, WorkRecord) == before
    assert browser.get("/web/county/NT-DEMO-001/owed").status_code == 403
    assert browser.get("/web/export/work?project=NT-DEMO-001").status_code == 403


def test_roster_refuses_a_worker_of_another_project_and_a_forged_csrf(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-liaison")
    with session_factory() as db:
        outsider = _ids(settings, db, "ZT-DEMO-002")[0][0]
        mine = _ids(settings, db, "NT-DEMO-001")[0][0]
        before = _count(db, WorkRecord)
    csrf = browser.csrf("/web/roster/NT-DEMO-001")
    day = TODAY.isoformat()
    wrong = browser.post(
        "/web/roster/NT-DEMO-001",
        data={"csrf": csrf, "day": day, "wage": "150", f"d_{outsider}": "1"},
    )
    assert wrong.status_code == 403
    forged = browser.post(
        "/web/roster/NT-DEMO-001",
        data={"csrf": csrf[:-2] + "xx", "day": day, "wage": "150", f"d_{mine}": "1"},
    )
    assert forged.status_code == 403 and "CSRF" in forged.text
    with session_factory() as db:
        assert _count(db, WorkRecord) == before


def test_roster_month_shows_who_worked_when(browser: Browser) -> None:
    browser.sign_in("demo-liaison")
    month = browser.get("/web/roster/NT-DEMO-001?month=" + f"{TODAY:%Y-%m}")
    assert month.status_code == 200 and NAMES[0] in month.text
    earlier = (TODAY.replace(day=1) - timedelta(days=40)).strftime("%Y-%m")
    past = browser.get(f"/web/roster/NT-DEMO-001?month={earlier}")
    assert past.status_code == 200
    assert browser.get("/web/roster/NT-DEMO-001?month=13-2026").status_code == 400


# -- wages -------------------------------------------------------------------------------------


def test_my_wages_and_complaint_from_the_page(
    browser: Browser, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-worker-late")
    page = browser.get("/web/wages")
    assert page.status_code == 200 and "已逾期" in page.text and "12333" in page.text
    period = re.search(r'name="period" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    csrf = browser.csrf("/web/wages")
    done = browser.post(
        "/web/wages/complain", data={"csrf": csrf, "project": "ZT-DEMO-002", "period": period}
    )
    assert done.status_code == 200 and "已转给项目联系人" in done.text
    with session_factory() as db:
        assert _count(db, WageComplaint) == 1
        told = db.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "demo-liaison")
        ).all()
        assert any(period in m.payload["content"] for m in told)
    # not their project: the 未收到 rules refuse it, nothing recorded
    wrong = browser.post(
        "/web/wages/complain", data={"csrf": csrf, "project": "NT-DEMO-001", "period": period}
    )
    assert wrong.status_code == 422 and "不在项目 NT-DEMO-001 的务工名单中" in wrong.text
    with session_factory() as db:
        assert _count(db, WageComplaint) == 1


def test_staff_and_guests_have_no_wage_page(browser: Browser, other_browser: Browser) -> None:
    browser.sign_in("demo-admin")
    assert browser.get("/web/wages").status_code == 403
    other_browser.sign_in("somebody-else")
    home = other_browser.get("/web/")
    assert home.status_code == 200 and "绑定" in home.text
    assert other_browser.get("/web/wages").status_code == 403
    assert other_browser.get("/web/upload").status_code == 403


# -- county ------------------------------------------------------------------------------------


def test_county_figures_match_the_ledger_and_link_to_rows(
    browser: Browser, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-admin")
    page = browser.get("/web/county")
    assert page.status_code == 200 and "<svg" in page.text
    assert "NT-DEMO-001" in page.text and "ZT-DEMO-002" in page.text
    with session_factory() as db:
        late = overdue(db, TODAY)
        zt = db.scalar(select(Project.id).where(Project.code == "ZT-DEMO-002"))
        fen = sum(b.outstanding_fen for b in late if b.project_id == zt)
    assert fen > 0
    shown = f"{fen / 100:,.0f}元" if fen % 100 == 0 else f"{fen / 100:,.2f}元"
    assert f'href="/web/county/ZT-DEMO-002/overdue">{shown}' in page.text
    rows = browser.get("/web/county/ZT-DEMO-002/overdue")
    assert rows.status_code == 200 and "逾期" in rows.text and "********" in rows.text
    assert rows.text.count("<tr>") - 1 == len([b for b in late if b.project_id == zt])


def test_county_export_is_audited_and_admin_only(
    browser: Browser, other_browser: Browser, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-admin")
    got = browser.get("/web/export/wages?project=NT-DEMO-001")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert [c.value for c in sheet[1]][:3] == KINDS["wages"][:3]
    with session_factory() as db:
        audit = db.scalar(
            select(AuditLog).where(AuditLog.action == "export", AuditLog.channel == "web")
        )
        assert audit is not None and audit.actor == "demo-admin"
    other_browser.sign_in("demo-liaison")
    assert other_browser.get("/web/county").status_code == 403


def test_upload_over_the_cap_is_refused_before_it_is_read(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.upload

    monkeypatch.setattr(web.upload, "MAX_BYTES", 1024 * 1024)
    browser.sign_in("demo-liaison")
    big = b"x" * (1024 * 1024 + 70 * 1024)
    refused = browser.post(
        "/web/upload", data={"csrf": browser.csrf()}, files={"file": ("big.csv", big, "text/csv")}
    )
    assert refused.status_code == 413 and "超过 1MB" in refused.text
    just_over = b"x" * (1024 * 1024 + 10)
    refused = browser.post(
        "/web/upload",
        data={"csrf": browser.csrf()},
        files={"file": ("big.csv", just_over, "text/csv")},
    )
    assert refused.status_code == 422 and "超过 1MB" in refused.text


def test_roster_month_writes_every_ticked_day_or_none(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    """Ticks on several dates of a month: one 记工 per date, in one transaction."""
    with session_factory() as db:
        wid, _, _ = _ids(settings, db, "ZT-DEMO-002")[0]
        busy = db.scalar(
            select(WorkRecord.work_date)
            .where(WorkRecord.worker_id == wid)
            .order_by(WorkRecord.work_date)
        )
        assert busy is not None  # the demo has them working on ZT-DEMO-002
        first = busy.replace(day=1)
        month = f"{first:%Y-%m}"
        nt = db.scalar(select(Project.id).where(Project.code == "NT-DEMO-001"))
        db.add(ProjectWorker(project_id=nt, worker_id=wid))
        mine = _ids(settings, db, "NT-DEMO-001")[0][0]
        taken = set(
            db.scalars(
                select(WorkRecord.work_date).where(
                    WorkRecord.worker_id == mine, WorkRecord.period == month
                )
            )
        )
        db.commit()
        before = _count(db, WorkRecord)
    free = [first + timedelta(days=i) for i in range(28)]
    free = [d for d in free if d not in taken and d != busy][:2]
    browser.sign_in("demo-liaison")
    page = browser.get(f"/web/roster/NT-DEMO-001?month={month}")
    assert page.status_code == 200
    assert f'name="m_{mine}_{free[0].day}"' in page.text
    assert f'name="m_{mine}_{sorted(taken)[0].day}"' not in page.text  # recorded: not tappable
    csrf = browser.csrf(f"/web/roster/NT-DEMO-001?month={month}")
    form = {"csrf": csrf, "month": month, "wage": "150"}
    form |= {f"m_{mine}_{free[0].day}": "1", f"m_{mine}_{free[1].day}": "0.5"}
    refused = browser.post(
        "/web/roster/NT-DEMO-001/month", data=form | {f"m_{wid}_{busy.day}": "1"}
    )
    assert refused.status_code == 422 and "全部无误才写入" in refused.text
    assert f"{busy:%m月%d日}" in refused.text and "ZT-DEMO-002" in refused.text
    with session_factory() as db:
        assert _count(db, WorkRecord) == before  # not even the good days
    done = browser.post("/web/roster/NT-DEMO-001/month", data=form)
    assert done.status_code == 200 and "共记工 2 条，2 天" in done.text
    with session_factory() as db:
        assert _count(db, WorkRecord) == before + 2


def test_roster_wage_box_cannot_smuggle_a_line_into_jigong(
    browser: Browser, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    browser.sign_in("demo-liaison")
    with session_factory() as db:
        people = _ids(settings, db, "NT-DEMO-001")
        before = _count(db, WorkRecord)
    form = {
        "csrf": browser.csrf("/web/roster/NT-DEMO-001"),
        "day": TODAY.isoformat(),
        "wage": f"150\n{people[1][1]} 1天",
        f"d_{people[0][0]}": "1",
    }
    answer = browser.post("/web/roster/NT-DEMO-001", data=form)
    assert answer.status_code == 422  # "150张三1天" is no wage; nobody was added
    with session_factory() as db:
        assert _count(db, WorkRecord) == before
