"""新增项目 and 调整项目: an admin registers or adjusts a project in chat, as one import row.

The message becomes a one-row projects table and goes through the same validation and
writing as a file import (handlers.tabular.import_people.import_projects).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.parsing import parse_or_refuse, refusal
from handlers.ledger.common import project_from
from handlers.tabular.columns import KINDS
from handlers.tabular.importer import ImportContext, run_import
from handlers.tabular.readers import Table
from models import Project, Role
from models.money import fen_to_yuan

router = Router("project_edit")

ADD_EXAMPLE = (
    "新增项目 编号：NT-2027-001 名称：东关村道路硬化 类别：农推 级别：县 财政资金：120万元 "
    "计划劳务报酬：20万元 衔接资金：是 年度：2027 开工：2027-03-01 完工：2027-10-31 发放日：15"
)
EDIT_EXAMPLE = "调整项目 项目：NT-2027-001 财政资金：150万元 年度：2027"
# chat key → import column (SPEC §7 projects)
ALIASES: dict[str, tuple[str, ...]] = {
    "项目编号": ("编号", "项目", "项目号"),
    "项目名称": ("名称",),
    "类别": ("项目类别",),
    "清单级别": ("级别",),
    "省": (),
    "市": (),
    "县": ("区县",),
    "业主单位": ("业主",),
    "施工单位": ("施工", "承建单位"),
    "劳务组织": ("劳务组织主体",),
    "财政资金(元)": ("财政资金",),
    "计划劳务报酬(元)": ("计划劳务报酬", "劳务报酬"),
    "使用衔接资金": ("衔接资金",),
    "赈济模式": (),
    "发放日": ("工资发放日",),
    "开工日期": ("开工",),
    "计划完工日期": ("完工", "计划完工"),
    "劳务报酬最低占比": ("最低占比",),
    "项目年度": ("年度", "清单年度"),
}
PROTECTED = ("省", "市", "县", "项目编号")  # an adjustment keeps the project where it is


def _row(p: Project) -> dict[str, str]:
    """A project as its import row (what 调整项目 starts from)."""
    r = p.region
    return {
        "项目编号": p.code, "项目名称": p.name, "类别": p.category, "清单级别": p.list_level,
        "省": r.province, "市": r.city, "县": r.county, "业主单位": p.owner_unit,
        "施工单位": p.contractor, "劳务组织": p.labour_org,
        "财政资金(元)": str(fen_to_yuan(p.fiscal_funds_fen)),
        "计划劳务报酬(元)": str(fen_to_yuan(p.planned_labour_fen)),
        "使用衔接资金": "是" if p.uses_xianjie else "否", "赈济模式": p.relief_model,
        "发放日": str(p.pay_day),
        "开工日期": f"{p.start_date:%Y-%m-%d}" if p.start_date else "",
        "计划完工日期": f"{p.planned_end_date:%Y-%m-%d}" if p.planned_end_date else "",
        "劳务报酬最低占比": f"{p.min_labour_share:.2%}" if p.min_labour_share is not None else "",
        "项目年度": str(p.list_year or ""),
    }  # fmt: skip


def _write(ctx: HandlerContext, values: dict[str, Any], example: str) -> None:
    ic = ImportContext(ctx.session, ctx.settings, ctx.user, ctx.channel, ctx.today)
    report = run_import(ic, "projects", Table(list(KINDS["projects"]), [(1, values)]))
    if not report.ok:
        raise UserError(refusal([m for _, m in report.problems], example))


@router.command(
    "新增项目",
    aliases=("登记项目", "添加项目"),
    help="管理员在聊天中登记一个项目（与导入项目清单同样校验）",
    example=ADD_EXAMPLE,
    roles=(Role.ADMIN,),
)
def add_project(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, ADD_EXAMPLE)
    if body:
        raise UserError(refusal([f"看不懂“{body[0]}”：每项写成“键：值”"], ADD_EXAMPLE))
    code = fields.get("项目编号", "").strip().upper()
    if not code:
        raise UserError(refusal(["缺少“编号”"], ADD_EXAMPLE))
    if ctx.session.scalar(select(Project.id).where(Project.code == code)) is not None:
        raise UserError(f"项目 {code} 已存在。调整请发送：调整项目 项目：{code} 财政资金：……")
    scope = ctx.user.scope
    values = dict.fromkeys(KINDS["projects"], "")
    if scope is not None:
        values.update({"省": scope.province, "市": scope.city, "县": scope.county})
    values.update({k: v.strip() for k, v in fields.items()})
    values["项目编号"] = code
    if not values["县"] and values["清单级别"] in ("县", "县级"):
        raise UserError(refusal(["县级项目请写明“县”"], ADD_EXAMPLE))
    _write(ctx, values, ADD_EXAMPLE)
    project = ctx.session.scalars(select(Project).where(Project.code == code)).one()
    ctx.audit("project.add", code, fields=sorted(fields))
    floor = project.labour_floor
    floor_text = (
        f"劳务报酬最低占比 {floor:.0%}" if floor is not None else "无最低占比要求（仅列示）"
    )
    return Reply(
        f"已登记项目 {code} {project.name}（{project.category}·{project.list_level}级·"
        f"{project.list_year or '未填'}年度清单，{project.region.label}），{floor_text}。\n"
        f"下一步：把联系人名单（负责项目写 {code}）发给助手导入，或发送“调整项目 项目：{code} …”修改。"
    )


@router.command(
    "调整项目",
    aliases=("修改项目", "项目调整"),
    help="管理员调整项目信息（资金、年度、日期等，写要改的项即可；记入审计日志）",
    example=EDIT_EXAMPLE,
    roles=(Role.ADMIN,),
)
def edit_project(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EDIT_EXAMPLE)
    if body:
        raise UserError(refusal([f"看不懂“{body[0]}”：每项写成“键：值”"], EDIT_EXAMPLE))
    project = project_from(ctx, {"项目": fields.get("项目编号", "")}, EDIT_EXAMPLE)
    changes = {k: v.strip() for k, v in fields.items() if k not in PROTECTED}
    moved = [k for k in ("省", "市", "县") if k in fields]
    if moved:
        raise UserError(f"不能在聊天中把项目改到其他地区（{'、'.join(moved)}），请用项目清单导入。")
    if not changes:
        raise UserError(refusal(["没有写要调整的内容"], EDIT_EXAMPLE))
    before = _row(project)
    _write(ctx, {**before, **changes}, EDIT_EXAMPLE)
    ctx.session.refresh(project)
    after = _row(project)
    diff = [
        f"{k}：{before[k] or '（空）'} → {after[k] or '（空）'}"
        for k in changes
        if before[k] != after[k]
    ]
    if not diff:
        return Reply(f"项目 {project.code} 的这些信息与原来相同，没有改动。")
    ctx.audit(
        "project.edit",
        project.code,
        changed={k: after[k] for k in changes if before[k] != after[k]},
    )
    return Reply(
        f"已调整项目 {project.code} {project.name}：\n" + "\n".join(f"· {d}" for d in diff)
    )
