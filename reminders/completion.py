"""Completion check: when a project is marked 完工, tell its liaisons and county admins what is open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.figures import completion_issues, project_figures
from domain.owed import Owed, emit
from models import Project
from reminders import data

RULE = "completion_check"


def completion_messages(session: Session, project: Project, now: datetime) -> list[Owed]:
    """Unpaid wages, empty ledgers and the labour share of a completed project (empty: all fine).

    The checks are the ones the 完工 reply shows (`completion_issues`), so both always agree.
    """
    issues = completion_issues(project_figures(session, project, now.date()))
    if not issues:
        return []
    info = data.projects(session, [project.id])[project.id]
    recipients = data.liaisons(session).get(project.id, []) + data.admins(session).county(info)
    text = "\n".join(
        [
            f"【完工核查】项目 {info.label} 已标记完工，核查发现：",
            *(f"· {issue}" for issue in issues),
            "请在竣工验收前处理完毕；台账核查依据政策第（十）条。",
        ]
    )
    day = now.date().isoformat()
    return [Owed(RULE, u, project.code, day, text) for u in dict.fromkeys(recipients)]


def queue_completion(session: Session, project: Project, now: datetime) -> list[Owed]:
    """Queue the completion check (the 完工 handler calls this inside its transaction)."""
    return emit(session, completion_messages(session, project, now), now)
