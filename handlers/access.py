"""Authorization in one place: who a userid is, and what they may see and write.

Admins act within their region, liaisons on their projects, workers on themselves,
everybody else on nothing but questions and help. Roles come from imported data only.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Principal, Scope
from bot.errors import UserError
from models import Contact, Project, ProjectLiaison, Region, Role, Worker


def resolve_principal(session: Session, userid: str) -> Principal:
    """Look the sender up: a contact (admin/liaison) first, then a bound worker, else a guest."""
    contact = session.scalar(select(Contact).where(Contact.userid == userid))
    worker_id = session.scalar(select(Worker.id).where(Worker.wecom_userid == userid))
    if contact is not None:
        scope = None
        if contact.region is not None:
            r = contact.region
            scope = Scope(r.province, r.city, r.county)
        return Principal(
            userid=userid,
            role=Role(contact.role),
            name=contact.name,
            contact_id=contact.id,
            scope=scope,
            worker_id=worker_id,
        )
    if worker_id is not None:
        return Principal(userid=userid, role=Role.WORKER, worker_id=worker_id)
    return Principal(userid=userid, role=Role.GUEST)


def region_filter(scope: Scope):  # type: ignore[no-untyped-def]
    """SQL condition on Region for everything inside an admin's scope."""
    conds = [Region.province == scope.province]
    if scope.city:
        conds.append(Region.city == scope.city)
    if scope.county:
        conds.append(Region.county == scope.county)
    return and_(*conds)


def projects_in_scope(user: Principal) -> Select[tuple[Project]]:
    """A SELECT of the projects this user may see (empty for workers and guests)."""
    stmt = select(Project)
    if user.role == Role.ADMIN and user.scope is not None:
        return stmt.join(Region, Project.region_id == Region.id).where(region_filter(user.scope))
    if user.role in (Role.ADMIN, Role.LIAISON) and user.contact_id is not None:
        return stmt.join(ProjectLiaison, ProjectLiaison.project_id == Project.id).where(
            ProjectLiaison.contact_id == user.contact_id
        )
    return stmt.where(Project.id.is_(None))


def require_project(ctx: HandlerContext, code: str) -> Project:
    """The project with this code, if the user may act on it; a clear refusal otherwise."""
    code = code.strip().upper()
    if not code:
        raise UserError("请写明项目编号，例如：项目：NT-2026-001")
    project = ctx.session.scalar(select(Project).where(Project.code == code))
    allowed = (
        project is not None
        and ctx.session.scalar(
            projects_in_scope(ctx.user).where(Project.id == project.id).with_only_columns(Project.id)
        )
        is not None
    )
    if project is None:
        raise UserError(f"没有找到项目 {code}。发送“项目”查看您负责的项目。")
    if not allowed:
        raise UserError(f"您不是项目 {code} 的联系人，也不是其所在地区的管理员，不能操作该项目。")
    return project
