"""The calendar beyond the packaged data: projected 2027, a loaded notice, doctor and the admins."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bot.cli import build_cli
from handlers.calendar_notice import NoticeError, read_notice
from models import CalendarDay, calendar, calendar_store
from models.calendar import (
    due_date,
    is_workday,
    quarter_deadline,
    source_of,
)
from tests.conftest import TZ
from tests.reminders.conftest import COUNTY_ADMIN, LIAISON, County

DATA = Path(__file__).parent.parent / "data"
NOTICE_2027 = DATA / "notice2027_sample.txt"
SANDBOX = dict.fromkeys(
    ["WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY", "WECOM_AGENT_ID",
     "YIGONG_DATA_KEY", "REDIS_URL"]
)  # fmt: skip


def test_2027_is_projected_from_the_statutory_holidays() -> None:
    assert source_of(date(2026, 6, 1)) == calendar.OFFICIAL
    assert source_of(date(2027, 1, 1)) == calendar.PROJECTED
    assert not is_workday(date(2027, 1, 1))  # 元旦 on a Friday
    assert not any(is_workday(date(2027, 2, d)) for d in range(5, 11))  # 春节
    # January's wages with a pay day on the 10th fell due in the Spring Festival: now before it
    assert due_date("2027-01", 10) == date(2027, 2, 4)
    # the 2027Q1 report deadline (5 April, 清明) moves to the next working day
    assert quarter_deadline("2027Q1") == date(2027, 4, 6)


def test_the_real_2026_notice_reads_exactly_as_the_official_data(tmp_path: Path) -> None:
    notice_2026 = tmp_path / "2026.txt"
    notice_2026.write_text(
        "国务院办公厅关于2026年部分节假日安排的通知\n"
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。\n"
        "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。"
        "2月14日（周六）、2月28日（周六）上班。\n"
        "三、清明节：4月4日（周六）至6日（周一）放假，共3天。\n"
        "四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。\n"
        "五、端午节：6月19日（周五）至21日（周日）放假，共3天。\n"
        "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。\n"
        "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。\n",
        encoding="utf-8",
    )
    notice = read_notice(notice_2026)
    official = [is_workday(date(2026, 1, 1) + timedelta(days=i)) for i in range(365)]
    calendar.set_loaded_days({d: w for d, (w, _) in notice.days.items()})
    assert source_of(date(2026, 6, 1)) == calendar.LOADED
    assert [is_workday(date(2026, 1, 1) + timedelta(days=i)) for i in range(365)] == official


def test_a_table_and_bad_files(tmp_path: Path) -> None:
    table = tmp_path / "2027.csv"
    table.write_text("日期,类型,名称\n2027-02-05~2027-02-12,休,春节\n2027-02-20,班,春节调休\n")
    notice = read_notice(table)
    assert len(notice.days) == 9 and notice.days[date(2027, 2, 20)] == (True, "春节调休")
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型\n2027-02-30,休\n2027-03-01,放\n2027-02-01~2027-05-01,休\n")
    with pytest.raises(NoticeError) as err:
        read_notice(bad)
    assert (
        "第 2 行" in str(err.value) and "第 3 行" in str(err.value) and "第 4 行" in str(err.value)
    )
    prose = tmp_path / "x.txt"
    prose.write_text("今年的节假日另行通知。")
    with pytest.raises(NoticeError, match="年份"):
        read_notice(prose)


def _owed(c: County, when: str) -> dict[str, list[str]]:
    result = c.run(when)
    out: dict[str, list[str]] = {}
    for o in result.queued:
        out.setdefault(o.rule, []).append(o.text)
    return out


def test_no_reminders_on_new_year_or_in_the_spring_festival(county: County) -> None:
    c = county
    c.work(c.workers[0], date(2026, 12, 20))  # due 2027-01-15, unpaid
    c.work(c.workers[0], date(2027, 1, 20))  # January: due before the Spring Festival
    c.project.pay_day = 10
    c.session.commit()
    new_year = c.run("2027-01-01T09:00")
    assert {o.rule for o in new_year.queued} <= {"overdue_escalation", "complaint_escalation"}
    assert "wages_due_soon" in new_year.skipped_rules
    for day in range(5, 11):
        festival = c.run(f"2027-02-{day:02d}T09:00")
        assert "wages_overdue" in festival.skipped_rules
        assert not [o for o in festival.queued if o.rule in ("wages_due_soon", "wages_overdue")]
    # the due-soon reminder for January came before the festival and says the dates are projected
    due_soon = [o for o in c.outbox("wages_due_soon") if "2027-02-04" in o.payload["content"]]
    assert not due_soon
    c.run("2027-02-01T09:00")
    texts = [o.payload["content"] for o in c.outbox("wages_due_soon")]
    assert any("2027-02-04" in t and "按法定节日推算" in t for t in texts)


def test_admins_are_told_once_and_doctor_fails_until_the_notice_is_loaded(
    county: County, tmp_path: Path
) -> None:
    c = county
    c.run("2026-12-01T09:00")
    c.run("2026-12-02T09:00")
    sent = c.outbox("calendar_coverage")
    assert sorted(o.recipient for o in sent) == sorted([COUNTY_ADMIN, "admin-xinzhou"])
    assert all("2027年" in o.payload["content"] for o in sent)
    assert LIAISON not in {o.recipient for o in sent}

    url = f"sqlite:///{tmp_path}/doctor.db"
    runner = CliRunner()
    env = {**SANDBOX, "DATABASE_URL": url}
    out = runner.invoke(build_cli(), ["calendar", "status"], env=env)
    today = datetime.now(TZ).date()
    projected = any(source_of(today + timedelta(days=i)) == "projected" for i in range(60))
    assert out.exit_code == (1 if projected else 0), out.output
    table = tmp_path / "cover.txt"  # covers whatever years "today" and the next 60 days are in
    years = sorted({today.year, (today + timedelta(days=60)).year})
    table.write_text(
        "\n".join(
            f"{d:%Y-%m-%d} 休 {name}"
            for d, name in sorted(holidays.country_holidays("CN", years=years).items())
        )
    )
    loaded = runner.invoke(build_cli(), ["calendar", "import", str(table)], env=env)
    assert loaded.exit_code == 0, loaded.output
    out = runner.invoke(build_cli(), ["doctor", "--skip-wecom"], env=env)
    assert "✓ 节假日 calendar" in out.output, out.output


def test_a_loaded_notice_is_shared_through_the_database(session: Session) -> None:
    notice = read_notice(NOTICE_2027)
    assert notice.days[date(2027, 2, 20)][0] is True  # a 调休 Saturday
    now = datetime(2026, 12, 1, 9, tzinfo=TZ)
    calendar_store.replace_years(session, notice.days, actor="cli", now=now)
    session.commit()
    # another replica: nothing loaded in its memory yet; its next sync reads the table
    calendar.set_loaded_days({})
    calendar_store._state.update(signature=None, checked=0.0)
    assert not is_workday(date(2027, 2, 20))  # projection: a Saturday
    assert calendar_store.sync(session)
    assert is_workday(date(2027, 2, 20)) and source_of(date(2027, 6, 1)) == calendar.LOADED
    assert not is_workday(date(2027, 10, 7)) and is_workday(date(2027, 10, 9))
    # loading again replaces the year instead of adding to it
    calendar_store.replace_years(session, {date(2027, 1, 1): (False, "元旦")}, actor="cli", now=now)
    session.commit()
    rows = session.scalars(select(CalendarDay)).all()
    assert [r.day for r in rows] == [date(2027, 1, 1)]


def test_the_2027q1_deadline_reminder_moves_off_qingming_and_says_it_is_projected(
    county: County,
) -> None:
    c = county
    assert not c.run("2027-04-05T09:00", only=["quarterly_due"]).queued  # 清明: no reminders
    (due,) = c.run("2027-04-06T09:00", only=["quarterly_due"]).queued
    assert "今天是截止日" in due.text and "按法定节日推算" in due.text
    (opened,) = c.run("2027-03-22T09:00", only=["quarterly_open"]).queued
    assert "2027-04-06 前报送" in opened.text
