"""The SQL aggregates rules read: unpaid wages per (project, period), wages paid, who to tell.

Each function is one query over a whole table or ledger; rules filter the small results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Contact,
    Project,
    ProjectLiaison,
    ProjectStatus,
    Region,
    Role,
    WagePayment,
    WorkRecord,
)
from models.calendar import due_date
from models.project import default_floor
from models.wages import balances_stmt

LOCAL = ZoneInfo("Asia/Shanghai")  # SPEC §6: all times are Asia/Shanghai


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    code: str
    name: str
    status: str
    pay_day: int
    fiscal_funds_fen: int
    floor: Decimal | None
    start_date: date | None
    province: str
    city: str
    county: str
    completed_on: date | None = None  # local date the project was marked 完工

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def active(self) -> bool:
        return self.status == ProjectStatus.IN_PROGRESS


@dataclass(frozen=True)
class Unpaid:
    """Unpaid wages of one project for one period: how many workers, how much."""

    project_id: int
    period: str
    pay_day: int
    workers: int
    outstanding_fen: int

    @property
    def due(self) -> date:
        return due_date(self.period, self.pay_day)


def floor_of(category: str, uses_xianjie: bool, explicit: Decimal | None) -> Decimal | None:
    """The labour-share floor, as Project.labour_floor computes it."""
    if explicit is not None:
        return Decimal(explicit)
    return default_floor(category, uses_xianjie)


def projects(session: Session, ids: Iterable[int] | None = None) -> dict[int, ProjectInfo]:
    stmt = select(
        Project.id,
        Project.code,
        Project.name,
        Project.status,
        Project.pay_day,
        Project.fiscal_funds_fen,
        Project.category,
        Project.uses_xianjie,
        Project.min_labour_share,
        Project.start_date,
        Project.completed_at,
        Region.province,
        Region.city,
        Region.county,
    ).join(Region, Region.id == Project.region_id)
    if ids is not None:
        stmt = stmt.where(Project.id.in_(list(ids)))
    out: dict[int, ProjectInfo] = {}
    for r in session.execute(stmt):
        out[r.id] = ProjectInfo(
            r.id,
            r.code,
            r.name,
            r.status,
            int(r.pay_day),
            int(r.fiscal_funds_fen or 0),
            floor_of(r.category, bool(r.uses_xianjie), r.min_labour_share),
            r.start_date,
            r.province,
            r.city or "",
            r.county or "",
            None if r.completed_at is None else r.completed_at.astimezone(LOCAL).date(),
        )
    return out


def liaisons(session: Session) -> dict[int, list[str]]:
    """project id → userids of its liaison contacts."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ProjectLiaison.project_id, Contact.userid)
        .join(Contact, Contact.id == ProjectLiaison.contact_id)
        .order_by(Contact.userid)
    )
    for project_id, userid in rows:
        out[project_id].append(userid)
    return out


@dataclass
class Admins:
    """Admins by the region they cover: (province, city, county) → userids."""

    by_region: dict[tuple[str, str, str], list[str]]

    def county(self, p: ProjectInfo) -> list[str]:
        return self.by_region.get((p.province, p.city, p.county), []) if p.county else []

    def city(self, p: ProjectInfo) -> list[str]:
        return self.by_region.get((p.province, p.city, ""), []) if p.city else []


def admins(session: Session) -> Admins:
    by_region: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    rows = session.execute(
        select(Contact.userid, Region.province, Region.city, Region.county)
        .join(Region, Region.id == Contact.region_id)
        .where(Contact.role == Role.ADMIN)
        .order_by(Contact.userid)
    )
    for userid, province, city, county in rows:
        by_region[(province, city or "", county or "")].append(userid)
    return Admins(dict(by_region))


def unpaid(session: Session, project_ids: Iterable[int] | None = None) -> list[Unpaid]:
    """Per (project, period): workers with paid < owed and the sum outstanding — one query."""
    b = balances_stmt(project_ids=project_ids).subquery("b")
    stmt = (
        select(
            b.c.project_id,
            b.c.period,
            b.c.pay_day,
            func.count(),
            func.sum(b.c.owed - b.c.paid),
        )
        .where(b.c.owed > b.c.paid)
        .group_by(b.c.project_id, b.c.period, b.c.pay_day)
        .order_by(b.c.project_id, b.c.period)
    )
    return [
        Unpaid(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in session.execute(stmt)
    ]


def wages_paid(session: Session, project_ids: Iterable[int] | None = None) -> dict[int, int]:
    """project id → wages paid so far (fen), reversals included."""
    stmt = select(WagePayment.project_id, func.sum(WagePayment.amount_fen)).group_by(
        WagePayment.project_id
    )
    if project_ids is not None:
        stmt = stmt.where(WagePayment.project_id.in_(list(project_ids)))
    return {int(pid): int(total or 0) for pid, total in session.execute(stmt)}


def worked(session: Session) -> set[int]:
    """Projects with at least one standing work entry (no share is judged before that)."""
    stmt = (
        select(WorkRecord.project_id)
        .group_by(WorkRecord.project_id)
        .having(func.sum(WorkRecord.days) > 0)
    )
    return {int(pid) for pid in session.scalars(stmt)}


def format_share(share: Decimal | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"
