"""Working days by China's official holiday calendar, wage due dates and quarter deadlines."""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays as _holidays

OFFICIAL, LOADED, PROJECTED = "official", "loaded", "projected"
SOURCE_LABELS = {OFFICIAL: "官方数据", LOADED: "已导入的国务院通知", PROJECTED: "按法定节日推算"}

# Days loaded with `yigong calendar import` (stored in calendar_days, shared by replicas):
# for a loaded year these and weekends decide, the packaged data is not consulted.
_loaded: dict[date, bool] = {}
_loaded_years: frozenset[int] = frozenset()


def set_loaded_days(days: Mapping[date, bool]) -> None:
    """Replace the loaded overrides (from the database) and forget cached answers."""
    global _loaded, _loaded_years
    _loaded = dict(days)
    _loaded_years = frozenset(d.year for d in _loaded)
    for fn in (is_workday, due_date, _official_covers, holiday_name):
        fn.cache_clear()


def loaded_years() -> frozenset[int]:
    return _loaded_years


@lru_cache(maxsize=64)
def _official_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=64)
def _projected(year: int) -> frozenset[date]:
    """Statutory holidays of a year with their observed days, from the `holidays` package."""
    return frozenset(_holidays.country_holidays("CN", years=year))


def warm(years: Iterable[int]) -> None:
    """Compute the projections a process will need (the first costs about a second)."""
    for year in years:
        if not _official_covers(year):
            _projected(year)


def source_of(day: date) -> str:
    """Where the working-day answer for `day` comes from: loaded, official or projected."""
    if day.year in _loaded_years:
        return LOADED
    return OFFICIAL if _official_covers(day.year) else PROJECTED


def projected_years(days: Iterable[date]) -> list[int]:
    """The years among `days` whose calendar is only projected, sorted."""
    return sorted({d.year for d in days if source_of(d) == PROJECTED})


def projected_note(*days: date) -> str:
    """A sentence for a reminder whose dates rest on projected holidays ("" when none do)."""
    years = projected_years(days)
    if not years:
        return ""
    label = "、".join(f"{y}年" for y in years)
    return (
        f"（注：{label}节假日官方安排尚未导入，以上日期按法定节日推算，官方安排公布后以官方为准。）"
    )


def uncovered_days(start: date, days: int) -> list[date]:
    """Days in [start, start+days) that only a projection covers (no official or loaded data)."""
    return [
        start + timedelta(days=i)
        for i in range(days)
        if source_of(start + timedelta(days=i)) == PROJECTED
    ]


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """Working day: loaded overrides, else official data, else weekdays minus projected holidays."""
    if day.year in _loaded_years:
        return _loaded.get(day, day.weekday() < 5)
    if _official_covers(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5 and day not in _projected(day.year)


@lru_cache(maxsize=1024)
def holiday_name(day: date) -> str:
    """The holiday's name where the data has one (for messages), else ""."""
    if day.year in _loaded_years or is_workday(day):
        return ""
    if _official_covers(day.year):
        _, name = chinese_calendar.get_holiday_detail(day)
        by_name = {h.value: h.chinese for h in chinese_calendar.Holiday}
        return str(by_name.get(name, "") if name else "")
    return str(_holidays.country_holidays("CN", years=day.year, language="zh_CN").get(day) or "")


def previous_workday(day: date) -> date:
    """`day` itself if it is a working day, else the nearest working day before it."""
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def next_workday(day: date) -> date:
    """`day` itself if it is a working day, else the nearest working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_workdays(day: date, n: int) -> date:
    step = 1 if n >= 0 else -1
    while n:
        day += timedelta(days=step)
        if is_workday(day):
            n -= step
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_period(period: str, months: int) -> str:
    y, m = int(period[:4]), int(period[5:7])
    idx = y * 12 + (m - 1) + months
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


@lru_cache(maxsize=4096)
def due_date(period: str, pay_day: int = 15) -> date:
    """Wages for `period` are due on the pay day of the next month, moved back to a working day."""
    nxt = shift_period(period, 1)
    y, m = int(nxt[:4]), int(nxt[5:7])
    day = date(y, m, min(max(pay_day, 1), _cal.monthrange(y, m)[1]))
    return previous_workday(day)


def last_overdue_period(today: date, pay_day: int) -> str:
    """The latest period whose wages are overdue on `today` (due date strictly before today)."""
    period = shift_period(period_of(today), -1)
    while due_date(period, pay_day) >= today:
        period = shift_period(period, -1)
    return period


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def shift_quarter(quarter: str, quarters: int) -> str:
    """`2026Q4` shifted by +1 → `2027Q1`, by -1 → `2026Q3`."""
    idx = int(quarter[:4]) * 4 + int(quarter[-1]) - 1 + quarters
    return f"{idx // 4}Q{idx % 4 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    y, q = int(quarter[:4]), int(quarter[-1])
    start = date(y, 3 * q - 2, 1)
    end_month = 3 * q
    return start, date(y, end_month, _cal.monthrange(y, end_month)[1])


def quarter_deadline(quarter: str) -> date:
    """The 5th of the month after the quarter, moved to the next working day."""
    _, end = quarter_bounds(quarter)
    return next_workday(end + timedelta(days=5))


def quarter_open_day(quarter: str) -> date:
    """Dispatch opens on the 20th of the quarter's last month."""
    _, end = quarter_bounds(quarter)
    return end.replace(day=20)
