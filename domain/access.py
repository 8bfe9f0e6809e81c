"""Authorization in one place: who a userid is, and what they may see and write.

Admins act within their region, liaisons on their projects, workers on themselves,
everybody else on nothing but questions and help. Roles come from imported data only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, literal, select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Principal, Scope
from bot.errors import UserError
from models import Contact, Project, ProjectLiaison, Region, Role, Worker
from models.direct import DirectStatement, connection_of


def _principal_stmt() -> Select[int, str, str, str, str, str, int]:
    userid = bindparam("userid", type_=String)
    worker = select(Worker.id).where(Worker.wecom_userid == userid).scalar_subquery()
    return (
        select(
            Contact.id,
            Contact.role,
            Contact.name,
            Region.province,
            Region.city,
            Region.county,
            worker,
        )
        .select_from(select(literal(1).label("one")).subquery())
        .outerjoin(Contact, Contact.userid == userid)
        .outerjoin(Region, Region.id == Contact.region_id)
    )


def resolve_principal(session: Session, userid: str) -> Principal:
    """Look the sender up: a contact (admin/liaison) first, then a bound worker, else a guest.

    One round trip for everybody (this runs for every message): the contact's row and region
    come outer-joined, the bound worker's id as a scalar subquery.
    """
    # On the driver: SQLAlchemy's execution layer cost ten times the query (models/direct.py).
    [row] = _PRINCIPAL.execute(connection_of(session), {"userid": userid})
    contact_id, role, name, province, city, county, worker_id = row
    if contact_id is not None:
        return Principal(
            userid=userid,
            role=Role(role),
            name=name,
            contact_id=contact_id,
            scope=Scope(province, city or "", county or "") if province else None,
            worker_id=worker_id,
        )
    if worker_id is not None:
        return Principal(userid=userid, role=Role.WORKER, worker_id=worker_id)
    return Principal(userid=userid, role=Role.GUEST)


_PRINCIPAL = DirectStatement(_principal_stmt())


def _region_values(scope: Scope) -> dict[str, str]:
    """What places an admin's region: the province always, the city and county when set."""
    values = {"province": scope.province}
    values.update((k, v) for k, v in (("city", scope.city), ("county", scope.county)) if v)
    return values


def _scope_values(user: Principal) -> dict[str, Any]:
    """The values a user's scope is compared with: the region's parts for an admin, the
    contact for a liaison, none for workers and guests (who see no projects)."""
    if user.role == Role.ADMIN and user.scope is not None:
        return _region_values(user.scope)
    if user.role in (Role.ADMIN, Role.LIAISON) and user.contact_id is not None:
        return {"contact_id": user.contact_id}
    return {}


def _region_conditions(names: Iterable[str], value: Callable[[str], Any]) -> list[Any]:
    return [getattr(Region, name) == value(name) for name in names]


def _projects_where(values: Mapping[str, Any], value: Callable[[str], Any]) -> Select[Project]:
    """The scope rule, once: the projects in the region, or of the contact, or none.
    `value` gives each compared value: the user's own, or a parameter of that name."""
    stmt = select(Project)
    if "province" in values:
        conditions = _region_conditions(values, value)
        return stmt.join(Region, Project.region_id == Region.id).where(*conditions)
    if "contact_id" in values:
        return stmt.join(ProjectLiaison, ProjectLiaison.project_id == Project.id).where(
            ProjectLiaison.contact_id == value("contact_id")
        )
    return stmt.where(Project.id.is_(None))


def region_filter(scope: Scope):  # type: ignore[no-untyped-def]
    """SQL condition on Region for everything inside an admin's scope."""
    values = _region_values(scope)
    return and_(*_region_conditions(values, values.__getitem__))


def projects_in_scope(user: Principal) -> Select[Project]:
    """A SELECT of the projects this user may see (empty for workers and guests)."""
    values = _scope_values(user)
    return _projects_where(values, values.__getitem__)


def require_project(ctx: HandlerContext, code: str) -> Project:
    """The project with this code, if the user may act on it; a clear refusal otherwise."""
    code = code.strip().upper()
    if not code:
        raise UserError("请写明项目编号，例如：项目：NT-2026-001")
    # One query: the project by code, restricted to the user's scope. The statement is built
    # once per kind of scope (every 记工 runs it; building it cost more than the query).
    values = _scope_values(ctx.user)
    project = ctx.session.scalar(_project_by_code(frozenset(values)), {**values, "code": code})
    if project is None:  # unknown and out of scope read the same: nothing leaks about others
        raise UserError(not_in_scope(code))
    return project


@functools.cache
def _project_by_code(names: frozenset[str]) -> Select[Project]:
    """`projects_in_scope` with its values as parameters, for one code."""
    ordered = [n for n in ("province", "city", "county", "contact_id") if n in names]
    stmt = _projects_where(dict.fromkeys(ordered), bindparam)
    return stmt.where(Project.code == bindparam("code")).limit(1)


def not_in_scope(code: str) -> str:
    return (
        f"没有找到您可以操作的项目 {code}：项目编号不存在，或您不是该项目的联系人、"
        "也不是其所在地区的管理员。发送“项目”查看您负责的项目。"
    )


def project_ids_in_scope(user: Principal) -> Select[int]:
    """A SELECT of the ids of the projects this user may see (for IN clauses)."""
    return projects_in_scope(user).with_only_columns(Project.id)


def allowed_project_codes(session: Session, user: Principal, codes: set[str]) -> set[str]:
    """Which of these project codes the user may act on (one query)."""
    if not codes:
        return set()
    stmt = projects_in_scope(user).where(Project.code.in_(codes)).with_only_columns(Project.code)
    return set(session.scalars(stmt))


def region_admins(session: Session, project: Project) -> list[str]:
    """Userids of the admins of the project's county (the first to hear of its problems)."""
    stmt = select(Contact.userid).where(
        Contact.role == Role.ADMIN, Contact.region_id == project.region_id
    )
    return list(session.scalars(stmt))


def project_liaisons(session: Session, project: Project) -> list[str]:
    """Userids of the project's designated liaisons."""
    stmt = (
        select(Contact.userid)
        .join(ProjectLiaison, ProjectLiaison.contact_id == Contact.id)
        .where(ProjectLiaison.project_id == project.id)
    )
    return list(session.scalars(stmt))


def within_scope(scope: Scope | None, province: str, city: str = "", county: str = "") -> bool:
    """Whether a region (by names) lies inside an admin's scope."""
    if scope is None:
        return False
    return (
        province == scope.province
        and (not scope.city or city == scope.city)
        and (not scope.county or county == scope.county)
    )


BIND_EXAMPLE = "绑定 姓名：张三 身份证：142329198503121233"


def require_worker(ctx: HandlerContext) -> Worker:
    """The worker bound to the sender's account; an unbound sender is told how to bind."""
    worker = ctx.session.get(Worker, ctx.user.worker_id) if ctx.user.worker_id else None
    if worker is None:
        raise UserError(
            "您的企业微信账号还没有绑定务工人员信息，暂时不能查询。请先发送（换成您本人的姓名和身份证号）：\n"
            + BIND_EXAMPLE
        )
    return worker
