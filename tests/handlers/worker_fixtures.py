"""Seed data for the worker-facing tests: three projects, liaisons, workers with real ledgers.

Created through the models directly (IDs and phones encrypted with the test data key), so
these tests do not depend on the ledger commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from bot.settings import Settings
from models import (
    Contact,
    Project,
    ProjectLiaison,
    ProjectWorker,
    Region,
    Role,
    Training,
    WagePayment,
    Worker,
    WorkRecord,
)
from models.privacy import mask_id, mask_phone, personal_data
from tests.conftest import at

ADMIN, LIAISON_A, LIAISON_B, LIAISON_C = "admin-county", "liaison-a", "liaison-b", "liaison-c"
ZHANG, LI, WANG, STRANGER = "zhangsan", "lisi", "wangwu", "stranger"
NOW = "2026-11-16T09:00"  # a Monday; October wages were due Fri 2026-11-13


def make_id(area: str, birth: date, seq: int) -> str:
    """A valid 18-digit resident ID number (check digit computed)."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@dataclass
class People:
    ids: dict[str, str]  # name → full ID number
    phones: dict[str, str]  # name → phone
    workers: dict[str, Worker] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)


IDS = {
    "张三": make_id("142329", date(1985, 3, 12), 456),  # not the help example
    "李四": make_id("142329", date(1990, 7, 1), 211),
    "王五": make_id("142329", date(1979, 1, 30), 315),
}
PHONES = {"张三": "13800138000", "李四": "13912345678", "王五": "13700001111"}
UNKNOWN_ID = make_id("142329", date(1988, 8, 8), 888)  # valid, but nobody has it


def seed_people(session: Session, settings: Settings) -> People:
    """Projects NT-2026-001/003 (五台县, liaisons A and C) and 002 (代县, liaison B).

    张三: 001 and 003, not bound. 李四: 001, bound to `lisi`. 王五: 002, bound to `wangwu`.
    """
    pd = personal_data(settings.effective_data_key)
    county = Region(province="山西省", city="忻州市", county="五台县")
    other = Region(province="山西省", city="忻州市", county="代县")
    session.add_all([county, other])
    session.flush()

    def project(code: str, name: str, region: Region) -> Project:
        p = Project(code=code, name=name, category="农推", list_level="县", region_id=region.id)
        session.add(p)
        return p

    p1 = project("NT-2026-001", "东关村道路硬化", county)
    p2 = project("NT-2026-002", "西河村灌渠", other)
    p3 = project("NT-2026-003", "南庄村护坡", county)
    contacts = {
        ADMIN: Contact(userid=ADMIN, name="王科长", role=Role.ADMIN, region_id=county.id),
        LIAISON_A: Contact(userid=LIAISON_A, name="李联络", role=Role.LIAISON),
        LIAISON_B: Contact(userid=LIAISON_B, name="赵联络", role=Role.LIAISON),
        LIAISON_C: Contact(userid=LIAISON_C, name="钱联络", role=Role.LIAISON),
    }
    session.add_all(contacts.values())
    session.flush()
    for p, who in ((p1, LIAISON_A), (p2, LIAISON_B), (p3, LIAISON_C)):
        session.add(ProjectLiaison(project_id=p.id, contact_id=contacts[who].id))

    people = People(dict(IDS), dict(PHONES), projects={"001": p1, "002": p2, "003": p3})
    bound = {"李四": LI, "王五": WANG}
    for name, number in IDS.items():
        phone = PHONES[name]
        w = Worker(
            name=name,
            id_hash=pd.lookup_hash(number),
            id_cipher=pd.encrypt(number),
            id_masked=mask_id(number),
            phone_hash=pd.lookup_hash(phone),
            phone_cipher=pd.encrypt(phone),
            phone_masked=mask_phone(phone),
            village="东关村",
            wecom_userid=bound.get(name),
            created_by="seed",
        )
        session.add(w)
        people.workers[name] = w
    session.flush()
    zhang, li, wang = (people.workers[n] for n in ("张三", "李四", "王五"))
    for p, w in ((p1, zhang), (p3, zhang), (p1, li), (p2, wang)):
        session.add(ProjectWorker(project_id=p.id, worker_id=w.id, created_by="seed"))

    def work(p: Project, w: Worker, day: date, days: str, wage_yuan: int) -> WorkRecord:
        fen = int(Decimal(days) * wage_yuan * 100)
        row = WorkRecord(
            project_id=p.id,
            worker_id=w.id,
            work_date=day,
            period=f"{day:%Y-%m}",
            days=Decimal(days),
            daily_wage_fen=wage_yuan * 100,
            due_fen=fen,
            created_by=LIAISON_A,
        )
        session.add(row)
        return row

    def pay(p: Project, w: Worker, period: str, yuan: int, on: date, method: str) -> WagePayment:
        row = WagePayment(
            project_id=p.id,
            worker_id=w.id,
            period=period,
            amount_fen=yuan * 100,
            paid_on=on,
            method=method,
            created_by=LIAISON_A,
        )
        session.add(row)
        return row

    # 张三 on 001: October 12 days × 150 = 1,800, paid 1,000 → 800 overdue after 11-13.
    work(p1, zhang, date(2026, 10, 9), "5", 150)
    work(p1, zhang, date(2026, 10, 20), "7", 150)
    pay(p1, zhang, "2026-10", 1000, date(2026, 11, 10), "银行代发")
    wrong = pay(p1, zhang, "2026-10", 300, date(2026, 11, 11), "一卡通")
    session.flush()
    session.add(
        WagePayment(
            project_id=p1.id,
            worker_id=zhang.id,
            period="2026-10",
            amount_fen=-30000,
            paid_on=wrong.paid_on,
            method=wrong.method,
            reverses_id=wrong.id,
            reason="重复录入",
            created_by=LIAISON_A,
        )
    )
    # November, not yet due: 3 days × 150 = 450.
    work(p1, zhang, date(2026, 11, 3), "3", 150)
    # 张三 on 003: September paid in full; October 2 days × 160 = 320 unpaid.
    work(p3, zhang, date(2026, 9, 15), "5", 160)
    pay(p3, zhang, "2026-09", 800, date(2026, 10, 12), "社保卡")
    work(p3, zhang, date(2026, 10, 28), "2", 160)
    # 李四 on 001: October 20 days × 200 = 4,000, nothing paid.
    work(p1, li, date(2026, 10, 5), "20", 200)
    # 王五 on 002: October 8 days × 180 = 1,440, paid in full.
    work(p2, wang, date(2026, 10, 6), "8", 180)
    pay(p2, wang, "2026-10", 1440, date(2026, 11, 12), "一卡通")
    session.add_all(
        [
            Training(
                project_id=p1.id,
                worker_id=zhang.id,
                train_date=date(2026, 10, 15),
                topic="砌筑",
                mode="以工代训",
                hours=Decimal("4"),
                created_by=LIAISON_A,
            ),
            Training(
                project_id=p1.id,
                worker_id=li.id,
                train_date=date(2026, 10, 16),
                topic="电工安全",
                mode="实训",
                hours=Decimal("8"),
                created_by=LIAISON_A,
            ),
        ]
    )
    session.commit()
    return people


@pytest.fixture(name="people")
def people_fixture(session: Session, settings: Settings, services: Any) -> People:
    """The seed, with the bot's clock frozen at NOW."""
    seeded = seed_people(session, settings)
    set_clock(services, NOW)
    return seeded


def set_clock(services: Any, when: str) -> None:
    services.dispatcher.now = lambda: at(when)


def read(session: Session, stmt: Any) -> list[Any]:
    """Read columns, then end the transaction: SQLite's BEGIN IMMEDIATE would block the bot.

    Select columns, not ORM objects: touching an expired object would open a new transaction.
    """
    try:
        return list(session.scalars(stmt))
    finally:
        session.rollback()


def count_rows(session: Session, model: Any, *where: Any) -> int:
    return int(read(session, select(func.count()).select_from(model).where(*where))[0])


def outbox_to(session: Session, userid: str) -> list[str]:
    """Texts queued for a user, oldest first."""
    from models import OutboxMessage

    payloads = read(
        session,
        select(OutboxMessage.payload)
        .where(OutboxMessage.recipient == userid)
        .order_by(OutboxMessage.id),
    )
    return [str(p.get("content", "")) for p in payloads]
