"""Workers' wage accounts: entered in chat or in the workers file, checked, encrypted, masked."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from handlers.tabular.importer import import_bytes
from models import Worker
from models.privacy import personal_data
from tests.handlers.ledger_fixtures import LIAISON, Seed, seed_ledger

CARD = "6222020200112233446"  # Luhn-valid


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def test_account_in_chat_checked_encrypted_masked(wecom, seed, session, settings):
    bad = wecom.text(
        LIAISON,
        f"登记工人 项目：NT-2026-001 姓名：张三 身份证：{seed.ids['张三']} 银行卡：6222020200112233445 开户行：五台县农商银行",
    )
    assert "校验位不对" in bad.text and "6222020200112233445" not in bad.text
    ok = wecom.text(
        LIAISON,
        f"登记工人 项目：NT-2026-001 姓名：张三 身份证：{seed.ids['张三']} 银行卡：{CARD[:4]} {CARD[4:8]} {CARD[8:]} 开户行：五台县农商银行",
    )
    assert "6222***********3446" in ok.text and CARD not in ok.text, ok.text
    dump = "\n".join(str(row) for row in session.execute(text("SELECT * FROM workers")).all())
    session.rollback()
    assert CARD not in dump and "6222***********3446" in dump
    w = session.scalar(select(Worker).where(Worker.name == "张三"))
    assert (
        w is not None
        and personal_data(settings.effective_data_key).decrypt(w.account_cipher) == CARD
    )
    assert w.account_type == "银行卡" and w.bank == "五台县农商银行"
    session.rollback()
    social = wecom.text(
        LIAISON,
        f"登记工人 项目：NT-2026-001 姓名：李四 身份证：{seed.ids['李四']} 社保卡：{CARD} 开户行：农业银行",
    )
    assert "社保卡 6222***********3446" in social.text
    nobank = wecom.text(
        LIAISON,
        f"登记工人 项目：NT-2026-001 姓名：李四 身份证：{seed.ids['李四']} 一卡通：12345678901",
    )
    assert "缺少开户行" in nobank.text


def test_workers_file_with_accounts(session, settings, seed):
    wb = Workbook()
    ws = wb.active
    ws.append(["务工人员花名册"])
    ws.append(["序号", "项目编号", "姓名", "身份证号", "性别", "账户类型", "银行卡号", "开户行"])
    ws.append(
        [
            1,
            "NT-2026-001",
            "张三",
            seed.ids["张三"],
            "男",
            "一卡通",
            "1234567890123",
            "五台县信用社",
        ]
    )
    ws.append(
        [2, "NT-2026-001", "李四", seed.ids["李四"], "男", "银行卡", "6222***********3446", "农行"]
    )
    buf = io.BytesIO()
    wb.save(buf)
    report = import_bytes(
        session,
        settings,
        "workers",
        "花名册.xlsx",
        buf.getvalue(),
        actor=None,
        channel="cli",
        today=seed.today,
    )
    assert report.ok, report.text()
    assert "性别" in report.text() and "1234567890123" not in report.text()
    w = session.scalar(select(Worker).where(Worker.name == "张三"))
    assert w is not None and w.account_type == "一卡通" and w.account_masked == "1234*****0123"
    li = session.scalar(select(Worker).where(Worker.name == "李四"))
    assert li is not None and li.account_cipher is None  # a masked number changes nothing


def test_workers_export_and_notice_image_rows_mask_accounts(
    wecom, seed, session, settings, tmp_path
):
    from domain.access import resolve_principal
    from handlers.payroll.notice import notice_rows
    from handlers.payroll.sheet import build_sheet
    from handlers.tabular.exporter import export_kind

    wecom.text(
        LIAISON,
        f"登记工人 项目：NT-2026-001 姓名：张三 身份证：{seed.ids['张三']} 银行卡：{CARD} 开户行：农商行",
    )
    path = tmp_path / "workers.csv"
    export_kind(
        session, settings, "workers", path, actor=None
    )  # the operator: full IDs, masked card
    text = path.read_text(encoding="utf-8-sig")
    assert "6222***********3446" in text and CARD not in text and seed.ids["张三"] in text
    liaison = resolve_principal(session, LIAISON)
    export_kind(session, settings, "workers", path, actor=liaison)
    session.commit()  # the audit rows; SQLite would otherwise block the bot's write
    text = path.read_text(encoding="utf-8-sig")
    assert CARD not in text and seed.ids["张三"] not in text
    from datetime import timedelta

    day = seed.today - timedelta(days=3)
    wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day:%Y-%m-%d} 日薪：150\n张三 1天")
    session.rollback()
    sheet = build_sheet(session, seed.p1, f"{day:%Y-%m}")
    drawn = str(notice_rows(sheet))
    assert "6222***********3446" in drawn and CARD not in drawn and seed.ids["张三"] not in drawn
    session.rollback()
