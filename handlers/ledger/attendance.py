"""Attendance in bulk: date ranges with 除 exceptions, month totals, and grid cell marks."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from bot.errors import UserError
from bot.text import normalize
from domain.entries_months import days_in_month
from domain.parsing import parse_date, parse_decimal

MAX_RANGE_DAYS = 62  # two months at most in one message; longer is surely a typo
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|—|–|－)\s*")
_EXCEPT = re.compile(r"\s*(?:除去|除了|除外|除)\s*")


def split_except(text: str) -> tuple[str, str]:
    """`11月1日-11月15日 除 11月8日` → ('11月1日-11月15日', '11月8日')."""
    parts = _EXCEPT.split(normalize(text), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def parse_range(text: str, today: date) -> tuple[date, date]:
    """One date, or a range `A-B` / `A至B` / `A到B` (either end in any date form)."""
    s = normalize(text).strip()
    parts = _RANGE_SEP.split(s)
    if len(parts) == 2:
        start, end = parse_date(parts[0], today), _end_date(parts[0], parts[1], today)
    elif len(parts) == 1 and "-" in s:
        found: tuple[date, date] | None = None
        pieces = s.split("-")
        for i in range(1, len(pieces)):  # `2026-11-01-2026-11-15`: try every dash
            left, right = "-".join(pieces[:i]), "-".join(pieces[i:])
            try:
                found = parse_date(left, today), _end_date(left, right, today)
                break
            except UserError:
                continue
        if found is None:
            return (d := parse_date(s, today)), d
        start, end = found
    else:
        d = parse_date(s, today)
        return d, d
    if end < start:
        raise UserError(f"日期“{s}”的结束日早于开始日")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise UserError(f"日期“{s}”跨度超过 {MAX_RANGE_DAYS} 天，请分月记")
    return start, end


def _end_date(left: str, right: str, today: date) -> date:
    """The end of a range; `11月1日-15日` means the 15th of the same month."""
    r = right.strip()
    if re.fullmatch(r"\d{1,2}日?", r):
        start = parse_date(left, today)
        try:
            return start.replace(day=int(r.rstrip("日")))
        except ValueError:
            raise UserError(f"日期“{left}-{right}”不存在，请核对") from None
    return parse_date(r, today)


def parse_dates(text: str, today: date) -> tuple[list[date], list[date]]:
    """(dates, excluded) for a 日期 value: one date or a range, minus `除 …` exceptions."""
    span, excepted = split_except(text)
    start, end = parse_range(span, today)
    excluded = parse_exceptions(excepted, today, start, end) if excepted else []
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d not in excluded], excluded


def parse_exceptions(text: str, today: date, start: date, end: date) -> list[date]:
    """`11月8日、11月9日` or `11月8日-11月10日`, every date inside [start, end]."""
    out: list[date] = []
    for piece in re.split(r"[\s,，、;；]+", normalize(text)):
        if not piece:
            continue
        a, b = parse_range(piece, today)
        if a < start or b > end:
            raise UserError(f"除外的日期“{piece}”不在 {start:%m月%d日}—{end:%m月%d日} 之内")
        out += [a + timedelta(days=i) for i in range((b - a).days + 1)]
    return out


def parse_month_days(text: str, period: str) -> Decimal:
    """A month total: `20天`, `18.5天`; in half days, at most the days of the month."""
    days = parse_decimal(text, "天数", ("个工日", "工日", "天", "日", "工"), "20天 或 18.5天")
    if days * 2 != (days * 2).to_integral_value():
        raise UserError(f"天数“{normalize(text)}”应为整天或半天（如 18.5天）")
    cap = days_in_month(period)
    if days > cap:
        raise UserError(f"{period} 只有 {cap} 天，不能记 {days.normalize():f}天")
    return days


def month_bounds(period: str) -> tuple[date, date]:
    first = date(int(period[:4]), int(period[5:7]), 1)
    return first, first.replace(day=days_in_month(period))


def available_days(period: str, start: date | None, today: date) -> int:
    """Days of the month on which work could have happened: after the start, not after today."""
    first, last = month_bounds(period)
    lo = max(first, start) if start else first
    hi = min(last, today)
    return max((hi - lo).days + 1, 0)


# Grid cell marks: worked a day, half a day, or not at all.
_FULL = {"√", "✓", "✔", "1", "1.0", "1.00", "○", "〇", "●", "v", "V", "全", "出", "到", "是"}
_HALF = {"0.5", ".5", "0.50", "半", "½", "半天", "△"}
_NONE = {
    "",
    "0",
    "0.0",
    "×",
    "✗",
    "✘",
    "x",
    "X",
    "-",
    "—",
    "休",
    "假",
    "旷",
    "缺",
    "病",
    "事",
    "无",
    "/",
    "\\",
}


def grid_mark(text: str) -> Decimal | None:
    """Days a grid cell means (0, 0.5 or 1), or None when the mark is not understood."""
    s = normalize(text).strip().replace(" ", "")
    if s in _NONE:
        return Decimal(0)
    if s in _FULL:
        return Decimal(1)
    if s in _HALF:
        return Decimal("0.5")
    return None


GRID_MARKS = "√、1 记一天，0.5 或“半”记半天，空白、0、×、休 不记"
