"""发放: a batch of wage payments (劳务报酬发放台账), one line a worker."""

from __future__ import annotations

from datetime import date

from bot.context import HandlerContext, Incoming, Reply
from bot.router import Router
from domain.entries import (
    WageLine,
    check_ledger_date,
    check_method,
    check_wages_owed,
    split_wages,
    write_wages,
)
from domain.parsing import (
    Problems,
    parse_amount,
    parse_date,
    parse_or_refuse,
    parse_period,
    period_of,
    split_line,
)
from domain.workers import find_workers
from handlers.ledger.common import PROJECT_KEY, correction_hint, money, project_from, who
from models import Project, Role, WagePayment

router = Router("wages")

EXAMPLE = (
    "发放 项目：NT-2026-001 期间：2026-11 日期：2026-12-10 方式：银行代发\n张三 150元\n李四 75元"
)
ALIASES = {
    **PROJECT_KEY,
    "期间": ("月份", "工资月份", "所属期间", "发放期间"),
    "日期": ("发放日期", "发放日", "时间"),
    "方式": ("发放方式", "支付方式"),
    "凭证号": ("凭证", "流水号", "批次号"),
    "人员": ("姓名", "工人", "身份证", "身份证号"),
    "金额": ("金额(元)", "工资"),
}


@router.command(
    "发放",
    aliases=("发工资", "工资发放", "发薪", "发放工资"),
    help="记劳务报酬发放台账：一行一人写金额（不能超过务工台账应发未发数）；方式限银行代发、一卡通、社保卡",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def record_wages(msg: Incoming, ctx: HandlerContext) -> Reply:
    if ctx.args.lstrip().startswith(("按工资表", "按发放表")):
        from handlers.payroll.pay_by_sheet import pay_by_sheet

        return pay_by_sheet(ctx, ctx.args.lstrip()[4:], ALIASES)
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLE)
    project = project_from(ctx, fields, EXAMPLE)
    problems = Problems(EXAMPLE)
    paid_on, period, method = payment_header(ctx, fields, project, problems, "工资所属期间")
    if fields.get("人员"):
        body = [f"{fields['人员']} {fields.get('金额', '')}".strip(), *body]
    if not body:
        problems.add("", "没有写人员：第一行之后每行写一人，如“张三 150元”")
    rows: list[tuple[str, str, str]] = []
    for n, line in enumerate(body, start=1):
        where = f"第{n + 1}行「{line}」"
        tokens = split_line(line)
        if len(tokens) != 2:
            problems.add(where, "应为“姓名 金额”，如“张三 150元”")
            continue
        rows.append((where, tokens[0], tokens[1]))
    matches = find_workers(ctx, project, [r[1] for r in rows])
    lines: list[WageLine] = []
    for where, ref, amount_text in rows:
        match = matches[ref]
        if match.worker is None:
            problems.add(where, match.error)
        fen = problems.check(where, parse_amount, amount_text)
        if fen == 0:
            problems.add(where, "金额必须大于0")
            continue
        if match.worker and fen and period and paid_on and method:
            voucher = fields.get("凭证号", "")
            lines.append(
                WageLine(where, project, match.worker.id, period, fen, paid_on, method, voucher)
            )
    seen: dict[int, str] = {}
    for x in lines:
        if x.worker_id in seen:
            problems.add(x.where, f"与{seen[x.worker_id]}是同一人，请合并为一行")
        seen.setdefault(x.worker_id, x.where)
    new, same = split_wages(ctx.session, lines)
    for x in same:
        problems.add(
            x.where, f"{x.paid_on:%Y-%m-%d} 已登记过同样的发放（{money(x.amount_fen)}），不重复登记"
        )
    for where, problem in check_wages_owed(ctx.session, new):
        problems.add(where, problem)
    problems.raise_if_any()

    ids = write_wages(ctx.session, new, ctx.user.userid, ctx.channel)
    ctx.audit("wage.add", project.code, count=len(ids), first=ids[0], last=ids[-1])
    workers = {m.worker.id: m.worker for m in matches.values() if m.worker is not None}
    out = [
        f"已登记发放 {len(ids)} 笔（项目 {project.code}，期间 {period}，{paid_on:%Y-%m-%d}，{method}）："
    ]
    for entry_id, x in zip(ids, new, strict=True):
        out.append(
            f"{WagePayment.number_of(entry_id)} {who(workers[x.worker_id])} {money(x.amount_fen)}"
        )
    out.append(f"合计 {money(sum(x.amount_fen for x in new))}。")
    out.append(correction_hint(WagePayment.number_of(ids[0])))
    return Reply("\n".join(out))


def payment_header(
    ctx: HandlerContext,
    fields: dict[str, str],
    project: Project,
    problems: Problems,
    period_name: str,
) -> tuple[date | None, str | None, str | None]:
    """日期, 期间 and 方式 of a 发放 message (one at a time or 按工资表), checked alike."""
    paid_on = problems.check("日期", parse_date, fields.get("日期") or "今天", ctx.today)
    if paid_on is not None:
        paid_on = problems.check("日期", check_ledger_date, paid_on, ctx.today, project, "发放日期")
    period = None
    if not fields.get("期间"):
        problems.add("期间", f"缺少{period_name}，如“期间：2026-11”")
    else:
        period = problems.check("期间", parse_period, fields["期间"], ctx.today)
        if period is not None and period > period_of(ctx.today):
            problems.add("期间", f"{period} 还没到，不能预先登记发放")
            period = None
    method = None
    if not fields.get("方式"):
        problems.add("方式", "缺少发放方式：银行代发、一卡通 或 社保卡")
    else:
        method = problems.check("方式", check_method, fields["方式"], ctx.settings)
    return paid_on, period, method
