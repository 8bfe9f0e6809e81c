"""记工 in bulk: a date range for a list of people (with 除 exceptions), or month totals.

Both end in the same checks and writes as a one-date 记工 (`split_work`, `write_work`), so
the one-day-per-worker-and-date rule holds across projects and month totals never overlap
per-date entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from bot.context import HandlerContext, Reply
from domain.entries import (
    WorkLine,
    check_daily_wage,
    check_ledger_date,
    split_work,
    write_work,
)
from domain.parsing import Problems, parse_amount, parse_days, parse_period, period_of, split_line
from domain.workers import find_workers
from handlers.ledger.attendance import (
    available_days,
    month_bounds,
    parse_dates,
    parse_exceptions,
    parse_month_days,
    split_except,
)
from handlers.ledger.common import correction_hint, money, who
from models import Project, WorkRecord

RANGE_EXAMPLE = "记工 项目：NT-2026-001 日期：11月1日-11月15日 除 11月8日 日薪：150\n张三\n李四 0.5天 除 11月3日"
MONTH_EXAMPLE = "记工 项目：NT-2026-001 期间：2026-11 日薪：150\n张三 20天\n李四 18.5天"


def record_bulk(
    ctx: HandlerContext,
    project: Project,
    fields: Mapping[str, str],
    body: list[str],
    aliases: Mapping[str, Iterable[str]],
) -> Reply:
    if fields.get("期间"):
        return _months(ctx, project, fields, body)
    return _range(ctx, project, fields, body)


def _wage(problems: Problems, fields: Mapping[str, str], ctx: HandlerContext) -> int | None:
    if not fields.get("日薪"):
        return None
    fen = problems.check("日薪", parse_amount, fields["日薪"])
    return problems.check("日薪", check_daily_wage, fen, ctx.settings) if fen is not None else None


def _line_wage(problems: Problems, where: str, text: str, ctx: HandlerContext) -> int | None:
    fen = problems.check(where, parse_amount, text)
    return problems.check(where, check_daily_wage, fen, ctx.settings) if fen is not None else None


def _split(line: str) -> tuple[str, str, str]:
    """`张三 20天 [180元]` → (ref, days, wage); days may be missing."""
    tokens = split_line(line)
    ref, days, wage = tokens[0], "", ""
    for tok in tokens[1:]:
        if tok.endswith(("元", "块")) or (days and not wage):
            if wage:
                raise ValueError(tok)
            wage = tok
        elif not days:
            days = tok
        else:
            raise ValueError(tok)
    return ref, days, wage


def _months(
    ctx: HandlerContext, project: Project, fields: Mapping[str, str], body: list[str]
) -> Reply:
    problems = Problems(MONTH_EXAMPLE)
    if fields.get("日期"):
        problems.add("日期", "按月合计写“期间”，按日期写“日期”，两者只写一个")
    period = problems.check("期间", parse_period, fields["期间"], ctx.today)
    room = 0
    if period is not None:
        if period > period_of(ctx.today):
            problems.add("期间", f"{period} 还没到，不能预先记工")
            period = None
        else:
            room = available_days(period, project.start_date, ctx.today)
            if room == 0:
                problems.add("期间", f"项目 {project.code} 在 {period} 还没有开工")
                period = None
    default_wage = _wage(problems, fields, ctx)
    if not body:
        problems.add("", "没有写人员：第一行之后每行写一人，如“张三 20天”")
    rows: list[tuple[str, str, str, str]] = []
    for n, line in enumerate(body, start=1):
        where = f"第{n + 1}行「{line}」"
        try:
            ref, days_text, wage_text = _split(line)
        except ValueError:
            problems.add(where, "多写了内容，应为“姓名 天数”，如“张三 20天”")
            continue
        rows.append((where, ref, days_text, wage_text))
    matches = find_workers(ctx, project, [r[1] for r in rows])
    lines: list[WorkLine] = []
    for where, ref, days_text, wage_text in rows:
        match = matches[ref]
        if match.worker is None:
            problems.add(where, match.error)
        if not days_text:
            problems.add(where, "缺少当月天数，如“张三 20天”")
            continue
        days = problems.check(where, parse_month_days, days_text, period) if period else None
        if days is not None and days > room:
            problems.add(
                where,
                f"{period} 到今天（自开工起）只有 {room} 天，不能记 {days.normalize():f}天",
            )
            days = None
        wage = _line_wage(problems, where, wage_text, ctx) if wage_text else default_wage
        if wage is None and not wage_text and not fields.get("日薪"):
            problems.add(where, "没有日薪：在第一行写“日薪：150”，或在行尾写“150元”")
        if match.worker is None or days is None or wage is None or period is None:
            continue
        first, last = month_bounds(period)
        lines.append(WorkLine(where, project, match.worker.id, first, days, wage, end_date=last))
    return _write(ctx, project, problems, lines, matches, f"期间 {period}，按月合计")


def _range(
    ctx: HandlerContext, project: Project, fields: Mapping[str, str], body: list[str]
) -> Reply:
    problems = Problems(RANGE_EXAMPLE)
    dates: list[date] = []
    excluded: list[date] = []
    text = fields.get("日期", "")
    if not text:
        problems.add("日期", "缺少日期，如“日期：11月1日-11月15日”")
    else:
        got = problems.check("日期", parse_dates, text, ctx.today)
        if got is not None:
            dates, excluded = got
            if not dates:
                problems.add("日期", "除去除外的日期后没有剩下任何一天")
            bad = [
                d
                for d in (dates[0], dates[-1])
                if dates
                and problems.check("日期", check_ledger_date, d, ctx.today, project, "务工日期")
                is None
            ]
            if bad:
                dates = []
    default_wage = _wage(problems, fields, ctx)
    shared_except: list[str] = []
    rows: list[tuple[str, str, str, str, str]] = []
    for n, line in enumerate(body, start=1):
        where = f"第{n + 1}行「{line}」"
        head, own_except = split_except(line)
        if not head:  # a line of its own: 除 11月8日
            shared_except.append(own_except)
            continue
        try:
            ref, days_text, wage_text = _split(head)
        except ValueError:
            problems.add(where, "多写了内容，应为“姓名 [天数] [除 日期]”，如“李四 除 11月3日”")
            continue
        rows.append((where, ref, days_text or "1天", wage_text, own_except))
    if not rows:
        problems.add("", "没有写人员：第一行之后每行写一人，如“张三”或“李四 0.5天 除 11月3日”")
    if dates:
        for extra in shared_except:
            got_ex = problems.check("除", parse_exceptions, extra, ctx.today, dates[0], dates[-1])
            if got_ex:
                excluded += got_ex
                dates = [d for d in dates if d not in got_ex]
    matches = find_workers(ctx, project, [r[1] for r in rows])
    lines: list[WorkLine] = []
    for where, ref, days_text, wage_text, own_except in rows:
        match = matches[ref]
        if match.worker is None:
            problems.add(where, match.error)
        days = problems.check(where, parse_days, days_text)
        wage = _line_wage(problems, where, wage_text, ctx) if wage_text else default_wage
        if wage is None and not wage_text and not fields.get("日薪"):
            problems.add(where, "没有日薪：在第一行写“日薪：150”，或在行尾写“150元”")
        mine = dates
        if own_except and dates:
            skip = problems.check(
                where, parse_exceptions, own_except, ctx.today, dates[0], dates[-1]
            )
            mine = [d for d in dates if d not in (skip or [])]
        if match.worker is None or days is None or wage is None or not mine:
            continue
        lines += [WorkLine(where, project, match.worker.id, d, days, wage) for d in mine]
    span = f"{dates[0]:%Y-%m-%d}—{dates[-1]:%Y-%m-%d}" if dates else ""
    if excluded:
        span += "，除 " + "、".join(f"{d.month}月{d.day}日" for d in sorted(set(excluded)))
    return _write(ctx, project, problems, lines, matches, span)


def _write(
    ctx: HandlerContext,
    project: Project,
    problems: Problems,
    lines: list[WorkLine],
    matches: Mapping[str, object],
    what: str,
) -> Reply:
    new, same, dups = split_work(ctx.session, lines)
    for where, problem in dups:
        problems.add(where, problem)
    for x in same:
        when = x.period if x.end_date else f"{x.work_date:%Y-%m-%d}"
        problems.add(x.where, f"{when} 已记过同样的工，重复记工不予登记")
    problems.raise_if_any()
    ids = write_work(ctx.session, new, ctx.user.userid, ctx.channel)
    ctx.audit("work.add", project.code, count=len(ids), first=ids[0], last=ids[-1])
    workers = {m.worker.id: m.worker for m in matches.values() if m.worker is not None}  # type: ignore[attr-defined]
    per: dict[int, list[tuple[int, WorkLine]]] = {}
    for entry_id, x in zip(ids, new, strict=True):
        per.setdefault(x.worker_id, []).append((entry_id, x))
    out = [f"已记工 {len(ids)} 条（项目 {project.code}，{what}）："]
    for wid, entries in per.items():
        days = sum((x.days for _, x in entries), Decimal(0))
        due = sum(x.due_fen for _, x in entries)
        first, last = entries[0][0], entries[-1][0]
        numbers = f"{WorkRecord.PREFIX}-{first:06d}" + (
            f"—{WorkRecord.PREFIX}-{last:06d}" if last != first else ""
        )
        wages = {x.daily_wage_fen for _, x in entries}
        rate = money(wages.pop()) if len(wages) == 1 else "多种日薪"
        out.append(f"{numbers} {who(workers[wid])} {days.normalize():f}天×{rate}={money(due)}")
    total_days = sum((x.days for x in new), Decimal(0))
    out.append(f"合计 {total_days.normalize():f}天，应发 {money(sum(x.due_fen for x in new))}。")
    out.append(correction_hint(f"{WorkRecord.PREFIX}-{ids[0]:06d}"))
    return Reply("\n".join(out))
