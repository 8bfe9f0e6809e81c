"""记工: a batch of work-ledger lines (群众务工台账), one line a worker."""

from __future__ import annotations

from datetime import date

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.entries import (
    WorkLine,
    check_daily_wage,
    check_ledger_date,
    split_work,
    write_work,
)
from domain.parsing import (
    Problems,
    parse_amount,
    parse_date,
    parse_days,
    parse_or_refuse,
    split_line,
)
from domain.workers import find_workers
from handlers.ledger.common import PROJECT_KEY, correction_hint, money, project_from, who
from models import Role, WorkRecord

router = Router("work")

EXAMPLE = "记工 项目：NT-2026-001 日期：2026-11-20 日薪：150\n张三 1天\n李四 0.5天"
EXAMPLES = (
    EXAMPLE
    + "\n\n一段日期（除外的日期写在“除”后）：\n记工 项目：NT-2026-001 日期：11月1日-11月15日 除 11月8日 日薪：150\n张三\n李四 除 11月3日"
    + "\n\n按月合计：\n记工 项目：NT-2026-001 期间：2026-11 日薪：150\n张三 20天\n李四 18.5天"
)
ALIASES = {
    **PROJECT_KEY,
    "日期": ("务工日期", "时间", "日期范围"),
    "期间": ("月份", "考勤月份", "所属期间"),
    "日薪": ("工价", "日工资", "单价", "日薪(元)"),
    "人员": ("姓名", "工人", "身份证", "身份证号"),
    "天数": ("工日", "天"),
}


def parse_line(line: str) -> tuple[str, str, str]:
    """`张三 1天 [180元]` → (worker ref, days text, wage text)."""
    tokens = split_line(line)
    ref, days, wage = tokens[0], "", ""
    for tok in tokens[1:]:
        if tok.endswith(("元", "块")) or (days and not wage):
            wage = wage or tok
        elif not days:
            days = tok
        else:
            raise ValueError(tok)
    return ref, days, wage


@router.command(
    "记工",
    aliases=("考勤", "务工登记", "记工日"),
    help="记务工台账：一行一人，写当天天数（最多1天，半天写0.5天）；日薪写在第一行（某人不同可在行尾写“180元”）。"
    "也可以一段日期（日期：11月1日-11月15日 除 11月8日）或按月合计（期间：2026-11，每行“张三 20天”）",
    example=EXAMPLES,
    roles=(Role.ADMIN, Role.LIAISON),
)
def record_work(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLES)
    project = project_from(ctx, fields, EXAMPLES)
    if fields.get("期间") or _is_range(fields.get("日期", ""), body, ctx.today):
        from handlers.ledger.work_bulk import record_bulk

        return record_bulk(ctx, project, fields, body, ALIASES)
    problems = Problems(EXAMPLE)
    work_date = problems.check("日期", parse_date, fields.get("日期") or "今天", ctx.today)
    if work_date is not None:
        work_date = problems.check(
            "日期", check_ledger_date, work_date, ctx.today, project, "务工日期"
        )
    default_wage = None
    if fields.get("日薪"):
        fen = problems.check("日薪", parse_amount, fields["日薪"])
        default_wage = (
            problems.check("日薪", check_daily_wage, fen, ctx.settings) if fen is not None else None
        )
    if fields.get("人员"):
        body = [f"{fields['人员']} {fields.get('天数') or '1天'}", *body]
    if not body:
        problems.add("", "没有写人员：第一行之后每行写一人，如“张三 1天”")
    rows: list[tuple[str, str, str, str]] = []
    for n, line in enumerate(body, start=1):
        where = f"第{n + 1}行「{line}」"
        try:
            ref, days_text, wage_text = parse_line(line)
        except ValueError:
            problems.add(where, "多写了内容，应为“姓名 天数”，如“张三 1天”")
            continue
        rows.append((where, ref, days_text, wage_text))
    matches = find_workers(ctx, project, [r[1] for r in rows])
    lines: list[WorkLine] = []
    for where, ref, days_text, wage_text in rows:
        match = matches[ref]
        if match.worker is None:
            problems.add(where, match.error)
        if not days_text:
            problems.add(where, "缺少天数，如“张三 1天”")
            continue
        days = problems.check(where, parse_days, days_text)
        wage = default_wage
        if wage_text:
            fen = problems.check(where, parse_amount, wage_text)
            wage = (
                problems.check(where, check_daily_wage, fen, ctx.settings)
                if fen is not None
                else None
            )
        elif default_wage is None and not fields.get("日薪"):
            problems.add(where, "没有日薪：在第一行写“日薪：150”，或在行尾写“150元”")
        if match.worker is None or days is None or wage is None or work_date is None:
            continue
        lines.append(WorkLine(where, project, match.worker.id, work_date, days, wage))
    new, same, dups = split_work(ctx.session, lines)
    for where, problem in dups:
        problems.add(where, problem)
    for x in same:
        problems.add(x.where, f"{x.work_date:%Y-%m-%d} 已记过同样的工，重复记工不予登记")
    problems.raise_if_any()

    ids = write_work(ctx.session, new, ctx.user.userid, ctx.channel)
    ctx.audit("work.add", project.code, count=len(ids), first=ids[0], last=ids[-1])
    workers = {m.worker.id: m.worker for m in matches.values() if m.worker is not None}
    out = [f"已记工 {len(ids)} 条（项目 {project.code}，{work_date:%Y-%m-%d}）："]
    for entry_id, x in zip(ids, new, strict=True):
        number = WorkRecord.number_of(entry_id)
        out.append(
            f"{number} {who(workers[x.worker_id])} {x.days:g}天×{money(x.daily_wage_fen)}={money(x.due_fen)}"
        )
    total_days = sum(x.days for x in new)
    out.append(f"合计 {total_days:g}天，应发 {money(sum(x.due_fen for x in new))}。")
    out.append(correction_hint(WorkRecord.number_of(ids[0])))
    return Reply("\n".join(out))


def _is_range(date_text: str, body: list[str], today: date) -> bool:
    """A 日期 with a range or 除 exceptions, or a body line with 除: the bulk form."""
    from handlers.ledger.attendance import _EXCEPT, _RANGE_SEP

    if _EXCEPT.search(date_text) or any(_EXCEPT.search(line) for line in body):
        return True
    if not date_text:
        return False
    try:
        parse_date(date_text, today)
    except UserError:
        return bool(_RANGE_SEP.search(date_text) or "-" in date_text)
    return False
