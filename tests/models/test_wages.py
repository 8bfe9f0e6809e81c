"""Owed vs paid and overdue wages, computed in SQL, on real dates and holidays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from models import Project, Region, WagePayment, Worker, WorkRecord
from models.calendar import due_date, last_overdue_period, quarter_deadline, shift_quarter
from models.wages import balances, overdue


def _project(session: Session, code: str, pay_day: int = 15) -> Project:
    region = Region(province="山西省", city="忻州市", county="五寨县")
    p = Project(
        code=code, name=code, category="农推", list_level="县", region=region, pay_day=pay_day
    )
    session.add(p)
    session.flush()
    return p


def _worker(session: Session, n: int) -> Worker:
    w = Worker(name=f"工人{n}", id_hash=f"h{n}", id_cipher="c", id_masked="m")
    session.add(w)
    session.flush()
    return w


def test_due_date_moves_back_from_sunday_and_holidays() -> None:
    assert due_date("2026-10") == date(2026, 11, 13)  # 11-15 is a Sunday
    assert due_date("2026-09", pay_day=1) == date(2026, 9, 30)  # 10-01 National Day
    assert due_date("2026-11") == date(2026, 12, 15)
    assert last_overdue_period(date(2026, 11, 13), 15) == "2026-09"
    assert last_overdue_period(date(2026, 11, 14), 15) == "2026-10"
    assert quarter_deadline("2026Q3") > date(2026, 10, 7)  # 10-05 falls in the holiday


def test_balances_and_overdue(session: Session) -> None:
    p = _project(session, "NT-1")
    a, b = _worker(session, 1), _worker(session, 2)

    def work(w: Worker, d: date, fen: int) -> WorkRecord:
        return WorkRecord(
            project_id=p.id,
            worker_id=w.id,
            work_date=d,
            period=d.strftime("%Y-%m"),
            days=Decimal(1),
            daily_wage_fen=fen,
            due_fen=fen,
            created_by="t",
        )

    session.add_all(
        [
            work(a, date(2026, 10, 20), 15000),
            work(a, date(2026, 10, 21), 15000),
            work(b, date(2026, 10, 20), 15000),
        ]
    )
    session.add(
        WagePayment(
            project_id=p.id,
            worker_id=b.id,
            period="2026-10",
            amount_fen=15000,
            paid_on=date(2026, 11, 10),
            method="银行代发",
            created_by="t",
        )
    )
    session.flush()
    rows = {(r.worker_id, r.period): r for r in balances(session, project_ids=[p.id])}
    assert rows[(a.id, "2026-10")].owed_fen == 30000 and rows[(a.id, "2026-10")].paid_fen == 0
    assert rows[(b.id, "2026-10")].outstanding_fen == 0
    assert overdue(session, date(2026, 11, 13)) == []  # due today: not yet overdue
    late = overdue(session, date(2026, 11, 14))
    assert [(r.worker_id, r.outstanding_fen) for r in late] == [(a.id, 30000)]
    assert late[0].due == date(2026, 11, 13)


def test_shift_quarter_crosses_years() -> None:
    assert shift_quarter("2026Q4", 1) == "2027Q1"
    assert shift_quarter("2026Q1", -1) == "2025Q4"
    assert shift_quarter("2026Q2", 5) == "2027Q3"
