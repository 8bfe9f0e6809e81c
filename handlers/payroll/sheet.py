"""The pay sheet (劳务报酬发放表) of one project and period, computed from the ledgers.

Per worker: days worked and daily wage from the work ledger, 应发 (owed) and 已发 (paid)
from `models.wages.balances`, 本次应发 = owed − paid, and the wage account (masked). The
xlsx, the 公示, the bank file and `发放 按工资表` are all built from this one computation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Project, ProjectWorker, Worker, WorkRecord
from models.wages import balances


@dataclass
class SheetRow:
    worker_id: int
    name: str
    id_masked: str
    days: Decimal
    wages_fen: list[int]  # the daily wage(s) of the period
    owed_fen: int
    paid_fen: int
    account_type: str
    account_masked: str
    bank: str

    @property
    def due_fen(self) -> int:
        """本次应发: what is still unpaid (never negative)."""
        return max(self.owed_fen - self.paid_fen, 0)

    @property
    def wage_text(self) -> str:
        return "/".join(f"{w / 100:g}" for w in self.wages_fen)


@dataclass
class PaySheet:
    project: Project
    period: str
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def owed_fen(self) -> int:
        return sum(r.owed_fen for r in self.rows)

    @property
    def paid_fen(self) -> int:
        return sum(r.paid_fen for r in self.rows)

    @property
    def due_fen(self) -> int:
        return sum(r.due_fen for r in self.rows)

    @property
    def days(self) -> Decimal:
        return sum((r.days for r in self.rows), Decimal(0))

    def without_account(self) -> list[SheetRow]:
        return [r for r in self.rows if r.due_fen and not r.account_masked]


def build_sheet(session: Session, project: Project, period: str) -> PaySheet:
    """Every worker with work or a payment in the period, in the order they were registered."""
    money = {
        b.worker_id: (b.owed_fen, b.paid_fen)
        for b in balances(session, project_ids=[project.id], period=period)
    }
    days: dict[int, Decimal] = {}
    wages: dict[int, list[int]] = {}
    stmt = (
        select(WorkRecord.worker_id, WorkRecord.daily_wage_fen, func.sum(WorkRecord.days))
        .where(WorkRecord.project_id == project.id, WorkRecord.period == period)
        .group_by(WorkRecord.worker_id, WorkRecord.daily_wage_fen)
        .having(func.sum(WorkRecord.days) > 0)
    )
    for wid, wage, d in session.execute(stmt):
        days[wid] = days.get(wid, Decimal(0)) + Decimal(d)
        wages.setdefault(wid, []).append(int(wage))
    ids = set(money) | set(days)
    sheet = PaySheet(project, period)
    if not ids:
        return sheet
    order = (
        select(Worker)
        .join(ProjectWorker, ProjectWorker.worker_id == Worker.id)
        .where(ProjectWorker.project_id == project.id, Worker.id.in_(ids))
        .order_by(ProjectWorker.id)
    )
    for w in session.scalars(order):
        owed, paid = money.get(w.id, (0, 0))
        if not owed and not paid and not days.get(w.id):
            continue
        sheet.rows.append(
            SheetRow(
                worker_id=w.id,
                name=w.name,
                id_masked=w.id_masked,
                days=days.get(w.id, Decimal(0)).normalize(),
                wages_fen=sorted(wages.get(w.id, [])),
                owed_fen=owed,
                paid_fen=paid,
                account_type=w.account_type or "",
                account_masked=w.account_masked or "",
                bank=w.bank or "",
            )
        )
    return sheet
