"""Checks and bulk writes of ledger lines, shared by chat batches and file imports.

A line is validated on its own (`check_*`), then against the database in one query per
batch (`duplicates_*`), then written in one multi-row INSERT (`write_*`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.settings import Settings
from bot.text import normalize
from domain.parsing import (
    MAX_DAYS_PER_DATE,
    check_in_project,
    check_not_future,
    period_of,
)
from models import Channel, PayMethod, Project, Training, TrainingMode, WagePayment, WorkRecord
from models.direct import DirectStatement, flushed_connection, one_of
from models.locks import lock_workers
from models.money import format_fen
from models.wages import balances

# -- line types ---------------------------------------------------------------------------------


@dataclass
class WorkLine:
    where: str
    project: Project
    worker_id: int
    work_date: date
    days: Decimal
    daily_wage_fen: int
    end_date: date | None = None  # a month total: work_date..end_date is the whole month

    @property
    def due_fen(self) -> int:
        return int((self.days * self.daily_wage_fen).to_integral_value())

    @property
    def period(self) -> str:
        return period_of(self.work_date)


@dataclass
class WageLine:
    where: str
    project: Project
    worker_id: int
    period: str
    amount_fen: int
    paid_on: date
    method: str
    voucher: str = ""


@dataclass
class TrainingLine:
    where: str
    project: Project
    worker_id: int
    train_date: date
    topic: str
    mode: str
    hours: Decimal


# -- single-field validators --------------------------------------------------------------------

_METHODS = {
    "银行代发": PayMethod.BANK,
    "银行": PayMethod.BANK,
    "代发": PayMethod.BANK,
    "银行卡": PayMethod.BANK,
    "转账": PayMethod.BANK,
    "银行转账": PayMethod.BANK,
    "一卡通": PayMethod.CARD,
    "惠农一卡通": PayMethod.CARD,
    "惠民惠农一卡通": PayMethod.CARD,
    "社保卡": PayMethod.SOCIAL_CARD,
    "社会保障卡": PayMethod.SOCIAL_CARD,
    "现金": PayMethod.CASH,
}
_RENT_WORDS = ("机械", "车辆", "租金", "台班", "租赁", "设备")


def check_method(text: str, settings: Settings) -> str:
    """A payment method of SPEC §3; 现金 only where the deployment allows it."""
    s = normalize(text)
    if any(w in s for w in _RENT_WORDS):
        raise UserError("机械、车辆租金不是劳务报酬，不能记入劳务报酬发放台账")
    method = _METHODS.get(s)
    if method is None:
        raise UserError(f"发放方式“{s}”不认识，请写 银行代发、一卡通 或 社保卡")
    if method == PayMethod.CASH and not settings.allow_cash:
        raise UserError(
            "劳务报酬应直接发放到务工人员本人账户（银行代发、一卡通或社保卡），"
            "现金发放无法留痕，本系统不予登记。确需现金发放的，请联系系统管理员开启“允许现金发放”。"
        )
    return str(method)


_MODES = {
    "培训+上岗": TrainingMode.TRAIN_THEN_WORK,
    "先培训后上岗": TrainingMode.TRAIN_THEN_WORK,
    "培训上岗": TrainingMode.TRAIN_THEN_WORK,
    "岗前培训": TrainingMode.TRAIN_THEN_WORK,
    "实训": TrainingMode.PRACTICE,
    "以工代训": TrainingMode.ON_THE_JOB,
}


def check_mode(text: str) -> str:
    s = normalize(text).replace(" ", "")
    mode = _MODES.get(s)
    if mode is None:
        raise UserError(f"培训方式“{s}”不认识，请写 培训+上岗、实训 或 以工代训")
    return str(mode)


def check_daily_wage(fen: int, settings: Settings) -> int:
    if fen <= 0:
        raise UserError("日薪必须大于0，例如：日薪：150")
    if fen > settings.max_daily_wage * 100:
        raise UserError(
            f"日薪 {fen / 100:g}元 超过上限 {settings.max_daily_wage}元，请核对"
            "（上限由系统管理员设置）"
        )
    return fen


def check_ledger_date(d: date, today: date, project: Project, what: str) -> date:
    check_not_future(d, today, what)
    return check_in_project(d, project, what)


# -- duplicates ---------------------------------------------------------------------------------


def _range(lines: Sequence[Any], attr: str) -> tuple[date, date]:
    values = [getattr(x, attr) for x in lines]
    return min(values), max(values)


WORKER_CHUNK = 2000


@dataclass(frozen=True)
class WorkNet:
    """What the ledger holds, net of reversals, for one (project, worker, date)."""

    code: str
    days: Decimal
    daily_wage_fen: int


def net_work(key: Any, *conditions: Any) -> DirectStatement:
    """Net days and the day wage per (project, its code, worker, `key`) of the work ledger rows
    meeting `conditions`, reversals netted out (on the driver, typed: models/direct.py)."""
    return DirectStatement(
        select(
            WorkRecord.project_id,
            Project.code,
            WorkRecord.worker_id,
            key,
            func.sum(WorkRecord.days),
            func.max(WorkRecord.daily_wage_fen),
        )
        .join(Project, Project.id == WorkRecord.project_id)
        .where(*conditions)
        .group_by(WorkRecord.project_id, Project.code, WorkRecord.worker_id, key)
        .having(func.sum(WorkRecord.days) > 0),
        typed=True,
    )


_WORK_EXISTING = net_work(
    WorkRecord.work_date,
    one_of(WorkRecord.worker_id, "workers"),
    WorkRecord.period.between(bindparam("first_period"), bindparam("last_period")),
    WorkRecord.work_date.between(bindparam("first"), bindparam("last")),
    WorkRecord.end_date.is_(None),  # month totals are checked in split_work
)


def work_existing(
    session: Session, lines: Sequence[WorkLine]
) -> dict[tuple[int, int, date], WorkNet]:
    """Net work per (project, worker, date) for the workers and dates of `lines`, on any project.

    Every project counts, not only those of `lines`: a worker's days on one date are capped
    across projects. Workers are looked up in chunks through the (worker_id, period) index.
    """
    if not lines:
        return {}
    lo, hi = _range(lines, "work_date")
    workers = sorted({x.worker_id for x in lines})
    conn = flushed_connection(session)
    out: dict[tuple[int, int, date], WorkNet] = {}
    for i in range(0, len(workers), WORKER_CHUNK):
        params = {
            "workers": workers[i : i + WORKER_CHUNK],
            "first_period": period_of(lo),
            "last_period": period_of(hi),
            "first": lo,
            "last": hi,
        }
        for p, code, w, d, days, wage in _WORK_EXISTING.execute(conn, params):
            out[(p, w, d)] = WorkNet(str(code), Decimal(days), int(wage))
    return out


def split_work(
    session: Session, lines: Sequence[WorkLine]
) -> tuple[list[WorkLine], list[WorkLine], list[tuple[str, str]]]:
    """(new lines, lines already recorded with the same content, problems).

    Problems: the same worker, project and date twice; a different record for them already
    in the ledger; and a worker's days on one date going over one day, counting the ledger
    on every project and the earlier lines of the batch.
    """
    lock_workers(session, (x.worker_id for x in lines))  # before the reads: see models/locks.py
    from domain.entries_months import month_totals, split_months

    months = [x for x in lines if x.end_date is not None]
    lines = [x for x in lines if x.end_date is None]
    existing = work_existing(session, lines)
    totals = month_totals(session, [*lines, *months])
    new: list[WorkLine] = []
    same: list[WorkLine] = []
    problems: list[tuple[str, str]] = []
    if months or totals:
        split_months(session, months, lines, totals, new, same, problems)
    on_date: dict[tuple[int, date], list[tuple[str, Decimal]]] = {}
    for (_, w, d), net in existing.items():
        on_date.setdefault((w, d), []).append((f"项目 {net.code} 已记", net.days))
    seen: dict[tuple[int, int, date], str] = {}
    for x in lines:
        key = (x.project.id, x.worker_id, x.work_date)
        if key in seen:
            problems.append((x.where, f"与{seen[key]}重复：同一人同一天在同一项目只能记一次"))
            continue
        seen[key] = x.where
        old = existing.get(key)
        if old is not None:
            if (old.days, old.daily_wage_fen) == (x.days, x.daily_wage_fen):
                same.append(x)
            else:
                problems.append(
                    (
                        x.where,
                        f"{x.work_date:%Y-%m-%d} 已记过工（{show_days(old.days)}天），重复记工不予登记；如需更正请先冲正",
                    )
                )
            continue
        before = on_date.setdefault((x.worker_id, x.work_date), [])
        total = sum((days for _, days in before), x.days)
        if total > MAX_DAYS_PER_DATE:
            told = "，".join(f"在{what} {show_days(days)}天" for what, days in before)
            problems.append(
                (
                    x.where,
                    f"{x.work_date:%Y-%m-%d} 此人{told}，再记 {show_days(x.days)}天 共 {show_days(total)}天，"
                    "超过1天：一人一天最多记1天（各项目合计）。请核对天数；记错的请先冲正",
                )
            )
            continue
        before.append((f"{_line_name(x.where)}记", x.days))
        new.append(x)
    return new, same, problems


def show_days(days: Decimal) -> str:
    """`0.50` from the database as `0.5`, `1.00` as `1`."""
    return f"{days.normalize():f}"


def _line_name(where: str) -> str:
    """How a batch line is named in a message: `第3行「张三 1天」` or a file's row number."""
    return f"第{where}行" if where.isdigit() else where


def split_wages(
    session: Session, lines: Sequence[WageLine]
) -> tuple[list[WageLine], list[WageLine]]:
    """(new lines, lines identical to a payment already recorded and not reversed)."""
    if not lines:
        return [], []
    lock_workers(session, (x.worker_id for x in lines))  # before the reads: see models/locks.py
    stmt = select(
        WagePayment.project_id,
        WagePayment.worker_id,
        WagePayment.period,
        WagePayment.amount_fen,
        WagePayment.paid_on,
    ).where(
        WagePayment.project_id.in_({x.project.id for x in lines}),
        WagePayment.paid_on.between(*_range(lines, "paid_on")),
        WagePayment.in_force(),
    )
    existing = {tuple(r) for r in session.execute(stmt)}
    new: list[WageLine] = []
    same: list[WageLine] = []
    for x in lines:
        key = (x.project.id, x.worker_id, x.period, x.amount_fen, x.paid_on)
        (same if key in existing else new).append(x)
        existing.add(key)
    return new, same


def wages_owed_paid(
    session: Session, lines: Sequence[WageLine]
) -> dict[tuple[int, int, str], tuple[int, int]]:
    """(owed per the work ledger, paid) in fen per (project, worker, period) touched by `lines`."""
    if not lines:
        return {}
    projects = {x.project.id for x in lines}
    periods = {x.period for x in lines}
    workers = sorted({x.worker_id for x in lines})
    out: dict[tuple[int, int, str], tuple[int, int]] = {}
    for i in range(0, len(workers), WORKER_CHUNK):
        for b in balances(
            session, project_ids=projects, worker_id=workers[i : i + WORKER_CHUNK], period=periods
        ):
            out[(b.project_id, b.worker_id, b.period)] = (b.owed_fen, b.paid_fen)
    return out


def check_wages_owed(session: Session, lines: Sequence[WageLine]) -> list[tuple[str, str]]:
    """Problems for payments that would take the total paid over the total owed.

    Per (project, worker, period), what the ledger has paid plus the earlier lines of the
    batch plus this line may not exceed what the work ledger says is owed; a refused line
    does not count towards the next one.
    """
    lock_workers(session, (x.worker_id for x in lines))
    totals = wages_owed_paid(session, lines)
    batch: dict[tuple[int, int, str], int] = {}
    problems: list[tuple[str, str]] = []
    how = "如有工未记，请先记工（聊天发“记工”，或导入 work 表），再登记发放"
    for x in lines:
        key = (x.project.id, x.worker_id, x.period)
        owed, paid = totals.get(key, (0, 0))
        earlier = batch.get(key, 0)
        if paid + earlier + x.amount_fen <= owed:
            batch[key] = earlier + x.amount_fen
            continue
        if owed <= 0:
            problems.append(
                (
                    x.where,
                    f"务工台账中此人 {x.period} 在项目 {x.project.code} 没有记工、没有应发劳务报酬，"
                    f"不能登记发放 {format_fen(x.amount_fen)}。{how}",
                )
            )
            continue
        left = max(owed - paid - earlier, 0)
        also = f"，本批前面的行已发 {format_fen(earlier)}" if earlier else ""
        problems.append(
            (
                x.where,
                f"{x.period} 在项目 {x.project.code} 应发 {format_fen(owed)}，已发 {format_fen(paid)}"
                f"{also}，尚未发放 {format_fen(left)}；本次 {format_fen(x.amount_fen)} "
                f"超出 {format_fen(x.amount_fen - left)}。发放不能超过务工台账应发数，请核对金额；"
                + how,
            )
        )
    return problems


def split_trainings(
    session: Session, lines: Sequence[TrainingLine]
) -> tuple[list[TrainingLine], list[TrainingLine]]:
    """(new lines, lines for a worker, date and topic already recorded)."""
    if not lines:
        return [], []
    stmt = (
        select(Training.project_id, Training.worker_id, Training.train_date, Training.topic)
        .where(
            Training.project_id.in_({x.project.id for x in lines}),
            Training.train_date.between(*_range(lines, "train_date")),
        )
        .group_by(Training.project_id, Training.worker_id, Training.train_date, Training.topic)
        .having(func.sum(Training.hours) > 0)
    )
    existing = {tuple(r) for r in session.execute(stmt)}
    new: list[TrainingLine] = []
    same: list[TrainingLine] = []
    for x in lines:
        key = (x.project.id, x.worker_id, x.train_date, x.topic)
        (same if key in existing else new).append(x)
        existing.add(key)
    return new, same


# -- writes -------------------------------------------------------------------------------------


def _insert(
    session: Session, model: type[Any], rows: list[dict[str, Any]], numbered: bool
) -> list[int]:
    """Insert `rows`; the new ids in the order of `rows` when `numbered`.

    Imports need no ids: a plain executemany on the table is several times faster. Numbered
    rows (a chat batch) go on the driver, pipelined on PostgreSQL (models/direct.py).
    """
    if not rows:
        return []
    table = model.__table__
    if not numbered:
        session.execute(insert(table), rows)
        return [0] * len(rows)
    statement = _numbered_insert(table)
    return [int(r[0]) for r in statement.execute_many(flushed_connection(session), rows)]


@functools.cache
def _numbered_insert(table: Table) -> DirectStatement:
    """INSERT … RETURNING id of every column but the id. A column a row leaves out gets its
    default (`created_at`, `channel` …), or NULL when it has none (`reverses_id`)."""
    columns = [c for c in table.columns if not c.primary_key and c.default is None]
    return DirectStatement(
        insert(table)
        .values({c.key: bindparam(c.key, None, type_=c.type, required=False) for c in columns})
        .returning(table.c.id)
    )


def _who(actor: str, channel: str | Channel) -> dict[str, str]:
    return {"created_by": actor, "channel": str(channel)}


def write_work(
    session: Session, lines: Sequence[WorkLine], actor: str, channel: str, numbered: bool = True
) -> list[int]:
    rows = [
        {
            "project_id": x.project.id,
            "worker_id": x.worker_id,
            "work_date": x.work_date,
            "period": period_of(x.work_date),
            "days": x.days,
            "daily_wage_fen": x.daily_wage_fen,
            "due_fen": x.due_fen,
            "end_date": x.end_date,
            **_who(actor, channel),
        }
        for x in lines
    ]
    return _insert(session, WorkRecord, rows, numbered)


def write_wages(
    session: Session, lines: Sequence[WageLine], actor: str, channel: str, numbered: bool = True
) -> list[int]:
    rows = [
        {
            "project_id": x.project.id,
            "worker_id": x.worker_id,
            "period": x.period,
            "amount_fen": x.amount_fen,
            "paid_on": x.paid_on,
            "method": x.method,
            "voucher": x.voucher,
            **_who(actor, channel),
        }
        for x in lines
    ]
    return _insert(session, WagePayment, rows, numbered)


def write_trainings(
    session: Session, lines: Sequence[TrainingLine], actor: str, channel: str, numbered: bool = True
) -> list[int]:
    rows = [
        {
            "project_id": x.project.id,
            "worker_id": x.worker_id,
            "train_date": x.train_date,
            "topic": x.topic,
            "mode": x.mode,
            "hours": x.hours,
            **_who(actor, channel),
        }
        for x in lines
    ]
    return _insert(session, Training, rows, numbered)


def write_wage_reversals(
    session: Session,
    entries: Sequence[tuple[WagePayment, str]],
    actor: str,
    channel: str,
) -> list[int]:
    """Reversal rows (negated amount, pointing at the entry) for (payment, reason) pairs."""
    lock_workers(session, (p.worker_id for p, _ in entries))  # as 冲正 does: see models/locks.py
    rows = [
        {
            "project_id": p.project_id,
            "worker_id": p.worker_id,
            "period": p.period,
            "amount_fen": -p.amount_fen,
            "paid_on": p.paid_on,
            "method": p.method,
            "voucher": p.voucher,
            "reverses_id": p.id,
            "reason": reason[:200],
            **_who(actor, channel),
        }
        for p, reason in entries
    ]
    return _insert(session, WagePayment, rows, True)
