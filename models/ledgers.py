"""The append-only ledgers (务工台账, 劳务报酬发放台账, 技能培训台账, 公益性岗位).

Nothing here is updated or deleted: a mistake is cancelled by a reversal row whose
`reverses_id` points at the row it cancels and whose quantities are negated, so that a
plain SUM over a ledger is always the current truth.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    and_,
    select,
)
from sqlalchemy.orm import Mapped, aliased, declared_attr, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow


class Channel(enum.StrEnum):
    CHAT = "chat"
    IMPORT = "import"
    CLI = "cli"
    WEB = "web"  # the pages inside WeCom (点名记工)


class LedgerEntry:
    """Columns every ledger row has: who, when, through which channel, and what it reverses."""

    PREFIX: str = "X"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), default=Channel.CHAT)
    reason: Mapped[str] = mapped_column(String(200), default="")

    @declared_attr
    def reverses_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(
            # the mixin has no __tablename__; each concrete ledger model sets it
            ForeignKey(f"{cls.__tablename__}.id"),  # type: ignore[attr-defined]
            nullable=True,
            unique=True,
        )

    @property
    def number(self) -> str:
        """The entry number users see and quote: W-000123."""
        return self.number_of(self.id)

    @classmethod
    def in_force(cls) -> ColumnElement[bool]:
        """The rows that stand: neither a reversal nor reversed (the one SQL for it)."""
        rev = aliased(cls)
        reversed_ids = select(rev.reverses_id).where(rev.reverses_id.is_not(None))
        return and_(
            cls.reverses_id.is_(None),
            cls.id.not_in(reversed_ids.scalar_subquery()),
        )

    @classmethod
    def number_of(cls, entry_id: int) -> str:
        """The number of an entry known by id only (after a bulk insert)."""
        return f"{cls.PREFIX}-{entry_id:06d}"


class WorkRecord(LedgerEntry, Base):
    """A line of 群众务工台账: days worked at a daily wage."""

    __tablename__ = "work_records"
    __table_args__ = (
        Index(None, "project_id", "worker_id", "work_date"),
        Index(None, "project_id", "period"),
        Index(None, "worker_id", "period"),  # a worker's own 查工资 / 未收到, across projects
    )
    PREFIX = "W"

    work_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM of work_date
    days: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    daily_wage_fen: Mapped[int] = mapped_column(BigInteger)
    due_fen: Mapped[int] = mapped_column(BigInteger)


class PayMethod(enum.StrEnum):
    BANK = "银行代发"
    CARD = "一卡通"
    SOCIAL_CARD = "社保卡"
    CASH = "现金"


class WagePayment(LedgerEntry, Base):
    """A line of 劳务报酬发放台账: a payment for a pay period."""

    __tablename__ = "wage_payments"
    __table_args__ = (
        Index(None, "project_id", "worker_id", "period"),
        Index(None, "worker_id", "period"),  # a worker's own 查工资, across projects
    )
    PREFIX = "P"

    period: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    voucher: Mapped[str] = mapped_column(String(64), default="")


class TrainingMode(enum.StrEnum):
    TRAIN_THEN_WORK = "培训+上岗"
    PRACTICE = "实训"
    ON_THE_JOB = "以工代训"


class Training(LedgerEntry, Base):
    """A line of 技能培训台账."""

    __tablename__ = "trainings"
    __table_args__ = (Index(None, "project_id", "worker_id"), Index(None, "worker_id"))
    PREFIX = "T"

    train_date: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))


class PostType(enum.StrEnum):
    ROAD = "乡村道路养护管理员"
    FACILITY = "村级公益设施管理员"
    SANITATION = "环境卫生保洁员"
    SECURITY = "治安联防协管员"
    FOREST = "生态护林员"


class PublicPost(LedgerEntry, Base):
    """A public-welfare post after completion (policy （九）)."""

    __tablename__ = "public_posts"
    __table_args__ = (Index(None, "project_id", "worker_id"), Index(None, "worker_id"))
    PREFIX = "G"

    post_type: Mapped[str] = mapped_column(String(40))  # as written (管水员, 护路员 …)
    post_category: Mapped[str] = mapped_column(
        String(16), default="", server_default=""
    )  # one of （九）'s five, or ""
    monthly_pay_fen: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
