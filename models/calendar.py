"""Working days by China's official holiday calendar, wage due dates and quarter deadlines."""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """Official working day (make-up Saturdays included); weekends only outside the data."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # year not covered by the installed calendar
        return day.weekday() < 5


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
