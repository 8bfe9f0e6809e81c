"""Regions, projects and the liaisons assigned to them (SPEC §3)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, UTCDateTime, utcnow


class RegionLevel(enum.StrEnum):
    PROVINCE = "省"
    CITY = "市"
    COUNTY = "县"


class Region(Base):
    """A province, a city or a county, identified by its full path of names."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("province", "city", "county"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    province: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(32), default="")
    county: Mapped[str] = mapped_column(String(32), default="")

    @property
    def level(self) -> RegionLevel:
        if self.county:
            return RegionLevel.COUNTY
        return RegionLevel.CITY if self.city else RegionLevel.PROVINCE

    @property
    def label(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county) if p)


class ProjectCategory(enum.StrEnum):
    KEY = "重推"
    RURAL = "农推"
    SPECIAL = "专项"


class ProjectStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    ACCEPTED = "accepted"


STATUS_LABELS = {
    ProjectStatus.PLANNED: "计划",
    ProjectStatus.IN_PROGRESS: "在建",
    ProjectStatus.SUSPENDED: "停工",
    ProjectStatus.COMPLETED: "完工",
    ProjectStatus.ACCEPTED: "已验收",
}

# Default labour-share floor for a 农推 project using 衔接资金 (policy clause （一）).
RURAL_XIANJIE_MIN_SHARE = Decimal("0.15")
# 以工代赈专项 projects: 30% of central budget funds by the national rules; a deployment may
# change it (YIGONG_SPECIAL_MIN_SHARE, applied through `configure_floors`).
FLOORS: dict[str, Decimal] = {"special": Decimal("0.30")}


def configure_floors(*, special: Decimal) -> None:
    FLOORS["special"] = Decimal(special)


def default_floor(category: str, uses_xianjie: bool) -> Decimal | None:
    """The rule-derived floor: 15% for 农推 with 衔接资金, 30% for 专项, none for 重推."""
    if category == ProjectCategory.RURAL and uses_xianjie:
        return RURAL_XIANJIE_MIN_SHARE
    if category == ProjectCategory.SPECIAL:
        return FLOORS["special"]
    return None


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (Index(None, "region_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(8))
    list_level: Mapped[str] = mapped_column(String(4))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    owner_unit: Mapped[str] = mapped_column(String(200), default="")
    contractor: Mapped[str] = mapped_column(String(200), default="")
    labour_org: Mapped[str] = mapped_column(String(200), default="")
    fiscal_funds_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    planned_labour_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    uses_xianjie: Mapped[bool] = mapped_column(Boolean, default=False)
    min_labour_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4), nullable=True)
    relief_model: Mapped[str] = mapped_column(String(100), default="")
    pay_cycle: Mapped[str] = mapped_column(String(8), default="月")
    pay_day: Mapped[int] = mapped_column(SmallInteger, default=15)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    planned_end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ProjectStatus.IN_PROGRESS)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    list_year: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 项目清单年度
    status_note: Mapped[str] = mapped_column(
        String(200), default="", server_default=""
    )  # e.g. why 停工
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")

    region: Mapped[Region] = relationship(lazy="joined")

    @property
    def labour_floor(self) -> Decimal | None:
        """The floor that applies: the project's own figure, else the rule's default."""
        if self.min_labour_share is not None:
            return self.min_labour_share
        return default_floor(self.category, bool(self.uses_xianjie))

    @property
    def active(self) -> bool:
        """Under construction: in progress or suspended (停工), not yet completed."""
        return self.status in (ProjectStatus.IN_PROGRESS, ProjectStatus.SUSPENDED)


class ProjectLiaison(Base):
    """A contact designated as 定点联系人 of a project (policy （十一）)."""

    __tablename__ = "project_liaisons"
    __table_args__ = (UniqueConstraint("project_id", "contact_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
