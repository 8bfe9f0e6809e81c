"""Contacts (admins, liaisons) and workers; personal data stored encrypted (SPEC §8)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, BigId, UTCDateTime, utcnow
from models.project import ProjectLiaison, Region


class Role(enum.StrEnum):
    ADMIN = "admin"
    LIAISON = "liaison"
    WORKER = "worker"
    GUEST = "guest"


ROLE_LABELS = {
    Role.ADMIN: "管理员",
    Role.LIAISON: "联系人",
    Role.WORKER: "务工群众",
    Role.GUEST: "访客",
}


class Contact(Base):
    """An admin or liaison, identified by WeCom userid; roles come from imported data only."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(200), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The phone the county publishes for complaints (公示); encrypted like workers' phones.
    phone_cipher: Mapped[str | None] = mapped_column(String(200), nullable=True)

    region: Mapped[Region | None] = relationship(lazy="joined")


class PriorityGroup(enum.StrEnum):
    POVERTY_ALLEVIATED = "脱贫人口"
    MONITORED = "监测对象"
    RELOCATED = "易地搬迁"
    RETURNED = "返乡农民工"
    LOW_INCOME = "低收入"
    OTHER = "其他"


GROUP_SEP = "、"


def split_groups(stored: str) -> list[str]:
    """The groups a stored value names, without the "其他" placeholder."""
    return [g for g in stored.split(GROUP_SEP) if g and g != PriorityGroup.OTHER]


def join_groups(groups: Iterable[str]) -> str:
    """Groups in a fixed order (the enum's, then others), or "其他" when there are none."""
    order = {g.value: i for i, g in enumerate(PriorityGroup)}
    unique = sorted({g for g in groups if g and g != PriorityGroup.OTHER},
                    key=lambda g: (order.get(g, 99), g))  # fmt: skip
    return GROUP_SEP.join(unique) or PriorityGroup.OTHER.value


def in_group(column: Any, group: str) -> Any:
    """SQL: the stored groups include `group` (values are "、"-joined names)."""
    return (GROUP_SEP + column + GROUP_SEP).like(f"%{GROUP_SEP}{group}{GROUP_SEP}%")


class Worker(Base):
    """A villager; ID number and phone are ciphertext plus keyed hash, never clear text."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_cipher: Mapped[str] = mapped_column(String(200))
    id_masked: Mapped[str] = mapped_column(String(32))
    phone_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    phone_cipher: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone_masked: Mapped[str | None] = mapped_column(String(32), nullable=True)
    village: Mapped[str] = mapped_column(String(64), default="")
    # groups joined by "、" (脱贫人口、监测对象); "其他" when none (GROUP_SEP, models.groups)
    priority_group: Mapped[str] = mapped_column(String(100), default=PriorityGroup.OTHER)
    wecom_userid: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    # The account wages go to (SPEC §3): type, number (ciphertext + masked) and bank.
    account_type: Mapped[str | None] = mapped_column(String(8), nullable=True)
    account_cipher: Mapped[str | None] = mapped_column(String(200), nullable=True)
    account_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)
    account_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    bank: Mapped[str] = mapped_column(String(64), default="")

    @property
    def is_priority(self) -> bool:
        return self.priority_group != PriorityGroup.OTHER


class ProjectWorker(Base):
    """A worker registered on a project (one row per project, SPEC §7 workers import)."""

    __tablename__ = "project_workers"
    __table_args__ = (UniqueConstraint("project_id", "worker_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(16), default="chat")


def liaison_names(
    session: Session, project_ids: Iterable[int] | None = None
) -> dict[int, list[str]]:
    """project id → its liaisons as people read them: the name, or the WeCom userid of a
    contact without one; `project_ids` limits it to those projects (None: every project)."""
    stmt = (
        select(ProjectLiaison.project_id, Contact.name, Contact.userid)
        .join(Contact, Contact.id == ProjectLiaison.contact_id)
        .order_by(ProjectLiaison.project_id, Contact.userid)  # a stable order
    )
    if project_ids is not None:
        stmt = stmt.where(ProjectLiaison.project_id.in_(list(project_ids)))
    out: dict[int, list[str]] = {}
    for pid, name, userid in session.execute(stmt):
        out.setdefault(int(pid), []).append((name or "").strip() or userid)
    return out
