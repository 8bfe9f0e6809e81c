"""A project's ledger figures in a handful of aggregate queries: for 查询, 完工 and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Project, ProjectWorker, PublicPost, Training, WorkRecord
from models.money import format_fen
from models.wages import balances, labour_share, overdue


@dataclass
class Figures:
    workers: int
    days: Decimal
    owed_fen: int
    paid_fen: int
    outstanding_fen: int  # sum of unpaid balances (over-payments do not offset others)
    unpaid_workers: int
    overdue_fen: int
    overdue_workers: int
    trainings: int
    trained_workers: int
    training_hours: Decimal
    posts: int
    floor: Decimal | None
    fiscal_fen: int

    @property
    def share(self) -> Decimal | None:
        """劳务报酬发放比例: wages paid over fiscal funds (policy （一））."""
        return labour_share(self.paid_fen, self.fiscal_fen)

    @property
    def earned_share(self) -> Decimal | None:
        """Wages earned by the work ledger (应发) over fiscal funds."""
        return labour_share(self.owed_fen, self.fiscal_fen)

    @property
    def started(self) -> bool:
        """A work entry stands: before it there is nothing to judge."""
        return self.days > 0

    @property
    def below_floor(self) -> bool:
        """Judged on wages paid (发放台账), and only once work has been recorded."""
        return (
            self.started
            and self.floor is not None
            and self.share is not None
            and self.share < self.floor
        )

    def share_text(self) -> str:
        if self.share is None:
            return "劳务报酬占比：未填财政资金，无法计算"
        earned = self.earned_share
        text = (
            f"劳务报酬占比：已发放 {self.share:.1%}（{format_fen(self.paid_fen)} / "
            f"财政资金 {format_fen(self.fiscal_fen)}），按务工台账应发 "
            f"{earned:.1%}（{format_fen(self.owed_fen)}）"
        )
        if self.floor is None:
            return text + "；该类项目无最低占比要求，仅列示"
        if not self.started:
            return text + f"；最低占比 {self.floor:.0%}，尚未记工，暂不评判"
        verdict = "未达到" if self.below_floor else "已达到"
        return text + f"；按已发放计，{verdict}最低占比 {self.floor:.0%}"


def net_count(model: type[Training] | type[PublicPost]):  # type: ignore[no-untyped-def]
    """How many entries stand, net of reversals (a reversal row counts -1)."""
    return func.coalesce(func.sum(case((model.reverses_id.is_(None), 1), else_=-1)), 0)


def project_figures(session: Session, project: Project, today: date) -> Figures:
    pid = project.id
    workers = session.scalar(select(func.count()).where(ProjectWorker.project_id == pid)) or 0
    days, owed = session.execute(
        select(
            func.coalesce(func.sum(WorkRecord.days), 0),
            func.coalesce(func.sum(WorkRecord.due_fen), 0),
        ).where(WorkRecord.project_id == pid)
    ).one()
    bal = balances(session, project_ids=[pid])
    late = overdue(session, today, project_ids=[pid])
    trainings, hours = session.execute(
        select(net_count(Training), func.coalesce(func.sum(Training.hours), 0)).where(
            Training.project_id == pid
        )
    ).one()
    trained = session.scalar(
        select(func.count()).select_from(
            select(Training.worker_id)
            .where(Training.project_id == pid)
            .group_by(Training.worker_id)
            .having(func.sum(Training.hours) > 0)
            .subquery()
        )
    )
    posts = session.scalar(select(net_count(PublicPost)).where(PublicPost.project_id == pid))
    return Figures(
        workers=int(workers),
        days=Decimal(days),
        owed_fen=int(owed),
        paid_fen=sum(b.paid_fen for b in bal),
        outstanding_fen=sum(max(b.outstanding_fen, 0) for b in bal),
        unpaid_workers=len({b.worker_id for b in bal if b.outstanding_fen > 0}),
        overdue_fen=sum(b.outstanding_fen for b in late),
        overdue_workers=len({b.worker_id for b in late}),
        trainings=int(trainings),
        trained_workers=int(trained or 0),
        training_hours=Decimal(hours),
        posts=int(posts or 0),
        floor=project.labour_floor,
        fiscal_fen=project.fiscal_funds_fen,
    )


def completion_issues(f: Figures) -> list[str]:
    """What a county auditor would flag at completion (policy （十））."""
    issues = []
    if f.outstanding_fen:
        issues.append(f"尚有劳务报酬未发放：{format_fen(f.outstanding_fen)}，{f.unpaid_workers} 人")
    if f.days <= 0:
        issues.append("群众务工台账为空")
    if f.paid_fen <= 0:
        issues.append("劳务报酬发放台账为空")
    if f.trainings <= 0:
        issues.append("技能培训台账为空")
    if f.below_floor and f.share is not None and f.floor is not None:
        issues.append(f"劳务报酬占比 {f.share:.1%}，低于 {f.floor:.1%} 的最低要求")
    return issues
