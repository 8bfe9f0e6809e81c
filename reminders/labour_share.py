"""Labour ratio: a project with a floor (15% for 农推 using 衔接资金) registered or completed below it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.owed import Owed
from models import Project
from models.money import format_fen
from models.wages import labour_share
from reminders import data

RULE = "labour_ratio"


def project_amount(session: Session, project: Project, event: str) -> int:
    """At registration the planned labour pay counts; at completion the wages actually paid."""
    if event == "registered":
        return project.planned_labour_fen
    return data.wages_paid(session, [project.id]).get(project.id, 0)


def project_share(session: Session, project: Project, event: str) -> Decimal | None:
    return labour_share(project_amount(session, project, event), project.fiscal_funds_fen)


def labour_ratio_messages(
    session: Session, project: Project, now: datetime, *, event: str = "registered"
) -> list[Owed]:
    """Messages owed to liaisons and county admins when the project is below its floor.

    `event` is "registered" or "completed"; the caller queues them with `engine.emit`.
    """
    floor = project.labour_floor
    share = project_share(session, project, event)
    if floor is None or share is None or share >= floor:
        return []
    if event != "registered" and project.id not in data.worked(session):
        return []  # nothing recorded yet: no judgement before the first work entry
    info = data.projects(session, [project.id])[project.id]
    recipients = data.liaisons(session).get(project.id, []) + data.admins(session).county(info)
    what = "计划劳务报酬" if event == "registered" else "已发放劳务报酬"
    amount = project_amount(session, project, event)
    text = "\n".join(
        [
            f"【劳务报酬占比不足】项目 {info.label}"
            f"{'登记' if event == 'registered' else '完工'}时{what} {format_fen(amount)}，"
            f"占财政资金 {format_fen(project.fiscal_funds_fen)} 的 {data.format_share(share)}，"
            f"低于 {data.format_share(floor)} 的最低要求。",
            "请核实资金构成和劳务报酬计划，必要时调整用工方案，并在台账中如实登记发放。",
        ]
    )
    day = now.date().isoformat()
    return [
        Owed(RULE, userid, project.code, f"{event}|{day}", text)
        for userid in dict.fromkeys(recipients)
    ]


def below_floor(
    projects: dict[int, data.ProjectInfo],
    paid: dict[int, int],
    ids: list[int],
    worked: set[int] | None = None,
) -> list[tuple[data.ProjectInfo, Decimal]]:
    """Projects among `ids` whose paid share is under their floor, lowest first.

    A project with no work entry yet (`worked` given and without it) is not judged.
    """
    out = []
    for pid in ids:
        if worked is not None and pid not in worked:
            continue
        p = projects[pid]
        share = labour_share(paid.get(pid, 0), p.fiscal_funds_fen)
        if p.floor is not None and share is not None and share < p.floor:
            out.append((p, share))
    return sorted(out, key=lambda x: (x[1], x[0].code))
