"""What a bound worker sees about themself: 查工资, 查培训, 我的信息 — and nothing about others."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import BigInteger, Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.redis_support import RateLimiter
from bot.router import Router
from domain.access import require_worker
from handlers.wage_link import is_kf_account, wage_link_text
from models import (
    Project,
    ProjectWorker,
    Training,
    WagePayment,
    Worker,
    WorkRecord,
    security,
)
from models.calendar import period_of, shift_period
from models.direct import DirectStatement, connection_of
from models.money import format_fen
from models.people import liaison_names
from models.wages import Balance, worker_ledger

router = Router("worker_self")


def hotline(period: str) -> str:
    """The way to complain, with the worker's own period in the example."""
    return (
        f"如工资逾期仍未收到，可发送“未收到 期间：{period}”向项目联系人反映，"
        "也可拨打劳动保障监察投诉电话 12333。"
    )


QUERY_WINDOW = timedelta(hours=1)
QUERY_LIMIT = 30  # 查工资/查培训/我的信息/未收到 per account and hour
SETTLED_SHOWN = 3  # fully paid periods listed per project; older ones are only counted
WEEKDAYS = "一二三四五六日"


def limiter(ctx: HandlerContext) -> RateLimiter:
    """Redis's limiter when REDIS_URL is set (shared by replicas), else `models.security`.

    Both offer hit(session, key, window, limit, now=), count(session, key, window, now=)
    and clear(session, key) with the same fixed windows.
    """
    support = ctx.services.redis if ctx.services is not None else None
    return support.limiter if support is not None else security


def throttle(ctx: HandlerContext) -> None:
    """Refuse when an account queries more than QUERY_LIMIT times an hour (SPEC §8)."""
    key = f"query:{ctx.user.userid}"
    if not limiter(ctx).hit(ctx.session, key, QUERY_WINDOW, QUERY_LIMIT, now=ctx.now):
        raise UserError(f"查询太频繁：每个账号每小时最多查询{QUERY_LIMIT}次，请一小时后再试。")


def day_text(d: date) -> str:
    return f"{d:%Y-%m-%d}（周{WEEKDAYS[d.weekday()]}）"


@functools.cache
def _own_projects_stmt() -> Select[Project]:
    worker_id = bindparam("worker_id", type_=BigInteger)
    on_ledger = select(WorkRecord.project_id).where(WorkRecord.worker_id == worker_id)
    registered = select(ProjectWorker.project_id).where(ProjectWorker.worker_id == worker_id)
    return (
        select(Project)
        .where(Project.id.in_(registered.union(on_ledger).scalar_subquery()))
        .order_by(Project.code)
    )


def own_projects(session: Session, worker_id: int) -> list[Project]:
    """The projects a worker is registered on or has ledger lines in, by code."""
    return list(session.scalars(_own_projects_stmt(), {"worker_id": worker_id}))


def worker_label(worker: Worker) -> str:
    """A worker as liaisons see them in notices: name and masked ID number."""
    return f"{worker.name}（{worker.id_masked}）"


def status_text(b: Balance, today: date) -> str:
    """Due date and whether it is overdue, for one (project, period)."""
    if b.outstanding_fen <= 0:
        return "已发清"
    if b.is_overdue(today):
        return f"应于{day_text(b.due)}前发放，已逾期{(today - b.due).days}天"
    return f"应于{day_text(b.due)}前发放，未到期"


# The worker's own queries run on every 查工资: built once and run with parameters, they skip
# SQLAlchemy's statement construction, which costs more CPU than PostgreSQL spends on them.
@functools.cache
def _days_stmt() -> Select[int, str, Decimal]:
    return (
        select(WorkRecord.project_id, WorkRecord.period, func.sum(WorkRecord.days))
        .where(WorkRecord.worker_id == bindparam("worker_id"))
        .group_by(WorkRecord.project_id, WorkRecord.period)
    )


def days_worked(session: Session, worker_id: int) -> dict[tuple[int, str], Decimal]:
    """Days per (project, period); reversal rows carry negative days, so SUM is the truth."""
    rows = session.execute(_days_stmt(), {"worker_id": worker_id})
    return {(int(p), str(per)): Decimal(d or 0) for p, per, d in rows}


class Paid(NamedTuple):
    """One payment as 查工资 shows it."""

    project_id: int
    period: str
    amount_fen: int
    paid_on: date
    method: str


# 查工资 runs on every worker's question: its two list queries go on the driver (models/direct.py)
_PAYMENTS = DirectStatement(
    select(
        WagePayment.project_id,
        WagePayment.period,
        WagePayment.amount_fen,
        WagePayment.paid_on,
        WagePayment.method,
    )
    .where(
        WagePayment.worker_id == bindparam("worker_id", type_=BigInteger), WagePayment.in_force()
    )
    .order_by(WagePayment.paid_on, WagePayment.id),
    typed=True,
)
_PROJECT_HEADS = DirectStatement(
    _own_projects_stmt().with_only_columns(Project.id, Project.code, Project.name)
)


def payments(session: Session, worker_id: int) -> dict[tuple[int, str], list[Paid]]:
    """Payments not cancelled by a reversal, per (project, period), oldest first."""
    found: dict[tuple[int, str], list[Paid]] = defaultdict(list)
    for row in _PAYMENTS.execute(connection_of(session), {"worker_id": worker_id}):
        paid = Paid(*row)
        found[(paid.project_id, paid.period)].append(paid)
    return found


def days_text(d: Decimal) -> str:
    """Decimal('12.50') → '12.5天'."""
    return f"{d.normalize():f}天"


@dataclass
class WageLines:
    """The per-project lines of 查工资, the total outstanding, its overdue part, the oldest
    period with money outstanding (None when all is paid)."""

    lines: list[str]
    total: int
    late: int
    first_unpaid: str | None


def wage_lines(session: Session, worker: Worker, today: date) -> WageLines:
    rows, days = worker_ledger(session, worker.id)
    paid = payments(session, worker.id)
    by_project: dict[int, list[Balance]] = defaultdict(list)
    for b in rows:
        by_project[b.project_id].append(b)
    lines: list[str] = []
    total = late = 0
    heads = _PROJECT_HEADS.execute(connection_of(session), {"worker_id": worker.id})
    for project_id, code, name in heads:
        lines.append(f"【{code} {name}】")
        periods = sorted(by_project.get(project_id, []), key=lambda b: b.period, reverse=True)
        if not periods:
            lines.append("暂无出工记录。")
            continue
        settled = [b for b in periods if b.outstanding_fen <= 0]
        shown = [b for b in periods if b.outstanding_fen > 0] + settled[:SETTLED_SHOWN]
        for b in sorted(shown, key=lambda b: b.period):
            d = days.get((project_id, b.period), Decimal(0))
            text = f"{b.period}：出工{days_text(d)}，应发{format_fen(b.owed_fen)}"
            pays = paid.get((project_id, b.period), [])
            if pays:
                text += "，已发" + "、".join(
                    f"{format_fen(p.amount_fen)}（{p.paid_on:%Y-%m-%d} {p.method}）" for p in pays
                )
            else:
                text += "，已发0元"
            if b.outstanding_fen > 0:
                text += f"，未发{format_fen(b.outstanding_fen)}"
                total += b.outstanding_fen
                late += b.outstanding_fen if b.is_overdue(today) else 0
            lines.append(text + "；" + status_text(b, today) + "。")
        if len(settled) > SETTLED_SHOWN:
            lines.append(f"（更早{len(settled) - SETTLED_SHOWN}个月已发清，未列出）")
    unpaid = [b.period for b in rows if b.outstanding_fen > 0]
    return WageLines(lines, total, late, min(unpaid) if unpaid else None)


@router.command(
    "查工资",
    aliases=("我的工资", "工资发了吗", "查询工资", "工资查询"),
    help="务工人员查自己的出工天数、应发、已发、未发和应发日期（需先“绑定”）",
    example="查工资",
)
def my_wages(msg: Incoming, ctx: HandlerContext) -> Reply:
    worker = require_worker(ctx)
    throttle(ctx)
    found = wage_lines(ctx.session, worker, ctx.today)
    lines, total, late = found.lines, found.total, found.late
    head = f"{worker.name}的劳务报酬（截至{ctx.today:%Y-%m-%d}）："
    if not lines:
        return Reply(head + "\n您还没有在任何项目登记。如在工地干过活，请联系项目联系人登记。")
    if total > 0:
        tail = f"合计未发{format_fen(total)}"
        tail += f"，其中已逾期{format_fen(late)}。" if late else "，均未到期。"
        lines += ["", tail, hotline(found.first_unpaid or period_of(ctx.today))]
    else:
        last = shift_period(period_of(ctx.today), -1)
        lines += [
            "",
            f"台账上的工资都已发清。如实际没有收到，可发送“未收到 期间：{last}”反映，或拨打 12333。",
        ]
    if is_kf_account(ctx.user.userid):  # no WeCom sign-in: the single-use link
        lines += ["", wage_link_text(ctx, worker)]
    return Reply("\n".join([head, *lines]))


@router.command(
    "查培训",
    aliases=("我的培训", "培训查询"),
    help="务工人员查自己参加过的技能培训（需先“绑定”）",
    example="查培训",
)
def my_trainings(msg: Incoming, ctx: HandlerContext) -> Reply:
    worker = require_worker(ctx)
    throttle(ctx)
    rows = ctx.session.execute(
        select(Training, Project.code)
        .join(Project, Project.id == Training.project_id)
        .where(
            Training.worker_id == worker.id,
            Training.in_force(),
        )
        .order_by(Training.train_date, Training.id)
    ).all()
    if not rows:
        return Reply(
            f"{worker.name}：培训台账上还没有您的培训记录。如参加过培训，请联系项目联系人补记。"
        )
    lines = [f"{worker.name}的技能培训（共{len(rows)}次）："]
    hours = Decimal(0)
    for t, code in rows:
        lines.append(
            f"· {t.train_date:%Y-%m-%d} {code} {t.topic}（{t.mode}，{t.hours.normalize():f}学时）"
        )
        hours += t.hours
    lines.append(f"合计{hours.normalize():f}学时。")
    return Reply("\n".join(lines))


@router.command(
    "我的信息",
    aliases=("我的资料", "个人信息"),
    help="查看助手保存的您本人的信息（身份证号、手机号只显示部分数字）",
    example="我的信息",
)
def my_info(msg: Incoming, ctx: HandlerContext) -> Reply:
    worker = require_worker(ctx)
    throttle(ctx)
    lines = [
        "以工代赈助手保存的您的信息：",
        f"姓名：{worker.name}",
        f"身份证号：{worker.id_masked}",
        f"手机：{worker.phone_masked or '未登记'}",
        f"村：{worker.village or '未登记'}",
        f"人员类别：{worker.priority_group}",
        f"企业微信账号：{ctx.user.userid}（已绑定）",
    ]
    projects = own_projects(ctx.session, worker.id)
    liaisons = liaison_names(ctx.session, [p.id for p in projects])
    if projects:
        lines.append("参与项目：")
        for p in projects:
            names = "、".join(liaisons.get(p.id, [])) or "未指定"
            lines.append(f"· {p.code} {p.name}（联系人：{names}）")
    lines += [
        "",
        "身份证号和手机号加密保存，只有您本人和负责您项目的人员能看到部分数字。"
        "信息有误请联系项目联系人更正；账号换了请联系项目联系人“解绑”后重新绑定。",
    ]
    return Reply("\n".join(lines))
