"""Owed against paid per (project, worker, period), and which of it is overdue — in SQL.

Work records and payments are both append-only with negated reversal rows, so a plain
SUM over each ledger is the truth. Due dates depend on each project's pay day and China's
holidays; they are turned into a per-pay-day cutoff period so that the database can filter.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    Select,
    Subquery,
    and_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from models.calendar import due_date, last_overdue_period
from models.ledgers import WagePayment, WorkRecord
from models.project import Project


def labour_share(paid_fen: int, fiscal_fen: int) -> Decimal | None:
    """劳务报酬发放比例 (policy （一）): wages paid over the project's fiscal funds."""
    if fiscal_fen <= 0:
        return None
    return Decimal(paid_fen) / Decimal(fiscal_fen)


@dataclass(frozen=True)
class Balance:
    project_id: int
    worker_id: int
    period: str
    owed_fen: int
    paid_fen: int
    pay_day: int = 15

    @property
    def outstanding_fen(self) -> int:
        return self.owed_fen - self.paid_fen

    @property
    def due(self) -> date:
        return due_date(self.period, self.pay_day)

    def is_overdue(self, today: date) -> bool:
        return self.outstanding_fen > 0 and self.due < today


# A worker or a period filter: one value, several (a collection, or an expanding parameter).
WorkerFilter = int | Collection[int] | BindParameter[Any] | None
PeriodFilter = str | Collection[str] | BindParameter[Any] | None


def _many(value: object) -> bool:
    if isinstance(value, BindParameter):
        return bool(value.expanding)
    return isinstance(value, Collection) and not isinstance(value, str)


def _ledger_union(
    project_ids: Iterable[int] | Select[int] | BindParameter[Any] | None,
    worker_id: WorkerFilter,
    period: PeriodFilter,
) -> Subquery:
    def narrow(stmt: Select, model: type[WorkRecord] | type[WagePayment]) -> Select:  # type: ignore[type-arg]
        if project_ids is not None:
            ids = (
                project_ids
                if isinstance(project_ids, Select | BindParameter)
                else list(project_ids)
            )
            stmt = stmt.where(model.project_id.in_(ids))
        if worker_id is not None:
            stmt = stmt.where(
                model.worker_id.in_(worker_id) if _many(worker_id) else model.worker_id == worker_id  # type: ignore[arg-type]
            )
        if period is not None:
            stmt = stmt.where(model.period.in_(period) if _many(period) else model.period == period)
        return stmt

    owed = narrow(
        select(
            WorkRecord.project_id.label("project_id"),
            WorkRecord.worker_id.label("worker_id"),
            WorkRecord.period.label("period"),
            WorkRecord.due_fen.label("owed"),
            literal(0).label("paid"),
            WorkRecord.days.label("days"),
        ),
        WorkRecord,
    )
    paid = narrow(
        select(
            WagePayment.project_id,
            WagePayment.worker_id,
            WagePayment.period,
            literal(0),
            WagePayment.amount_fen,
            literal(0),
        ),
        WagePayment,
    )
    return union_all(owed, paid).subquery("ledger")


def balances_stmt(
    *,
    project_ids: Iterable[int] | Select[int] | BindParameter[Any] | None = None,
    worker_id: WorkerFilter = None,
    period: PeriodFilter = None,
) -> Select[int, int, str, int, int, int]:
    """SELECT project_id, worker_id, period, owed, paid, pay_day grouped per (project, worker, period)."""
    u = _ledger_union(project_ids, worker_id, period)
    return (
        select(
            u.c.project_id,
            u.c.worker_id,
            u.c.period,
            func.sum(u.c.owed).label("owed"),
            func.sum(u.c.paid).label("paid"),
            Project.pay_day,
        )
        .join(Project, Project.id == u.c.project_id)
        .group_by(u.c.project_id, u.c.worker_id, u.c.period, Project.pay_day)
    )


def overdue_filter(
    session: Session,
    today: date,
    *,
    owed: ColumnElement[int],
    paid: ColumnElement[int],
    period: ColumnElement[str],
    pay_day: ColumnElement[int],
) -> ColumnElement[bool]:
    """Unpaid and past the due date for the project's pay day (one cutoff per distinct pay day)."""
    pay_days = [int(p) for p in session.scalars(select(Project.pay_day).distinct())]
    per_day = [and_(pay_day == pd, period <= last_overdue_period(today, pd)) for pd in pay_days]
    return and_(owed > paid, or_(*per_day) if per_day else false())


# How a filter is given: not at all, one value, or several.
_NONE, _ONE, _MANY = 0, 1, 2


def _arity(value: object) -> int:
    return _NONE if value is None else _MANY if _many(value) else _ONE


def _param(name: str, arity: int) -> BindParameter[Any] | None:
    return None if arity == _NONE else bindparam(name, expanding=arity == _MANY)


@functools.cache
def _balances_shape(
    projects: bool, worker: int, period: int
) -> Select[int, int, str, int, int, int]:
    """The statement for one combination of filters, built once and run with parameters:
    building this UNION costs more CPU than PostgreSQL spends running it for one worker."""
    return balances_stmt(
        project_ids=bindparam("project_ids", expanding=True) if projects else None,
        worker_id=_param("worker_id", worker),
        period=_param("period", period),
    )


def balances(
    session: Session,
    *,
    project_ids: Iterable[int] | Select[int] | None = None,
    worker_id: int | Collection[int] | None = None,
    period: str | Collection[str] | None = None,
) -> list[Balance]:
    """Owed and paid per (project, worker, period); `worker_id` and `period` take one value
    or a collection of them."""
    if isinstance(project_ids, Select):
        stmt = balances_stmt(project_ids=project_ids, worker_id=worker_id, period=period)
        return [_balance(r) for r in session.execute(stmt)]
    params: dict[str, Any] = {
        "worker_id": list(worker_id) if _many(worker_id) else worker_id,  # type: ignore[arg-type]
        "period": list(period) if _many(period) else period,  # type: ignore[arg-type]
    }
    if project_ids is not None:
        params["project_ids"] = list(project_ids)
    params = {k: v for k, v in params.items() if v is not None}
    shape = _balances_shape(project_ids is not None, _arity(worker_id), _arity(period))
    return [_balance(r) for r in session.execute(shape, params)]


def overdue(
    session: Session,
    today: date,
    *,
    project_ids: Iterable[int] | Select[int] | None = None,
    worker_id: int | None = None,
) -> list[Balance]:
    """Every (project, worker, period) that is past due with paid < owed, oldest first."""
    sub = balances_stmt(project_ids=project_ids, worker_id=worker_id).subquery("b")
    cond = overdue_filter(
        session, today, owed=sub.c.owed, paid=sub.c.paid, period=sub.c.period, pay_day=sub.c.pay_day
    )
    stmt = (
        select(
            sub.c.project_id, sub.c.worker_id, sub.c.period, sub.c.owed, sub.c.paid, sub.c.pay_day
        )
        .where(cond)
        .order_by(sub.c.period, sub.c.project_id, sub.c.worker_id)
    )
    return [_balance(r) for r in session.execute(stmt)]


def _balance(r: Row[Any, Any, Any, Any, Any, Any]) -> Balance:
    return Balance(int(r[0]), int(r[1]), str(r[2]), int(r[3] or 0), int(r[4] or 0), int(r[5]))


@functools.cache
def _worker_ledger_stmt() -> Select[int, str, int, int, int, Decimal]:
    """balances_stmt for one worker, with the days worked summed in the same pass."""
    u = _ledger_union(None, bindparam("worker_id"), None)
    return (
        select(
            u.c.project_id,
            u.c.period,
            func.sum(u.c.owed),
            func.sum(u.c.paid),
            Project.pay_day,
            func.sum(u.c.days),
        )
        .join(Project, Project.id == u.c.project_id)
        .group_by(u.c.project_id, u.c.period, Project.pay_day)
    )


def worker_ledger(
    session: Session, worker_id: int
) -> tuple[list[Balance], dict[tuple[int, str], Decimal]]:
    """One worker's balances (as `balances(worker_id=...)`) and days worked per (project,
    period), reversals netted, in one query."""
    found: list[Balance] = []
    days: dict[tuple[int, str], Decimal] = {}
    for p, period, owed, paid, pay_day, d in session.execute(
        _worker_ledger_stmt(), {"worker_id": worker_id}
    ):
        found.append(
            Balance(int(p), worker_id, str(period), int(owed or 0), int(paid or 0), int(pay_day))
        )
        days[(int(p), str(period))] = Decimal(d or 0)
    return found, days
