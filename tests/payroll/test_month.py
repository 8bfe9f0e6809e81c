"""The payroll month through the real handlers: attendance → 工资表 → 代发文件 → 发放 按工资表
→ bank result → 公示, with every file opened and read back."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.outbox import drain
from bot.sender import WeComSender
from bot.wecom_api import WeComClient
from handlers.tabular.importer import import_bytes
from models import AuditLog, OutboxMessage, PayrollNotice, WagePayment
from models.wages import balances
from reminders.catalog import RULES
from reminders.engine import run_rules
from tests.conftest import TZ
from tests.handlers.ledger_fixtures import ADMIN, LIAISON, OTHER_LIAISON
from tests.payroll.fixtures import Crew, scalar, seed_crew

CARDS = ["6222020200112233446", "6217000010001234569", "6228480010000000009"]
DAYS = ["20", "18.5", "22", "10"]


def luhn_ok(number: str) -> bool:
    from stdnum import luhn

    return luhn.is_valid(number)


@pytest.fixture
def month(wecom, session: Session, settings) -> Crew:  # type: ignore[no-untyped-def]
    crew = seed_crew(session, settings, size=4)
    assert all(luhn_ok(c) for c in CARDS)
    for name, card in zip(crew.names, CARDS, strict=False):
        r = wecom.text(
            LIAISON,
            f"登记工人 项目：NT-2026-001 姓名：{name} 身份证：{crew.seed.ids[name]} 银行卡：{card} 开户行：五台县农商银行",
        )
        assert "已更新工资账户" in r.text, r.text
    lines = "\n".join(f"{n} {d}天" for n, d in zip(crew.names, DAYS, strict=True))
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 期间：{crew.period} 日薪：150\n{lines}")
    assert "已记工 4 条" in r.text, r.text
    return crew


def files(session: Session, suffix: str = "") -> list[tuple[str, str, bytes]]:
    """(msgtype, filename, bytes) of the file/image messages queued so far."""
    out = []
    for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.rule == "file").order_by(OutboxMessage.id)
    ):
        if m.payload["filename"].endswith(suffix):
            out.append(
                (m.msgtype, m.payload["filename"], base64.b64decode(m.payload["data_base64"]))
            )
    session.rollback()
    return out


def cells(data: bytes) -> list[list[object]]:
    wb = load_workbook(io.BytesIO(data))
    return [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]


def all_text(rows: list[list[object]]) -> str:
    return "\n".join(" ".join(str(c) for c in r if c is not None) for r in rows)


def test_pay_sheet_figures_equal_the_ledger_and_are_masked(wecom, session, month):
    r = wecom.text(LIAISON, f"工资表 项目：NT-2026-001 期间：{month.period}")
    assert "已生成 劳务报酬发放表" in r.text and "4人" in r.text, r.text
    assert "还没有登记工资账户" in r.text and month.names[3] in r.text
    [(kind, name, data)] = files(session, ".xlsx")
    assert kind == "file" and month.period in name
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    rows = cells(data)
    text = all_text(rows)
    assert "劳务报酬发放表" in text and "东关村道路硬化" in text and "制表人：李联络" in text
    header = next(i for i, row in enumerate(rows) if row[0] == "序号")
    body = {row[1]: row for row in rows[header + 1 : header + 5]}
    owed = {
        b.worker_id: b.owed_fen
        for b in balances(session, project_ids=[month.seed.p1.id], period=month.period)
    }
    session.rollback()
    assert sorted(owed.values()) == sorted(int(float(d) * 15000) for d in DAYS)
    for name, days in zip(month.names, DAYS, strict=True):
        row = body[name]
        assert float(row[3]) == float(days) and row[4] == "150"
        assert int(round(float(row[5]) * 100)) == int(float(days) * 15000)  # 应发
        assert float(row[6]) == 0 and float(row[7]) == float(row[5])  # 已发, 本次应发
        assert "*" in row[2] and month.seed.ids[name] not in text
    assert all(card not in text for card in CARDS) and "6222***********3446" in text
    total = rows[header + 5]
    assert total[0] == "合计" and float(total[5]) == sum(float(d) * 150 for d in DAYS)


def test_bank_file_full_numbers_only_there_audited_and_scoped(wecom, session, month):
    refused = wecom.text(OTHER_LIAISON, f"代发文件 项目：NT-2026-001 期间：{month.period}")
    assert "没有找到您可以操作的项目" in refused.text
    r = wecom.text(LIAISON, f"代发文件 项目：NT-2026-001 期间：{month.period}")
    assert "3人" in r.text and "未列入" in r.text and month.names[3] in r.text, r.text
    [(_, name, data)] = files(session)
    rows = cells(data)
    assert rows[0] == ["姓名", "账号", "开户行", "金额", "身份证号"]
    got = {row[0]: row for row in rows[1:]}
    for name_, card, days in zip(month.names, CARDS, DAYS, strict=False):
        assert got[name_][1] == card and got[name_][4] == month.seed.ids[name_]
        assert float(got[name_][3]) == float(days) * 150
    audit = scalar(session, select(func.count()).where(AuditLog.action == "bank_file"))
    assert audit == 1


def test_county_layout_from_config(wecom, session, month, settings, tmp_path):
    layout = tmp_path / "bank.toml"
    layout.write_text(
        '["五台县"]\nname = "农商行"\ncolumns = ["序号", "户名=姓名", "卡号=账号", "交易金额=金额", "摘要"]\n',
        encoding="utf-8",
    )
    settings.bank_layouts = str(layout)
    wecom.text(LIAISON, f"代发文件 项目：NT-2026-001 期间：{month.period}")
    sent = files(session)
    assert [n for _, n, _ in sent][1].startswith("代发文件_农商行")
    rows = cells(sent[1][2])
    assert rows[0] == ["序号", "户名", "卡号", "交易金额", "摘要"]
    assert rows[1][:3] == [1, month.names[0], CARDS[0]]


def test_pay_by_sheet_all_or_nothing_with_exceptions_and_overrides(wecom, session, month):
    a, b, c, d = month.names
    when = f"{month.seed.today:%Y-%m-%d}"
    bad = wecom.text(
        LIAISON,
        f"发放 按工资表 项目：NT-2026-001 期间：{month.period} 日期：{when} 方式：银行代发\n除 {d}\n{a} 99999元",
    )
    assert "没有写入任何记录" in bad.text and "超出" in bad.text
    assert scalar(session, select(func.count()).select_from(WagePayment)) == 0
    r = wecom.text(
        LIAISON,
        f"发放 按工资表 项目：NT-2026-001 期间：{month.period} 日期：{when} 方式：银行代发\n除 {d}\n{a} 2000元",
    )
    assert "已按工资表登记发放 3 笔" in r.text and "仍有待发" in r.text, r.text
    expected = {a: 200000, b: int(18.5 * 15000), c: 22 * 15000}
    assert (
        f"合计 {sum(expected.values()) / 100:,.2f}".rstrip("0").rstrip(".")
        in r.text.replace(",", "")
        or "合计" in r.text
    )
    paid = dict(
        session.execute(
            select(WagePayment.worker_id, func.sum(WagePayment.amount_fen)).group_by(
                WagePayment.worker_id
            )
        ).all()
    )
    session.rollback()
    from models import Worker

    ids = dict(session.execute(select(Worker.name, Worker.id)).all())
    session.rollback()
    assert {n: paid.get(ids[n], 0) for n in (a, b, c, d)} == {**expected, d: 0}
    again = wecom.text(
        LIAISON, f"发放 按工资表 项目：NT-2026-001 期间：{month.period} 日期：{when} 方式：银行代发"
    )
    # only what is still due: a's remainder and d
    assert "已按工资表登记发放 2 笔" in again.text, again.text


def bank_result(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["批量代发明细回单"])
    ws.append(["序号", "户名", "卡号", "交易金额", "处理结果", "失败原因"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bank_result_reverses_failures(wecom, session, settings, month):
    a, b, c, _ = month.names
    when = f"{month.seed.today:%Y-%m-%d}"
    wecom.text(
        LIAISON,
        f"发放 按工资表 项目：NT-2026-001 期间：{month.period} 日期：{when} 方式：银行代发\n除 {month.names[3]}",
    )
    data = bank_result(
        [
            [1, a, CARDS[0], 3000, "成功", ""],
            [2, b, CARDS[1], 2775, "成功", ""],
            [3, c, CARDS[2], "3,300.00", "失败", "户名与账号不符"],
        ]
    )
    from handlers.tabular.readers import guess_kind

    assert guess_kind("回单.xlsx", data) == "bank-result"
    from domain.access import resolve_principal

    actor = resolve_principal(session, LIAISON)
    report = import_bytes(
        session,
        settings,
        "bank-result",
        "回单.xlsx",
        data,
        actor=actor,
        channel="import",
        today=month.seed.today,
    )
    text = report.text("回单.xlsx")
    assert report.ok and report.written == 1, text
    assert "仍待发放" in text and c in text and "户名与账号不符" in text and CARDS[2] not in text
    session.commit()
    owed_paid = {
        b_.worker_id: (b_.owed_fen, b_.paid_fen)
        for b_ in balances(session, project_ids=[month.seed.p1.id], period=month.period)
    }
    reversal = session.scalar(select(WagePayment).where(WagePayment.reverses_id.is_not(None)))
    assert (
        reversal is not None
        and reversal.amount_fen == -330000
        and "户名与账号不符" in reversal.reason
    )
    assert owed_paid[reversal.worker_id] == (330000, 0)
    session.rollback()
    twice = import_bytes(
        session,
        settings,
        "bank-result",
        "回单.xlsx",
        data,
        actor=actor,
        channel="import",
        today=month.seed.today,
    )
    assert twice.ok and twice.written == 0 and twice.skipped == 1, twice.text()
    session.rollback()
    sheet = wecom.text(LIAISON, f"工资表 项目：NT-2026-001 期间：{month.period}")
    assert "本次应发 3,300" in sheet.text.replace("3300", "3,300") or "本次应发" in sheet.text


def test_notice_png_and_xlsx_masked_recorded_and_reminded(wecom, session, month):
    r = wecom.text(LIAISON, f"公示 项目：NT-2026-001 期间：{month.period} 电话：0350-1234567")
    assert "公示期" in r.text and "12333" in r.text and "项目联系人电话1个" in r.text, r.text
    sent = files(session)
    kinds = [k for k, _, _ in sent]
    assert kinds == ["image", "file"]
    assert sent[0][2][:8] == b"\x89PNG\r\n\x1a\n"
    text = all_text(cells(sent[1][2]))
    assert "12333" in text and "公示期" in text and "0350-1234567" in text
    assert all(month.seed.ids[n] not in text for n in month.names) and all(
        c not in text for c in CARDS
    )
    notice = session.scalar(select(PayrollNotice))
    assert notice is not None and (notice.ends_on - notice.starts_on).days == 6
    end = notice.ends_on
    session.rollback()
    from datetime import datetime

    from models.calendar import is_workday

    day = end + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    run_rules(
        session, datetime(day.year, day.month, day.day, 9, tzinfo=TZ), RULES, only=["notice_end"]
    )
    session.commit()
    told = list(session.scalars(select(OutboxMessage).where(OutboxMessage.rule == "notice_end")))
    assert [m.recipient for m in told] == [LIAISON] and "公示期满" in told[0].payload["content"]
    session.rollback()


def test_file_goes_out_through_media_upload(wecom, session, session_factory, month, fake_wecom):
    wecom.text(LIAISON, f"工资表 项目：NT-2026-001 期间：{month.period}")
    sender = WeComSender(WeComClient(fake_wecom.settings()))
    from datetime import datetime

    drain(session_factory, sender, now=datetime.now(TZ) + timedelta(seconds=1))
    uploads = [u for u in fake_wecom.uploads if u["filename"].endswith(".xlsx")]
    assert len(uploads) == 1 and uploads[0]["type"] == "file"
    sent = [m for m in fake_wecom.messages if m["msgtype"] == "file"]
    assert (
        sent
        and sent[0]["touser"] == LIAISON
        and sent[0]["file"]["media_id"] == uploads[0]["media_id"]
    )


def test_admin_and_stranger(wecom, month):
    assert "已生成" in wecom.text(ADMIN, f"工资表 项目：NT-2026-001 期间：{month.period}").text
    assert "没有权限" in wecom.text("nobody", f"工资表 项目：NT-2026-001 期间：{month.period}").text


def test_exports_from_wecom_masked_unless_admin_filing(wecom, session, month):
    when = f"{month.seed.today:%Y-%m-%d}"
    wecom.text(
        LIAISON, f"发放 按工资表 项目：NT-2026-001 期间：{month.period} 日期：{when} 方式：银行代发"
    )
    r = wecom.text(LIAISON, "导出 台账 项目：NT-2026-001")
    assert "已导出 务工台账" in r.text and "4 条" in r.text, r.text
    refused = wecom.text(LIAISON, "导出 工资 项目：NT-2026-001 备案")
    assert "只有管理员" in refused.text
    wecom.text(LIAISON, "导出 工资 项目：NT-2026-001")
    wecom.text(ADMIN, "导出 工资 项目：NT-2026-001 备案")
    wecom.text(LIAISON, "导出 培训 项目：NT-2026-001")
    assert "没有找到您可以操作的项目" in wecom.text(LIAISON, "导出 岗位 项目：NT-2099-999").text
    sent = files(session)
    names = [n for _, n, _ in sent]
    assert names[0].startswith("务工台账_NT-2026-001") and names[2].startswith(
        "劳务报酬发放台账备案版"
    )
    work = all_text(cells(sent[0][2]))
    assert "W-000001" in work and month.names[0] in work
    masked = all_text(cells(sent[1][2]))
    full = all_text(cells(sent[2][2]))
    for n in month.names:
        assert month.seed.ids[n] not in work and month.seed.ids[n] not in masked
    assert month.seed.ids[month.names[0]] in full and "出勤天数" in full
    assert all(c not in work + masked + full for c in CARDS)
    audits = list(session.scalars(select(AuditLog).where(AuditLog.action == "export")))
    assert [a.detail["full_ids"] for a in audits] == [False, False, True, False]
    session.rollback()
