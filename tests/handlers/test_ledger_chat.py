"""Ledger commands through the encrypted callback: writes, replies and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AuditLog,
    OutboxMessage,
    ProjectWorker,
    PublicPost,
    Training,
    WagePayment,
    Worker,
    WorkRecord,
)
from tests.handlers.ledger_fixtures import (
    ADMIN,
    LIAISON,
    OTHER_LIAISON,
    STRANGER,
    Seed,
    seed_ledger,
)


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def one(session: Session, stmt):  # type: ignore[no-untyped-def]
    """Read, then end the transaction: SQLite's BEGIN IMMEDIATE would block the bot."""
    try:
        return session.scalar(stmt)
    finally:
        session.rollback()


def count(session: Session, model) -> int:  # type: ignore[no-untyped-def]
    return one(session, select(func.count()).select_from(model)) or 0


def d(seed: Seed, days_ago: int) -> str:
    return f"{seed.today - timedelta(days=days_ago):%Y-%m-%d}"


def test_work_batch_writes_and_answers_with_numbers(wecom, seed, session):
    r = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{d(seed, 2)} 日薪：150\n张三 1天\n李四 0.5天"
    )
    assert r.status == 200
    assert "已记工 2 条" in r.text and "W-000001" in r.text and "W-000002" in r.text
    assert "142329********1233" in r.text and seed.ids["张三"] not in r.text
    assert "225元" in r.text and "冲正" in r.text
    assert count(session, WorkRecord) == 2
    assert one(session, select(func.sum(WorkRecord.due_fen))) == 22500
    assert one(session, select(AuditLog.action).where(AuditLog.action == "work.add")) == "work.add"


def test_work_full_width_and_id_reference(wecom, seed, session):
    day = d(seed, 1).replace("-", "－")
    r = wecom.text(
        LIAISON, f"记工 项目＝NT-2026-001，日期：{day}，日薪：１５０元\n{seed.ids['王五']} １天"
    )
    assert "已记工 1 条" in r.text, r.text
    assert count(session, WorkRecord) == 1


def test_half_bad_batch_writes_nothing_and_names_each_line(wecom, seed, session):
    r = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{d(seed, 2)} 日薪：150\n张三 1天\n赵六 1天\n李四 -1天",
    )
    assert "没有写入任何记录" in r.text
    assert "第3行「赵六 1天」" in r.text and "没有登记名为“赵六”" in r.text
    assert "第4行「李四 -1天」" in r.text
    assert "正确格式示例" in r.text and "记工 项目：NT-2026-001" in r.text
    assert count(session, WorkRecord) == 0


def test_duplicate_work_refused(wecom, seed, session):
    text = f"记工 项目：NT-2026-001 日期：{d(seed, 3)} 日薪：150\n张三 1天"
    assert "已记工" in wecom.text(LIAISON, text).text
    again = wecom.text(LIAISON, text)
    assert "重复" in again.text and "没有写入" in again.text
    same_batch = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{d(seed, 4)} 日薪：150\n李四 1天\n李四 1天"
    )
    assert "重复" in same_batch.text
    assert count(session, WorkRecord) == 1


def test_future_date_and_absurd_wage_refused(wecom, seed, session):
    future = f"{seed.today + timedelta(days=2):%Y-%m-%d}"
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{future} 日薪：150\n张三 1天")
    assert "之后" in r.text and "没有写入" in r.text
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{d(seed, 1)} 日薪：5000\n张三 1天")
    assert "超过上限" in r.text
    before = f"{seed.p1.start_date - timedelta(days=1):%Y-%m-%d}"
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{before} 日薪：150\n张三 1天")
    assert "开工日期" in r.text
    assert count(session, WorkRecord) == 0


def test_stranger_and_other_liaison_refused(wecom, seed, session):
    r = wecom.text(STRANGER, f"记工 项目：NT-2026-001 日期：{d(seed, 1)} 日薪：150\n张三 1天")
    assert "没有权限" in r.text
    r = wecom.text(OTHER_LIAISON, f"记工 项目：NT-2026-001 日期：{d(seed, 1)} 日薪：150\n张三 1天")
    assert "没有找到您可以操作的项目 NT-2026-001" in r.text
    unknown = wecom.text(
        OTHER_LIAISON, f"记工 项目：NT-2099-999 日期：{d(seed, 1)} 日薪：150\n张三 1天"
    )
    # another's project and no project at all read the same: nothing leaks about others
    assert r.text.replace("NT-2026-001", "X", 1) == unknown.text.replace("NT-2099-999", "X", 1)
    assert count(session, WorkRecord) == 0


def test_admin_acts_within_region_only(wecom, seed, session):
    r = wecom.text(ADMIN, f"记工 项目：NT-2026-001 日期：{d(seed, 1)} 日薪：150\n张三 1天")
    assert "已记工 1 条" in r.text
    r = wecom.text(ADMIN, "查询 项目：NT-2026-002")
    assert "没有找到您可以操作的项目" in r.text
    assert "写入" not in r.text  # a query writes nothing, so it does not say so either


def test_register_worker_bad_id_and_good(wecom, seed, session):
    r = wecom.text(
        LIAISON,
        "登记工人 项目：NT-2026-001 姓名：赵六 身份证：142329198503121234 手机：13800138000",
    )
    assert "校验位" in r.text and "没有写入" in r.text
    r = wecom.text(
        LIAISON, "登记工人 项目：NT-2026-001 姓名：赵六 身份证：14232919850312 手机：13800138000"
    )
    assert "18位" in r.text
    r = wecom.text(LIAISON, "登记工人 项目：NT-2026-001 姓名：赵六 身份证：142329198502301233")
    assert "出生日期" in r.text
    r = wecom.text(
        LIAISON, "登记工人 项目：NT-2026-001 姓名：赵六 身份证：142329199001011236 手机：1380013"
    )
    assert "手机号" in r.text
    assert count(session, Worker) == 3
    from datetime import date

    from handlers.demo import valid_id

    number = valid_id("142329", date(1992, 5, 6), 417)
    r = wecom.text(
        LIAISON,
        f"登记工人 项目：NT-2026-001 姓名：赵六 身份证：{number} 手机：13800138000 村：东关村 脱贫户：是",
    )
    assert "已在项目 NT-2026-001 登记：赵六（142329********" in r.text, r.text
    assert "138****8000" in r.text and "脱贫人口" in r.text
    assert count(session, Worker) == 4 and count(session, ProjectWorker) == 5
    stored = one(
        session,
        select(Worker.id_cipher + Worker.id_masked + Worker.id_hash).where(Worker.name == "赵六"),
    )
    assert number not in stored
    again = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：赵六 身份证：{number}")
    assert "已在项目 NT-2026-001 登记过" in again.text
    unknown_region = valid_id("990101", date(1992, 5, 6), 417)
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：钱七 身份证：{unknown_region}")
    assert "已在项目" in r.text and "地区代码" in r.text


def test_wages_batch_refuses_overpayment_and_cash(wecom, seed, session):
    period = f"{seed.today - timedelta(days=40):%Y-%m}"
    day = f"{seed.today - timedelta(days=40):%Y-%m-%d}"
    wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day} 日薪：150\n张三 1天\n李四 1天")
    r = wecom.text(
        LIAISON, f"发放 项目：NT-2026-001 期间：{period} 日期：{d(seed, 1)} 方式：现金\n张三 150元"
    )
    assert "现金" in r.text and "没有写入" in r.text
    r = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{period} 日期：{d(seed, 1)} 方式：银行代发\n张三 -150元",
    )
    assert "负数" in r.text
    r = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{period} 日期：{d(seed, 1)} 方式：银行代发\n张三 150元\n李四 200元",
    )
    # Paying more than the work ledger owes is refused, not written with a note.
    assert "没有写入任何记录" in r.text and "第3行「李四 200元」" in r.text, r.text
    assert "尚未发放 150元" in r.text and "超出 50元" in r.text and "记工" in r.text
    assert count(session, WagePayment) == 0
    r = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{period} 日期：{d(seed, 1)} 方式：银行代发\n张三 150元\n李四 150元",
    )
    assert "已登记发放 2 笔" in r.text and "P-000001" in r.text, r.text
    assert count(session, WagePayment) == 2
    again = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{period} 日期：{d(seed, 1)} 方式：银行代发\n张三 150元",
    )
    assert "不重复登记" in again.text
    assert count(session, WagePayment) == 2


def test_training_and_post(wecom, seed, session):
    r = wecom.text(
        LIAISON,
        f"培训 项目：NT-2026-001 日期：{d(seed, 1)} 内容：砌筑 方式：以工代训 学时：4 人员：张三，李四",
    )
    assert "已登记培训 2 人次" in r.text and "T-000001" in r.text, r.text
    r = wecom.text(
        LIAISON,
        f"培训 项目：NT-2026-001 日期：{d(seed, 1)} 内容：砌筑 方式：函授 学时：4 人员：张三",
    )
    assert "培训方式" in r.text
    assert count(session, Training) == 2
    r = wecom.text(
        LIAISON, "岗位 项目：NT-2026-001 类型：生态护林员 人员：张三 月薪：800 开始：2027-01-01"
    )
    assert "已登记公益性岗位 G-000001" in r.text and "800元" in r.text, r.text
    r = wecom.text(
        LIAISON, "岗位 项目：NT-2026-001 类型：护林 人员：张三 月薪：800 开始：2027-01-01"
    )
    assert "不重复登记" in r.text
    assert count(session, PublicPost) == 1


def test_reversal_cancels_and_allows_rerecord(wecom, seed, session):
    text = f"记工 项目：NT-2026-001 日期：{d(seed, 2)} 日薪：150\n张三 1天"
    wecom.text(LIAISON, text)
    r = wecom.text(LIAISON, "冲正 记录号：W-000001 原因：重复录入")
    assert "已冲正 W-000001" in r.text and "W-000002" in r.text, r.text
    assert one(session, select(func.sum(WorkRecord.due_fen))) == 0
    r = wecom.text(LIAISON, "冲正 记录号：W-000001 原因：再来")
    assert "已被 W-000002 冲正过" in r.text
    r = wecom.text(LIAISON, "冲正 记录号：W-000002 原因：x")
    assert "本身是一条冲正记录" in r.text
    r = wecom.text(LIAISON, "冲正 记录号：W-000001")
    assert "缺少原因" in r.text
    r = wecom.text(OTHER_LIAISON, "冲正 记录号：W-000001 原因：x")
    missing = wecom.text(OTHER_LIAISON, "冲正 记录号：W-009999 原因：x")
    # another project's entry reads like a missing one: no project code, no name
    assert "NT-2026-001" not in r.text and "张三" not in r.text
    assert r.text.replace("W-000001", "X") == missing.text.replace("W-009999", "X")
    assert "已记工 1 条" in wecom.text(LIAISON, text).text
    assert count(session, WorkRecord) == 3


def test_query_overdue_complete_projects(wecom, seed, session):
    old = seed.today - timedelta(days=75)
    wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{old:%Y-%m-%d} 日薪：400\n张三 1天")
    r = wecom.text(LIAISON, "查询 项目：NT-2026-001")
    assert "应发 400元" in r.text and "已发 0元" in r.text and "逾期 400元" in r.text, r.text
    # The share is of wages paid (劳务报酬发放比例, policy （一）): nothing paid yet.
    assert "劳务报酬占比：已发放 0.0%（0元" in r.text and "按已发放计，未达到最低占比 15%" in r.text
    assert "按务工台账应发" in r.text
    r = wecom.text(LIAISON, "欠薪")
    assert "逾期未发劳务报酬 400元" in r.text and "NT-2026-001" in r.text and "12333" in r.text
    assert "NT-2026-001" not in wecom.text(OTHER_LIAISON, "欠薪").text
    r = wecom.text(LIAISON, "项目")
    assert "NT-2026-001" in r.text and "NT-2026-002" not in r.text and "李联络" in r.text
    r = wecom.text(LIAISON, "完工 项目：NT-2026-001")
    assert (
        "标记为完工" in r.text
        and "尚有劳务报酬未发放：400元" in r.text
        and "培训台账为空" in r.text
    )
    assert "已是“完工”状态" in wecom.text(LIAISON, "完工 NT-2026-001").text
    # The completion check also reaches the county admins, with the same findings.
    notices = session.scalars(
        select(OutboxMessage).where(OutboxMessage.rule == "completion_check")
    ).all()
    assert notices and all("尚有劳务报酬未发放：400元" in n.payload["content"] for n in notices)
    session.rollback()  # end the read: SQLite transactions here take the write lock
    r = wecom.text(STRANGER, "欠薪")
    assert "没有权限" in r.text
