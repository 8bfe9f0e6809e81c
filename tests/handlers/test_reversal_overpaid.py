"""Reversing paid work says so when paid is left above owed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.handlers.ledger_fixtures import LIAISON, Seed, seed_ledger


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def test_reversing_paid_work_warns_that_paid_exceeds_owed(wecom, seed):
    day = seed.today.replace(day=1) - timedelta(days=1)  # last month: payable
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day:%Y-%m-%d} 日薪：200\n张三 1天")
    work = re.search(r"W-\d{6}", r.text)
    assert work, r.text
    r = wecom.text(
        LIAISON,
        f"发放 项目：NT-2026-001 期间：{day:%Y-%m} 日期：{seed.today:%Y-%m-%d} 方式：银行代发\n张三 200元",
    )
    assert "已登记发放 1 笔" in r.text, r.text
    r = wecom.text(LIAISON, f"冲正 记录号：{work.group(0)} 原因：记错人")
    assert "已冲正" in r.text
    assert "已发超过应发 200.00元" in r.text or "已发超过应发 200元" in r.text, r.text
    # a reversal that leaves the books balanced says nothing of the kind
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day:%Y-%m-%d} 日薪：200\n李四 1天")
    w2 = re.search(r"W-\d{6}", r.text)
    assert w2
    r = wecom.text(LIAISON, f"冲正 记录号：{w2.group(0)} 原因：记错")
    assert "已冲正" in r.text and "超过应发" not in r.text
