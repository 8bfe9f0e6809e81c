"""Completion check: when a project is marked 完工, tell its liaisons and county admins what is open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import Project, Training, WagePayment, WorkRecord
from models.money import format_fen
from reminders import data
from reminders.engine import Owed, emit
from reminders.labour_share import project_share

RULE = "completion_check"


def completion_messages(session: Session, project: Project, now: datetime) -> list[Owed]:
    """Unpaid wages, empty ledgers and the labour share of a completed project (empty: all fine)."""
    problems: list[str] = []
    unpaid = data.unpaid(session, [project.id])
    if unpaid:
        total = sum(u.outstanding_fen for u in unpaid)
        periods = "、".join(u.period for u in unpaid[:6])
        problems.append(
            f"· 仍有 {format_fen(total)} 劳务报酬未发足（{periods}），请在验收前发放并登记"
        )
    for model, name in (
        (WorkRecord, "务工台账"),
        (WagePayment, "劳务报酬发放台账"),
        (Training, "技能培训台账"),
    ):
        if not session.scalar(select(exists().where(model.project_id == project.id))):
            problems.append(f"· {name}为空，验收时将核查，请补录")
    floor = project.labour_floor
    share = project_share(session, project, "completed")
    if floor is not None and share is not None and share < floor:
        problems.append(
            f"· 已发放劳务报酬占财政资金 {data.format_share(share)}，低于 {data.format_share(floor)} 的最低要求"
        )
    if not problems:
        return []
    info = data.projects(session, [project.id])[project.id]
    recipients = data.liaisons(session).get(project.id, []) + data.admins(session).county(info)
    text = "\n".join(
        [
            f"【完工核查】项目 {info.label} 已标记完工，核查发现：",
            *problems,
            "请在竣工验收前处理完毕；台账核查依据政策第（十）条。",
        ]
    )
    day = now.date().isoformat()
    return [Owed(RULE, u, project.code, day, text) for u in dict.fromkeys(recipients)]


def queue_completion(session: Session, project: Project, now: datetime) -> list[Owed]:
    """Queue the completion check (the 完工 handler calls this inside its transaction)."""
    return emit(session, completion_messages(session, project, now), now)
