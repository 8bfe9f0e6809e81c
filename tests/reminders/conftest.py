"""A small county for reminder tests: admins, a liaison, a 农推 project, workers and ledgers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Contact,
    OutboxMessage,
    Project,
    ProjectLiaison,
    ProjectWorker,
    Region,
    WagePayment,
    Worker,
    WorkRecord,
)
from reminders.catalog import RULES
from reminders.engine import RunResult, run_rules
from tests.conftest import at
from tests.fake_wecom import fake_wecom, fake_wecom_server  # noqa: F401  (fixtures)

COUNTY_ADMIN = "admin-wuzhai"
CITY_ADMIN = "admin-xinzhou"
LIAISON = "liaison-li"


@dataclass
class County:
    session: Session
    county: Region
    city: Region
    project: Project
    workers: list[Worker]

    def add_project(self, code: str, **kw: object) -> Project:
        values: dict[str, object] = {
            "code": code, "name": f"{code}道路", "category": "农推", "list_level": "县",
            "region_id": self.county.id, "fiscal_funds_fen": 100_000_000, "uses_xianjie": True,
            "pay_day": 15, "start_date": date(2026, 8, 1), "status": "in_progress",
        }  # fmt: skip
        values.update(kw)
        p = Project(**values)
        self.session.add(p)
        self.session.flush()
        liaison = self.session.scalar(select(Contact).where(Contact.userid == LIAISON))
        assert liaison is not None
        self.session.add(ProjectLiaison(project_id=p.id, contact_id=liaison.id))
        self.session.flush()
        return p

    def work(
        self, worker: Worker, day: date, fen: int = 15000, project: Project | None = None
    ) -> None:
        p = project or self.project
        self.session.add(
            WorkRecord(
                project_id=p.id, worker_id=worker.id, work_date=day, period=f"{day:%Y-%m}",
                days=Decimal(1), daily_wage_fen=fen, due_fen=fen, created_by="t",
            )
        )  # fmt: skip
        self.session.flush()

    def pay(
        self, worker: Worker, period: str, fen: int, day: date, project: Project | None = None
    ) -> None:
        p = project or self.project
        self.session.add(
            WagePayment(
                project_id=p.id, worker_id=worker.id, period=period, amount_fen=fen,
                paid_on=day, method="银行代发", created_by="t",
            )
        )  # fmt: skip
        self.session.flush()

    def run(self, when: str, only: list[str] | None = None) -> RunResult:
        result = run_rules(self.session, at(when), RULES, only=only)
        self.session.commit()
        return result

    def outbox(self, rule: str | None = None) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if rule is not None:
            stmt = stmt.where(OutboxMessage.rule == rule)
        return list(self.session.scalars(stmt))


def build_county(session: Session) -> County:
    county = Region(province="山西省", city="忻州市", county="五寨县")
    city = Region(province="山西省", city="忻州市", county="")
    session.add_all([county, city])
    session.flush()
    session.add_all(
        [
            Contact(userid=COUNTY_ADMIN, name="王科长", role="admin", region_id=county.id),
            Contact(userid=CITY_ADMIN, name="赵处长", role="admin", region_id=city.id),
            Contact(userid=LIAISON, name="李联络", role="liaison", region_id=county.id),
        ]
    )
    session.flush()
    workers = [
        Worker(name=name, id_hash=f"h{i}", id_cipher="c", id_masked="142329********123X",
               priority_group="脱贫人口" if i == 0 else "其他")
        for i, name in enumerate(["张三", "李四"])
    ]  # fmt: skip
    session.add_all(workers)
    session.flush()
    c = County(session, county, city, None, workers)  # type: ignore[arg-type]
    c.project = c.add_project("NT-2026-001")
    for w in workers:
        session.add(ProjectWorker(project_id=c.project.id, worker_id=w.id))
    session.commit()
    return c


@pytest.fixture
def county(session: Session) -> County:
    return build_county(session)
