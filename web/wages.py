"""我的工资: a worker's own days, owed, paid, due dates and overdue, month by month; 未收到.

Only ever the signed-in worker's own rows: the page takes no worker id, and 未收到 goes
through the chat command, which checks the project and period against the worker's ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.context import Incoming
from bot.errors import UserError
from handlers.worker_self import Paid, days_worked, own_projects, payments
from models import Project, Worker
from models.money import format_fen
from models.wages import balances
from web.core import (
    PageError,
    Viewer,
    check_csrf,
    database,
    handler_context,
    render,
    viewer,
)

router = APIRouter()


@dataclass
class MonthRow:
    period: str
    days: Decimal
    owed: int
    paid: int
    pays: list[Paid]
    due: date
    overdue_days: int

    @property
    def outstanding(self) -> int:
        return max(self.owed - self.paid, 0)


def wage_table(db: Session, worker: Worker, today: date) -> list[tuple[Project, list[MonthRow]]]:
    """Per project (by code), its months newest first."""
    rows = balances(db, worker_id=worker.id)
    days = days_worked(db, worker.id)
    paid = payments(db, worker.id)
    out = []
    for project in own_projects(db, worker.id):
        months = [
            MonthRow(
                b.period,
                days.get((project.id, b.period), Decimal(0)),
                b.owed_fen,
                b.paid_fen,
                paid.get((project.id, b.period), []),
                b.due,
                (today - b.due).days if b.is_overdue(today) else 0,
            )  # fmt: skip
            for b in rows
            if b.project_id == project.id
        ]
        out.append((project, sorted(months, key=lambda m: m.period, reverse=True)))
    return out


def _worker(db: Session, v: Viewer) -> Worker:
    """The worker bound to this account (a liaison may be one too); nobody else's."""
    worker = db.get(Worker, v.principal.worker_id) if v.principal.worker_id else None
    if worker is None:
        raise PageError(
            403, "您的账号还没有绑定务工人员信息。请在应用里发送“绑定 姓名：… 身份证：…”。"
        )
    return worker


def _page(request: Request, db: Session, v: Viewer, status: int = 200, **extra: object) -> Response:
    worker = _worker(db, v)
    ctx = handler_context(request, db, v)
    table = wage_table(db, worker, ctx.today)
    total = sum(m.outstanding for _, ms in table for m in ms)
    late = sum(m.outstanding for _, ms in table for m in ms if m.overdue_days)
    return render(
        "wages.html", status=status, viewer=v, worker=worker, table=table, total=total,
        late=late, today=ctx.today, money=format_fen, **extra,
    )  # fmt: skip


@router.get("/wages")
def my_wages(request: Request) -> Response:
    with database(request) as db:
        v = viewer(request, db)
        return _page(request, db, v)


@router.post("/wages/complain")
def complain(
    request: Request, project: str = Form(""), period: str = Form(""), csrf: str = Form("")
) -> Response:
    with database(request) as db:
        v = viewer(request, db)
        check_csrf(v, csrf)
        _worker(db, v)
        ctx = handler_context(request, db, v)
        # one line, one token each: a form field cannot add words to the command
        code, month = ("".join(x.split())[:40] for x in (project, period))
        text = f"未收到 项目：{code} 期间：{month}"
        msg = Incoming(user_id=v.principal.userid, kind="text", text=text)
        try:
            assert ctx.services is not None  # pages always run inside the app
            answer = ctx.services.router.dispatch(msg, ctx).text
            db.commit()
        except UserError as err:
            db.rollback()
            return _page(request, db, v, status=422, error=err.message)
        return _page(request, db, v, result=answer)
