"""发放 按工资表: one payment per worker for the pay sheet's 本次应发, all or nothing.

`除 李四、王五` lines leave people out; `张三 1000元` lines pay a different amount. The
lines go through the same checks and write as a typed 发放 batch (duplicates, owed vs paid).
"""

from __future__ import annotations

from bot.context import HandlerContext, Reply
from domain.entries import (
    WageLine,
    check_wages_owed,
    split_wages,
    write_wages,
)
from domain.parsing import (
    Problems,
    parse_amount,
    parse_or_refuse,
    split_line,
    split_names,
)
from domain.workers import find_workers
from handlers.ledger.attendance import split_except
from handlers.ledger.common import correction_hint, money, project_from
from handlers.ledger.wages import payment_header
from handlers.payroll.sheet import build_sheet
from models import WagePayment

EXAMPLE = (
    "发放 按工资表 项目：NT-2026-001 期间：2026-11 日期：2026-12-10 方式：银行代发\n"
    "除 李四\n张三 1000元"
)


def pay_by_sheet(ctx: HandlerContext, args: str, aliases: dict[str, tuple[str, ...]]) -> Reply:
    fields, body = parse_or_refuse(args, aliases, EXAMPLE)
    project = project_from(ctx, fields, EXAMPLE)
    problems = Problems(EXAMPLE)
    paid_on, period, method = payment_header(ctx, fields, project, problems, "工资表的期间")
    excepted: list[tuple[str, str]] = []
    overrides: list[tuple[str, str, str]] = []
    for n, line in enumerate(body, start=1):
        where = f"第{n + 1}行「{line}」"
        head, rest = split_except(line)
        if not head and rest:
            excepted += [(where, name) for name in split_names(rest)]
            continue
        tokens = split_line(line)
        if len(tokens) != 2:
            problems.add(where, "应为“除 姓名”或“姓名 金额”，如“除 李四”“张三 1000元”")
            continue
        overrides.append((where, tokens[0], tokens[1]))
    if period is None:
        problems.raise_if_any()
    assert period is not None
    sheet = build_sheet(ctx.session, project, period)
    due = {r.worker_id: r for r in sheet.rows if r.due_fen > 0}
    matches = find_workers(ctx, project, [ref for _, ref in excepted] + [r[1] for r in overrides])
    skip: dict[int, str] = {}
    for where, ref in excepted:
        m = matches[ref]
        if m.worker is None:
            problems.add(where, m.error)
        elif m.worker.id not in due:
            problems.add(where, f"{m.worker.name} 在 {period} 的工资表上没有待发金额，不用除外")
        else:
            skip[m.worker.id] = where
    amount_of: dict[int, tuple[str, int]] = {}
    for where, ref, text in overrides:
        m = matches[ref]
        fen = problems.check(where, parse_amount, text)
        if m.worker is None:
            problems.add(where, m.error)
            continue
        if fen == 0:
            problems.add(where, "金额为0请写成“除 姓名”")
            continue
        if m.worker.id in skip:
            problems.add(where, f"{m.worker.name} 已写在“除”里，不能同时改金额")
            continue
        if m.worker.id in amount_of:
            problems.add(where, f"与{amount_of[m.worker.id][0]}是同一人")
            continue
        if m.worker.id not in due:
            problems.add(where, f"{m.worker.name} 在 {period} 的工资表上没有待发金额")
            continue
        if fen is not None:
            amount_of[m.worker.id] = (where, fen)
    if not due:
        problems.add(
            "",
            f"项目 {project.code} {period} 的工资表上没有待发金额（应发 {money(sheet.owed_fen)}，"
            f"已发 {money(sheet.paid_fen)}）",
        )
    lines: list[WageLine] = []
    if paid_on is not None and method is not None:
        for wid, row in due.items():
            if wid in skip:
                continue
            where, fen = amount_of.get(wid, (f"{row.name}（工资表）", row.due_fen))
            voucher = fields.get("凭证号", "")[:64]
            lines.append(WageLine(where, project, wid, period, fen, paid_on, method, voucher))
    new, same = split_wages(ctx.session, lines)
    for x in same:
        problems.add(
            x.where, f"{x.paid_on:%Y-%m-%d} 已登记过同样的发放（{money(x.amount_fen)}），不重复登记"
        )
    for where, problem in check_wages_owed(ctx.session, new):
        problems.add(where, problem)
    if not new and not problems.items:
        problems.add("", "除外之后没有要登记的发放")
    problems.raise_if_any()

    ids = write_wages(ctx.session, new, ctx.user.userid, ctx.channel)
    ctx.audit(
        "wage.by_sheet", project.code, period=period, count=len(ids), first=ids[0], last=ids[-1]
    )
    out = [
        f"已按工资表登记发放 {len(ids)} 笔（项目 {project.code}，期间 {period}，{paid_on:%Y-%m-%d}，{method}）："
    ]
    for entry_id, x in zip(ids, new, strict=True):
        row = due[x.worker_id]
        changed = "（改）" if x.worker_id in amount_of else ""
        out.append(
            f"{WagePayment.PREFIX}-{entry_id:06d} {row.name}（{row.id_masked}）{money(x.amount_fen)}{changed}"
        )
    out.append(f"合计 {money(sum(x.amount_fen for x in new))}。")
    waiting = [due[w].name for w in skip] + [
        due[x.worker_id].name for x in new if x.amount_fen < due[x.worker_id].due_fen
    ]
    if waiting:
        out.append(f"仍有待发：{'、'.join(waiting)}（工资表上本次应发未发完）。")
    no_account = [due[x.worker_id].name for x in new if not due[x.worker_id].account_masked]
    if no_account:
        out.append(
            f"提醒：{'、'.join(no_account)} 没有登记工资账户，请补登记，工资应发到本人账户。"
        )
    out.append(correction_hint(f"{WagePayment.PREFIX}-{ids[0]:06d}"))
    return Reply("\n".join(out))
