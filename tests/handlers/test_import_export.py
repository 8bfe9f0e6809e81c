"""Imports (all or nothing, per-row report, GBK/BOM CSV) and audited exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.access import resolve_principal
from handlers.tabular.exporter import export_kind
from handlers.tabular.importer import import_bytes
from handlers.tabular.readers import guess_kind
from models import AuditLog, Contact, Project, ProjectLiaison, WagePayment, WorkRecord
from tests.handlers.ledger_fixtures import LIAISON, Seed, seed_ledger


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(session, settings, seed, kind, name, data, actor=None):  # type: ignore[no-untyped-def]
    with session.begin_nested():
        report = import_bytes(
            session, settings, kind, name, data, actor=actor, channel="cli", today=seed.today
        )
    session.commit()
    return report


def count(session: Session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_work_xlsx_bad_row_writes_nothing_and_names_it(session, settings, seed):
    day = seed.today - timedelta(days=3)
    rows = [["项目编号", "身份证号", "日期", "天数", "日薪(元)"]]
    rows.append(["NT-2026-001", seed.ids["张三"], day, 1, 150])
    rows.append(["NT-2026-001", seed.ids["李四"], day, 1, -150])
    rows.append(["NT-2026-001", "142329198503121234", day, 1, 150])
    report = run(session, settings, seed, "work", "w.xlsx", xlsx(rows))
    assert not report.ok
    text = report.text("w.xlsx")
    assert "第3行" in text and "负数" in text and "第4行" in text and "校验位" in text
    assert "没有写入任何数据" in text
    assert count(session, WorkRecord) == 0


def test_work_xlsx_imports_once(session, settings, seed):
    day = seed.today - timedelta(days=3)
    rows = [["日期", "项目编号", "身份证号", "天数", "日薪(元)"]]
    rows += [[day, "NT-2026-001", seed.ids[n], 1, 150] for n in ("张三", "李四")]
    data = xlsx(rows)
    assert guess_kind("w.xlsx", data) == "work"
    first = run(session, settings, seed, "work", "w.xlsx", data)
    assert first.ok and first.written == 2, first.text()
    second = run(session, settings, seed, "work", "w.xlsx", data)
    assert second.ok and second.written == 0 and second.skipped == 2
    assert count(session, WorkRecord) == 2


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_encodings(session, settings, seed, encoding):
    from datetime import date

    from handlers.demo import valid_id

    number = valid_id("142329", date(1988, 8, 8), 555)
    text = f"项目编号,姓名,身份证号,手机,村,脱贫户,企业微信账号\nNT-2026-001,孙八,{number},13900139000,东关村,是,\n"
    report = run(session, settings, seed, "workers", "w.csv", text.encode(encoding))
    assert report.ok and report.written == 1, report.text()
    worked = seed.today - timedelta(days=40)
    work = f"项目编号,身份证号,日期,天数,日薪(元)\nNT-2026-001,{number},{worked:%Y-%m-%d},1,150\n"
    report = run(session, settings, seed, "work", "w.csv", work.encode(encoding))
    assert report.ok and report.written == 1, report.text()
    period = f"{worked:%Y-%m}"
    wages = f"项目编号,身份证号,期间,金额(元),发放日期,方式,凭证号\nNT-2026-001,{number},{period},150,{seed.today:%Y-%m-%d},银行代发,V1\n"
    report = run(session, settings, seed, "wages", "p.csv", wages.encode(encoding))
    assert report.ok and report.written == 1, report.text()


def test_title_rows_serial_and_unknown_columns_reported_not_fatal(session, settings, seed):
    day = seed.today - timedelta(days=3)
    rows = [["东关村道路硬化 务工台账"], ["填报单位：五台县建安公司", None, "2026年"]]
    rows += [["序号", "项目编号", "身份证号", "日期", "天数", "日薪(元)", "颜色", "备注"]]
    rows += [[1, "NT-2026-001", seed.ids["张三"], day, 1, 150, "红", "无"]]
    report = run(session, settings, seed, "work", "w.xlsx", xlsx(rows))
    text = report.text("w.xlsx")
    assert report.ok and report.written == 1, text
    assert "颜色、备注" in text and "填报单位" in text and "第4行" not in text
    assert count(session, WorkRecord) == 1


def test_missing_column_still_refused(session, settings, seed):
    from bot.errors import UserError

    with pytest.raises(UserError, match="缺少的列：日薪"):
        run(session, settings, seed, "work", "w.csv", "项目编号,身份证号,日期,天数,颜色\n".encode())


def test_projects_and_contacts_import_idempotent(session, settings, seed):
    projects = [
        [
            "项目编号",
            "项目名称",
            "类别",
            "清单级别",
            "省",
            "市",
            "县",
            "业主单位",
            "施工单位",
            "劳务组织",
            "财政资金(元)",
            "计划劳务报酬(元)",
            "使用衔接资金",
            "赈济模式",
            "发放日",
            "开工日期",
            "计划完工日期",
        ],
        [
            "NT-2026-010",
            "北坡村护坡",
            "农推",
            "县",
            "山西省",
            "忻州市",
            "五台县",
            "",
            "",
            "",
            "1,000,000",
            "180000",
            "是",
            "",
            "15",
            "2026-03-01",
            "2026-12-31",
        ],
    ]
    r = run(session, settings, seed, "projects", "p.xlsx", xlsx(projects))
    assert r.ok and r.written == 1, r.text()
    assert run(session, settings, seed, "projects", "p.xlsx", xlsx(projects)).skipped == 1
    contacts = "企业微信账号,姓名,角色,单位,省,市,县,负责项目\nnew-liaison,周联络,联系人,乡政府,山西省,忻州市,五台县,NT-2026-010、NT-2026-001\n"
    r = run(session, settings, seed, "contacts", "c.csv", contacts.encode())
    assert r.ok and r.written == 1, r.text()
    r = run(session, settings, seed, "contacts", "c.csv", contacts.encode())
    assert r.ok and r.skipped == 1 and r.written == 0
    cid = session.scalar(select(Contact.id).where(Contact.userid == "new-liaison"))
    assert count(session, ProjectLiaison) == 4
    assert session.scalar(select(func.count()).where(ProjectLiaison.contact_id == cid)) == 2
    assert session.scalar(select(Project.uses_xianjie).where(Project.code == "NT-2026-010")) is True
    # a liaison may not import contacts
    liaison = resolve_principal(session, LIAISON)
    from bot.errors import UserError

    with pytest.raises(UserError, match="只有管理员"):
        run(session, settings, seed, "contacts", "c.csv", contacts.encode(), actor=liaison)


def test_wage_export_filing_layout_masked_for_liaison_and_audited(
    session, settings, seed, tmp_path
):
    worked = seed.today - timedelta(days=40)
    work = "项目编号,身份证号,日期,天数,日薪(元)\n" + "".join(
        f"NT-2026-001,{seed.ids[n]},{worked:%Y-%m-%d},1,150\n" for n in ("张三", "李四")
    )
    assert run(session, settings, seed, "work", "w.csv", work.encode()).ok
    period = f"{worked:%Y-%m}"
    wages = "项目编号,身份证号,期间,金额(元),发放日期,方式,凭证号\n" + "".join(
        f"NT-2026-001,{seed.ids[n]},{period},150,{seed.today:%Y-%m-%d},银行代发,V1\n"
        for n in ("张三", "李四")
    )
    assert run(session, settings, seed, "wages", "p.csv", wages.encode()).ok
    liaison = resolve_principal(session, LIAISON)
    path = tmp_path / "wages.xlsx"
    assert export_kind(session, settings, "wages", path, actor=liaison) == 2
    session.commit()
    wb = load_workbook(path)
    assert wb.sheetnames == ["wages", f"{period}发放台账"]
    sheet = [list(r) for r in wb[f"{period}发放台账"].iter_rows(values_only=True)]
    assert sheet[1][-1] == "本人签字"
    assert sheet[1][4:8] == ["出勤天数", "日薪(元)", "应发(元)", "实发金额(元)"]
    assert sheet[2][4:8] == [1, "150", 150, 150]  # a shortfall would show beside 实发
    assert sheet[-2][0] == "合计" and sheet[-2][6] == 300 and sheet[-2][7] == 300
    assert "142329********1233" in [r[3] for r in sheet]
    assert seed.ids["张三"] not in str(sheet)
    audit = session.scalar(select(AuditLog).where(AuditLog.action == "export"))
    assert audit.actor == LIAISON and audit.detail["full_ids"] is False
    # the operator's CSV has full numbers and re-imports as "nothing new"
    csv_path = tmp_path / "wages.csv"
    export_kind(session, settings, "wages", csv_path, actor=None)
    again = run(session, settings, seed, "wages", "wages.csv", csv_path.read_bytes())
    assert again.ok and again.written == 0 and again.skipped == 2
    assert count(session, WagePayment) == 2
