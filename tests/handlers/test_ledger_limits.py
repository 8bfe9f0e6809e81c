"""Implausible ledger entries are refused, in chat and in file imports, and nothing is written.

Each rule is checked through the real handlers: chat messages through the encrypted
callback, files through `import_bytes` (what `yigong import` runs) and through a file message.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.jobs import run_pending
from domain.parsing import check_working_age
from handlers.demo import valid_id
from handlers.tabular.importer import import_bytes
from models import OutboxMessage, WagePayment, Worker, WorkRecord
from tests.handlers.ledger_fixtures import LIAISON, OTHER_LIAISON, Seed, seed_ledger


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def count(session: Session, model) -> int:  # type: ignore[no-untyped-def]
    """Read, then end the transaction: SQLite's BEGIN IMMEDIATE would block the bot."""
    try:
        return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        session.rollback()


def day(seed: Seed, days_ago: int) -> str:
    return f"{seed.today - timedelta(days=days_ago):%Y-%m-%d}"


def run(session, settings, seed, kind, data: str):  # type: ignore[no-untyped-def]
    """`yigong import KIND FILE.csv` as the operator."""
    with session.begin_nested():
        report = import_bytes(
            session,
            settings,
            kind,
            f"{kind}.csv",
            data.encode(),
            actor=None,
            channel="cli",
            today=seed.today,
        )
    session.commit()
    return report


WORK_HEAD = "项目编号,身份证号,日期,天数,日薪(元)\n"


# -- 1. days per worker and date --------------------------------------------------------------


def test_chat_refuses_more_than_one_day_on_a_date(wecom, seed, session):
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 2)} 日薪：150\n张三 30天")
    assert "没有写入任何记录" in r.text and "一人一天最多记1天" in r.text, r.text
    assert "第2行「张三 30天」" in r.text
    r = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 2)} 日薪：150\n张三 1天\n李四 1.5天"
    )
    assert "第3行「李四 1.5天」" in r.text and "一人一天最多记1天" in r.text, r.text
    r = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 2)} 人员：张三 天数：2 日薪：150"
    )
    assert "一人一天最多记1天" in r.text, r.text
    assert count(session, WorkRecord) == 0
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 2)} 日薪：150\n张三 半天")
    assert "已记工 1 条" in r.text and "0.5天×150元=75元" in r.text, r.text


def test_chat_counts_days_on_other_projects_and_reversals(wecom, seed, session):
    # 王五 works on both projects; 0.5 day on NT-2026-002 leaves 0.5 day on that date.
    r = wecom.text(
        OTHER_LIAISON, f"记工 项目：NT-2026-002 日期：{day(seed, 3)} 日薪：150\n王五 0.5天"
    )
    assert "已记工 1 条" in r.text, r.text
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 3)} 日薪：150\n王五 1天")
    assert "没有写入任何记录" in r.text, r.text
    assert "在项目 NT-2026-002 已记 0.5天" in r.text and "共 1.5天" in r.text
    assert count(session, WorkRecord) == 1
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 3)} 日薪：150\n王五 0.5天")
    assert "已记工 1 条" in r.text, r.text
    # Once the other project's record is reversed, the whole day is free again.
    assert "已冲正" in wecom.text(OTHER_LIAISON, "冲正 记录号：W-000001 原因：记错项目").text
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 4)} 日薪：150\n王五 1天")
    assert "已记工 1 条" in r.text, r.text
    assert count(session, WorkRecord) == 4


def test_import_refuses_absurd_days_and_day_totals(session, settings, seed):
    z, w = seed.ids["张三"], seed.ids["王五"]
    d = day(seed, 5)
    report = run(session, settings, seed, "work", WORK_HEAD + f"NT-2026-001,{z},{d},30,150\n")
    assert not report.ok and "一人一天最多记1天" in report.text(), report.text()
    # The same worker and date on two projects of one file: 1.5 days in all.
    rows = f"NT-2026-001,{w},{d},1,150\nNT-2026-002,{w},{d},0.5,150\n"
    report = run(session, settings, seed, "work", WORK_HEAD + rows)
    text = report.text()
    assert not report.ok and "第3行" in text and "在第2行记 1天" in text and "共 1.5天" in text, (
        text
    )
    assert count(session, WorkRecord) == 0
    # Against the ledger: 0.5 day already recorded on the other project.
    assert run(session, settings, seed, "work", WORK_HEAD + f"NT-2026-002,{w},{d},0.5,150\n").ok
    report = run(session, settings, seed, "work", WORK_HEAD + f"NT-2026-001,{w},{d},1,150\n")
    assert not report.ok and "在项目 NT-2026-002 已记 0.5天" in report.text(), report.text()
    assert count(session, WorkRecord) == 1


def test_file_message_refuses_absurd_days(wecom, services, session, seed):
    class Media:
        def download_media(self, media_id: str) -> tuple[str, bytes]:
            data = WORK_HEAD + f"NT-2026-001,{seed.ids['张三']},{day(seed, 2)},30,150\n"
            return "work.csv", data.encode("gbk")

    services.wecom = Media()
    assert "正在后台校验导入" in wecom.file(LIAISON, "m1", "work.csv").text
    run_pending(services.session_factory, services)
    texts = [
        m.payload.get("content", "")
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.rule == "job"))
    ]
    assert any("第2行" in t and "一人一天最多记1天" in t for t in texts), texts
    assert count(session, WorkRecord) == 0


# -- 2. payments above what the work ledger owes ----------------------------------------------

WAGES_HEAD = "项目编号,身份证号,期间,金额(元),发放日期,方式,凭证号\n"


def test_chat_refuses_payment_above_owed(wecom, seed, session):
    worked = seed.today - timedelta(days=40)
    period = f"{worked:%Y-%m}"
    head = f"发放 项目：NT-2026-001 期间：{period} 日期：{day(seed, 1)} 方式：银行代发"
    r = wecom.text(LIAISON, f"{head}\n王五 150元")
    assert "没有写入任何记录" in r.text and "没有记工" in r.text and "请先记工" in r.text, r.text
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{worked:%Y-%m-%d} 日薪：150\n王五 1天")
    assert "已记工 1 条" in r.text, r.text
    r = wecom.text(LIAISON, f"{head}\n王五 99999元")
    assert "没有写入任何记录" in r.text and "第2行「王五 99999元」" in r.text, r.text
    assert "应发 150元" in r.text and "尚未发放 150元" in r.text and "超出 99,849元" in r.text
    assert count(session, WagePayment) == 0
    assert "已登记发放 1 笔" in wecom.text(LIAISON, f"{head}\n王五 100元").text
    # What was paid counts: 50元 is left, 60元 is too much.
    r = wecom.text(LIAISON, f"{head.replace(day(seed, 1), day(seed, 0))}\n王五 60元")
    assert "已发 100元" in r.text and "尚未发放 50元" in r.text and "超出 10元" in r.text, r.text
    assert count(session, WagePayment) == 1
    # A reversed payment is no longer paid.
    assert "已冲正" in wecom.text(LIAISON, "冲正 记录号：P-000001 原因：金额错误").text
    r = wecom.text(LIAISON, f"{head.replace(day(seed, 1), day(seed, 0))}\n王五 150元")
    assert "已登记发放 1 笔" in r.text, r.text
    assert count(session, WagePayment) == 3


def test_import_refuses_payment_above_owed(session, settings, seed):
    z, li = seed.ids["张三"], seed.ids["李四"]
    worked = seed.today - timedelta(days=40)
    period, paid = f"{worked:%Y-%m}", day(seed, 1)
    work = WORK_HEAD + f"NT-2026-001,{z},{worked:%Y-%m-%d},1,150\n"
    assert run(session, settings, seed, "work", work).ok
    rows = f"NT-2026-001,{z},{period},99999,{paid},银行代发,V1\n"
    rows += f"NT-2026-001,{li},{period},100,{paid},银行代发,V2\n"
    report = run(session, settings, seed, "wages", WAGES_HEAD + rows)
    text = report.text()
    assert not report.ok and "没有写入任何数据" in text, text
    assert "第2行" in text and "尚未发放 150元" in text and "超出 99,849元" in text
    assert "第3行" in text and "没有记工" in text
    assert count(session, WagePayment) == 0
    # Two rows for one worker and period add up: the second goes over.
    rows = f"NT-2026-001,{z},{period},100,{paid},银行代发,V1\n"
    rows += f"NT-2026-001,{z},{period},100,{day(seed, 0)},银行代发,V2\n"
    report = run(session, settings, seed, "wages", WAGES_HEAD + rows)
    text = report.text()
    assert not report.ok and "第3行" in text and "本批前面的行已发 100元" in text, text
    assert "第2行" not in text
    report = run(session, settings, seed, "wages", WAGES_HEAD + rows.splitlines()[0] + "\n")
    assert report.ok and report.written == 1, report.text()
    # Importing the same file again skips the row already recorded; it is not paid twice.
    again = run(session, settings, seed, "wages", WAGES_HEAD + rows.splitlines()[0] + "\n")
    assert again.ok and again.skipped == 1 and again.written == 0, again.text()
    assert count(session, WagePayment) == 1


# -- 3. workers: minimum working age and plausible names --------------------------------------


def years_before(d: date, years: int) -> date:
    return (
        d.replace(year=d.year - years)
        if (d.month, d.day) != (2, 29)
        else date(d.year - years, 3, 1)
    )


def test_chat_refuses_under_16_and_implausible_names(wecom, seed, session):
    baby = valid_id("142329", seed.today - timedelta(days=330), 1)
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：孙七 身份证：{baby}")
    assert "没有写入任何记录" in r.text and "未满16周岁" in r.text, r.text
    assert "最低就业年龄为16周岁" in r.text and baby not in r.text
    almost = valid_id("142329", years_before(seed.today, 16) + timedelta(days=180), 2)
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：孙七 身份证：{almost}")
    assert "未满16周岁（15岁）" in r.text, r.text
    adult = valid_id("142329", date(1990, 2, 3), 3)
    for bad, what in (("🙂🙂", "“🙂”"), ("张3", "“3”"), ("·张", "中间"), ("张" * 31, "太长")):
        r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：{bad} 身份证：{adult}")
        assert "没有写入任何记录" in r.text and what in r.text and "汉字或拉丁字母" in r.text, (
            r.text
        )
    assert count(session, Worker) == 3
    teen = valid_id("142329", years_before(seed.today, 17), 4)
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：孙七 身份证：{teen}")
    assert "已在项目 NT-2026-001 登记：孙七" in r.text, r.text
    # Minority and foreign names: middle dots (any look-alike) and spaces.
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：阿依古丽•买买提 身份证：{adult}")
    assert "登记：阿依古丽·买买提" in r.text, r.text
    r = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 1)} 日薪：150\n阿依古丽・买买提 1天"
    )
    assert "已记工 1 条" in r.text, r.text
    other = valid_id("142329", date(1988, 6, 7), 5)
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：Anna Schmidt 身份证：{other}")
    assert "登记：Anna Schmidt" in r.text, r.text
    assert count(session, Worker) == 6


def test_working_age_boundary():
    """16 on the registration date itself is old enough; the day before is not."""
    today = date(2026, 11, 26)
    assert check_working_age(valid_id("142329", date(2010, 11, 26), 1), today)
    with pytest.raises(UserError, match="未满16周岁（15岁）"):
        check_working_age(valid_id("142329", date(2010, 11, 27), 1), today)
    # Born on 29 February (the 16th birthday always falls in a leap year).
    assert check_working_age(valid_id("142329", date(2008, 2, 29), 1), date(2024, 3, 1))
    with pytest.raises(UserError):
        check_working_age(valid_id("142329", date(2008, 2, 29), 1), date(2024, 2, 28))


def test_import_refuses_under_16_and_implausible_names(session, settings, seed):
    head = "项目编号,姓名,身份证号,手机,村,脱贫户,企业微信账号\n"
    baby = valid_id("142329", date(2025, 12, 31), 1)
    adult = valid_id("142329", date(1990, 2, 3), 3)
    rows = f"NT-2026-001,孙七,{baby},,东关村,否,\nNT-2026-001,🙂🙂,{adult},,东关村,否,\n"
    report = run(session, settings, seed, "workers", head + rows)
    text = report.text()
    assert not report.ok and "没有写入任何数据" in text, text
    assert "第2行" in text and "未满16周岁" in text and "第3行" in text and "“🙂”" in text
    assert count(session, Worker) == 3
    report = run(session, settings, seed, "workers", head + f"NT-2026-001,周 八,{adult},,,否,\n")
    assert report.ok and report.written == 1, report.text()


# -- 4. thousands separators in per-person lines; a comma that is not one ---------------------


def last_month(seed: Seed) -> date:
    """The first day of last month: it and the next day share a pay period."""
    return (seed.today.replace(day=1) - timedelta(days=1)).replace(day=1)


def test_chat_lines_take_thousands_separators(wecom, seed, session):
    first = last_month(seed)
    for when in (first, first + timedelta(days=1)):
        r = wecom.text(
            LIAISON,
            f"记工 项目：NT-2026-001 日期：{when:%Y-%m-%d} 日薪：150\n"
            "张三 1天 1,000元\n李四，1天，1,000.00元",
        )
        assert "已记工 2 条" in r.text and "1天×1,000元=1,000元" in r.text, r.text
    r = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{first:%Y-%m} 日期：{day(seed, 1)} 方式：银行代发\n"
        "张三 1,500.50元\n李四，1,500元",
    )
    assert "已登记发放 2 笔" in r.text and "合计 3,000.50元" in r.text, r.text
    paid = session.scalars(select(WagePayment.amount_fen).order_by(WagePayment.id)).all()
    session.rollback()
    assert paid == [150050, 150000]


def test_comma_not_followed_by_three_digits_refused(wecom, seed, session):
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 2)} 日薪=1,50\n张三 1天")
    assert "没有写入任何记录" in r.text and "日薪" in r.text and "逗号" in r.text, r.text
    r = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{day(seed, 2)} 日薪：150\n张三 1天 1,50元"
    )
    assert "第2行「张三 1天 1,50元」" in r.text and "千位分隔符" in r.text, r.text
    period = f"{seed.today - timedelta(days=40):%Y-%m}"
    r = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{period} 日期：{day(seed, 1)} 方式：银行代发\n张三 1,50元",
    )
    assert "第2行「张三 1,50元」" in r.text and "千位分隔符" in r.text, r.text
    assert count(session, WorkRecord) == 0 and count(session, WagePayment) == 0


def test_import_takes_thousands_and_refuses_bad_commas(session, settings, seed):
    z, li = seed.ids["张三"], seed.ids["李四"]
    worked = last_month(seed)
    work = WORK_HEAD + f'NT-2026-001,{z},{worked:%Y-%m-%d},1,"1,50"\n'
    report = run(session, settings, seed, "work", work)
    assert not report.ok and "第2行" in report.text() and "千位分隔符" in report.text()
    work = WORK_HEAD + "".join(
        f'NT-2026-001,{n},{worked + timedelta(days=k):%Y-%m-%d},1,"1,000.00"\n'
        for n in (z, li)
        for k in (0, 1)
    )
    report = run(session, settings, seed, "work", work)
    assert report.ok and report.written == 4, report.text()
    rows = f'NT-2026-001,{z},{worked:%Y-%m},"1,500.50",{day(seed, 1)},银行代发,V1\n'
    rows += f'NT-2026-001,{li},{worked:%Y-%m},"1,0",{day(seed, 1)},银行代发,V2\n'
    report = run(session, settings, seed, "wages", WAGES_HEAD + rows)
    text = report.text()
    assert not report.ok and "第3行" in text and "千位分隔符" in text and "第2行" not in text, text
    report = run(session, settings, seed, "wages", WAGES_HEAD + rows.splitlines()[0] + "\n")
    assert report.ok and report.written == 1, report.text()
    assert session.scalar(select(func.sum(WagePayment.amount_fen))) == 150050
