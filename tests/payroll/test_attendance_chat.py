"""Attendance in bulk by chat: date ranges with 除 exceptions and month totals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import WorkRecord
from tests.handlers.ledger_fixtures import LIAISON
from tests.payroll.fixtures import Crew, scalar, seed_crew, total_days


@pytest.fixture
def crew(session: Session, settings) -> Crew:  # type: ignore[no-untyped-def]
    return seed_crew(session, settings)


def md(d) -> str:  # type: ignore[no-untyped-def]
    return f"{d.month}月{d.day}日"


def test_a_month_for_thirty_workers_in_three_messages(wecom, crew, session):
    first, last, period = crew.first, crew.last, crew.period
    mid = first + timedelta(days=14)
    twenty, ten = crew.names[:20], crew.names[20:]
    r1 = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{md(first)}-{md(mid)} 除 {md(first + timedelta(days=7))} 日薪：150\n"
        + "\n".join(twenty[:-1])
        + f"\n{twenty[-1]} 0.5天 除 {md(first + timedelta(days=2))}",
    )
    assert "已记工 279 条" in r1.text, r1.text  # 19×14 + 13
    assert "合计 272.5天" in r1.text
    r2 = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{first + timedelta(days=15):%Y-%m-%d}至{last:%Y-%m-%d} 日薪：150\n"
        + "\n".join(twenty),
    )
    rest = (last - first).days + 1 - 15
    assert f"已记工 {20 * rest} 条" in r2.text, r2.text
    r3 = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 期间：{period} 日薪：150\n"
        + "\n".join(f"{n} {20 + (i % 3) * 0.5:g}天" for i, n in enumerate(ten)),
    )
    assert "已记工 10 条" in r3.text and "按月合计" in r3.text, r3.text
    expected = 272.5 + 20 * rest + sum(20 + (i % 3) * 0.5 for i in range(10))
    assert total_days(session, WorkRecord) == expected
    months = scalar(session, select(func.count()).where(WorkRecord.end_date.is_not(None)))
    assert months == 10


def test_month_total_and_dates_never_overlap(wecom, crew, session):
    first, period = crew.first, crew.period
    name = crew.names[0]
    ok = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{first:%Y-%m-%d} 日薪：150\n{name} 1天")
    assert "已记工 1 条" in ok.text
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 期间：{period} 日薪：150\n{name} 20天")
    assert "没有写入任何记录" in r.text and "已按日期记了 1天" in r.text and md(first) in r.text
    other = crew.names[1]
    assert (
        "已记工 1 条"
        in wecom.text(
            LIAISON, f"记工 项目：NT-2026-001 期间：{period} 日薪：150\n{other} 20天"
        ).text
    )
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{first:%Y-%m-%d} 日薪：150\n{other} 1天")
    assert "已按月合计记了 20天" in r.text and "没有写入任何记录" in r.text
    too_many = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 期间：{period} 日薪：150\n{crew.names[2]} 32天"
    )
    assert "只有" in too_many.text and "没有写入任何记录" in too_many.text
    assert total_days(session, WorkRecord) == 21


def test_range_respects_one_day_per_date_and_bad_ranges(wecom, crew, session):
    first = crew.first
    name = crew.names[0]
    wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{first + timedelta(days=3):%Y-%m-%d} 日薪：150\n{name} 0.5天",
    )
    r = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{md(first)}-{md(first + timedelta(days=5))} 日薪：150\n{name}",
    )
    assert "没有写入任何记录" in r.text and "已记过工" in r.text
    assert total_days(session, WorkRecord) == 0.5
    backwards = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{md(first + timedelta(days=5))}-{md(first)} 日薪：150\n{name}",
    )
    assert "结束日早于开始日" in backwards.text
    outside = wecom.text(
        LIAISON,
        f"记工 项目：NT-2026-001 日期：{md(first)}-{md(first + timedelta(days=5))} 除 {md(first + timedelta(days=9))} 日薪：150\n{name}",
    )
    assert "不在" in outside.text and "没有写入任何记录" in outside.text
    assert total_days(session, WorkRecord) == 0.5


def test_month_totals_across_projects_capped_by_days_of_month(wecom, crew, session, settings):
    from handlers.ledger.people import WorkerInput, register_workers
    from tests.handlers.ledger_fixtures import OTHER_LIAISON

    name = crew.names[0]
    x = WorkerInput("", crew.seed.p2, name, crew.seed.ids[name])
    register_workers(session, settings, [x], "t", "cli")
    session.commit()
    days = (crew.last - crew.first).days + 1
    ok = wecom.text(LIAISON, f"记工 项目：NT-2026-001 期间：{crew.period} 日薪：150\n{name} 20天")
    assert "已记工 1 条" in ok.text
    over = wecom.text(
        OTHER_LIAISON, f"记工 项目：NT-2026-002 期间：{crew.period} 日薪：150\n{name} {days - 19}天"
    )
    assert "项目 NT-2026-001 按月记 20天" in over.text and f"超过当月 {days} 天" in over.text, (
        over.text
    )
    fits = wecom.text(
        OTHER_LIAISON, f"记工 项目：NT-2026-002 期间：{crew.period} 日薪：150\n{name} {days - 20}天"
    )
    assert "已记工 1 条" in fits.text, fits.text
    dated = wecom.text(
        OTHER_LIAISON, f"记工 项目：NT-2026-002 日期：{crew.first:%Y-%m-%d} 日薪：150\n{name} 1天"
    )
    assert "已按月合计记了" in dated.text and "没有写入任何记录" in dated.text
    assert total_days(session, WorkRecord) == days


def test_month_total_can_be_reversed_and_recorded_again(wecom, crew, session):
    name = crew.names[0]
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 期间：{crew.period} 日薪：150\n{name} 20天")
    number = r.text.split()[r.text.split().index("W-000001")] if "W-000001" in r.text else ""
    assert number == "W-000001", r.text
    assert "已冲正" in wecom.text(LIAISON, "冲正 记录号：W-000001 原因：改按日期记").text
    again = wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{crew.first:%Y-%m-%d} 日薪：150\n{name} 1天"
    )
    assert "已记工 1 条" in again.text, again.text
    assert total_days(session, WorkRecord) == 1


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 1)),
    span=st.integers(min_value=0, max_value=61),
    form=st.sampled_from(
        [
            "{a:%Y-%m-%d}至{b:%Y-%m-%d}",
            "{a:%Y-%m-%d}-{b:%Y-%m-%d}",
            "{a:%Y年%m月%d日}到{b:%Y年%m月%d日}",
        ]
    ),
)
def test_parse_dates_covers_exactly_the_range(start, span, form):
    from handlers.ledger.attendance import parse_dates

    end = start + timedelta(days=span)
    skip = start + timedelta(days=span // 2)
    days, excluded = parse_dates(
        form.format(a=start, b=end) + f" 除 {skip:%Y-%m-%d}", date(2026, 12, 1)
    )
    assert excluded == [skip]
    expected = [start + timedelta(days=i) for i in range(span + 1)]
    assert days == [d for d in expected if d != skip]
