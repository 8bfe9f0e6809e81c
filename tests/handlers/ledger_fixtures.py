"""Seed data for ledger tests: a county, two projects, an admin, two liaisons, workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bot.settings import Settings
from handlers.demo import valid_id
from handlers.ledger.people import WorkerInput, register_workers
from models import Contact, Project, ProjectLiaison, Region, Role


@dataclass
class Seed:
    today: date
    p1: Project
    p2: Project
    ids: dict[str, str]  # worker name → ID number


ADMIN, LIAISON, OTHER_LIAISON, STRANGER = "admin-county", "liaison-a", "liaison-b", "stranger"


def seed_ledger(session: Session, settings: Settings, today: date | None = None) -> Seed:
    today = today or date.today()  # noqa: DTZ011 - tests follow the dispatcher's real clock
    region = Region(province="山西省", city="忻州市", county="五台县")
    other = Region(province="山西省", city="忻州市", county="代县")
    session.add_all([region, other])
    session.flush()
    start = today - timedelta(days=90)
    p1 = Project(
        code="NT-2026-001",
        name="东关村道路硬化",
        category="农推",
        list_level="县",
        region_id=region.id,
        fiscal_funds_fen=100_000_00,
        uses_xianjie=True,
        start_date=start,
        pay_day=15,
    )
    p2 = Project(
        code="NT-2026-002",
        name="西河村灌渠",
        category="农推",
        list_level="县",
        region_id=other.id,
        fiscal_funds_fen=50_000_00,
        start_date=start,
    )
    session.add_all([p1, p2])
    session.flush()
    admin = Contact(userid=ADMIN, name="王科长", role=Role.ADMIN, region_id=region.id)
    a = Contact(userid=LIAISON, name="李联络", role=Role.LIAISON, region_id=region.id)
    b = Contact(userid=OTHER_LIAISON, name="赵联络", role=Role.LIAISON, region_id=other.id)
    session.add_all([admin, a, b])
    session.flush()
    session.add_all(
        [
            ProjectLiaison(project_id=p1.id, contact_id=a.id),
            ProjectLiaison(project_id=p2.id, contact_id=b.id),
        ]
    )
    ids = {
        "张三": valid_id("142329", date(1985, 3, 12), 123),
        "李四": valid_id("142329", date(1990, 7, 1), 211),
        "王五": valid_id("142329", date(1979, 1, 30), 315),
    }
    inputs = [WorkerInput("", p1, n, i) for n, i in ids.items()]
    inputs.append(WorkerInput("", p2, "王五", ids["王五"]))
    _, problems = register_workers(session, settings, inputs, "seed", "cli")
    assert not problems, problems
    session.commit()
    return Seed(today, p1, p2, ids)
