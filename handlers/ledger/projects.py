"""项目: the projects I may act on, with their status and liaisons."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.context import HandlerContext, Incoming, Reply
from bot.router import Router
from domain.access import projects_in_scope
from models import STATUS_LABELS, Project, ProjectStatus, Role
from models.people import liaison_names

router = Router("projects")

LIMIT = 30


@router.command(
    "项目",
    aliases=("我的项目", "项目列表"),
    help="列出我负责（联系人）或我所在地区（管理员）的项目",
    example="项目",
    roles=(Role.ADMIN, Role.LIAISON),
)
def my_projects(msg: Incoming, ctx: HandlerContext) -> Reply:
    base = projects_in_scope(ctx.user)
    total = ctx.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if not total:
        return Reply(
            "您名下还没有项目。管理员可以把项目清单、联系人名单的 Excel 文件直接发给助手导入；"
            "项目联系人请找县级发展改革部门管理员把您加到项目上。"
        )
    projects = list(ctx.session.scalars(base.order_by(Project.code).limit(LIMIT)))
    liaisons = liaison_names(ctx.session, [p.id for p in projects])
    scope = ctx.user.scope.label if ctx.user.is_admin and ctx.user.scope else "您负责的"
    lines = [f"{scope}项目共 {total} 个："]
    for p in projects:
        status = STATUS_LABELS.get(ProjectStatus(p.status), p.status)
        who = "、".join(liaisons.get(p.id, [])) or "未指定联系人"
        year = f"·{p.list_year}年度" if p.list_year else ""
        note = f"（{p.status_note}）" if p.status_note else ""
        lines.append(
            f"· {p.code} {p.name}（{p.category}·{p.list_level}级{year}·{status}{note}；联系人：{who}）"
        )
    if total > LIMIT:
        lines.append(f"……仅列出前 {LIMIT} 个。")
    lines.append(f"查看台账：查询 项目：{projects[0].code}")
    return Reply("\n".join(lines))
