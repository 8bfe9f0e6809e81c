"""Seed for payroll tests: the ledger seed plus a crew, and the last full month as the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.settings import Settings
from handlers.demo import valid_id
from handlers.ledger.people import WorkerInput, register_workers
from tests.handlers.ledger_fixtures import Seed, seed_ledger

SURNAMES = "赵钱孙李周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass
class Crew:
    seed: Seed
    names: list[str]  # the crew, in order (the seed's 张三/李四 not included)
    period: str  # last month, YYYY-MM
    first: date
    last: date


def last_month(today: date) -> tuple[str, date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}", last.replace(day=1), last


def seed_crew(session: Session, settings: Settings, size: int = 30) -> Crew:
    seed = seed_ledger(session, settings)
    names = [
        f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i % len(GIVEN)]}{GIVEN[(i * 7) % len(GIVEN)]}"
        for i in range(size)
    ]
    assert len(set(names)) == size
    inputs = [
        WorkerInput(
            "", seed.p1, name, valid_id("142329", date(1980, 1, 1) + timedelta(days=i), 400 + i)
        )
        for i, name in enumerate(names)
    ]
    seed.ids.update({x.name: x.id_number for x in inputs})
    _, problems = register_workers(session, settings, inputs, "seed", "cli")
    assert not problems, problems
    session.commit()
    period, first, last = last_month(seed.today)
    return Crew(seed, names, period, first, last)


def scalar(session: Session, stmt):  # type: ignore[no-untyped-def]
    """Read, then end the transaction (SQLite would otherwise block the bot)."""
    try:
        return session.scalar(stmt)
    finally:
        session.rollback()


def total_days(session: Session, model) -> float:  # type: ignore[no-untyped-def]
    return float(scalar(session, select(func.coalesce(func.sum(model.days), 0))))
