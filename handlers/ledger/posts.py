"""岗位: a public-welfare post after completion (policy （九）)."""

from __future__ import annotations

import re
from typing import cast

from sqlalchemy import select

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from bot.text import normalize
from domain.figures import net_count
from domain.parsing import (
    Problems,
    parse_amount,
    parse_date,
    parse_or_refuse,
)
from domain.workers import find_worker
from handlers.ledger.common import PROJECT_KEY, correction_hint, money, project_from, who
from models import PostType, PublicPost, Role
from models.people import split_groups

router = Router("posts")

EXAMPLE = "岗位 项目：NT-2026-001 类型：生态护林员 人员：张三 月薪：800 开始：2027-01-01"
ALIASES = {
    **PROJECT_KEY,
    "类型": ("岗位", "岗位类型"),
    "人员": ("姓名", "工人", "身份证", "身份证号"),
    "月薪": ("月工资", "月报酬", "报酬"),
    "开始": ("开始日期", "起始", "上岗日期"),
    "结束": ("结束日期", "截止", "到期"),
}
# Words that make a post one of （九）'s five; anything else keeps its own name, uncategorised
# (管水员, 灌渠养护员, 护河员 … are posts the clause's "等" allows, but not of these five).
_CATEGORY_WORDS = {
    PostType.ROAD: ("道路", "护路", "公路", "村路"),
    PostType.FACILITY: ("公益设施", "设施管理", "设施管护"),
    PostType.SANITATION: ("保洁", "环卫", "环境卫生"),
    PostType.SECURITY: ("治安", "联防"),
    PostType.FOREST: ("护林", "林业管护", "森林"),
}
MAX_TYPE = 40
_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z（）()·]{2,40}$")


def check_post_type(text: str) -> tuple[str, str]:
    """(post type as written, its （九） category or "")."""
    s = normalize(text).replace(" ", "")
    if not _NAME.match(s):
        raise UserError(
            f"岗位类型“{s[:MAX_TYPE]}”应为岗位名称（2–{MAX_TYPE} 个字），如 生态护林员、管水员"
        )
    matches = {c for c, words in _CATEGORY_WORDS.items() if any(w in s for w in words)}
    return s, str(matches.pop()) if len(matches) == 1 else ""


@router.command(
    "岗位",
    aliases=("公益岗位", "公益性岗位", "设岗"),
    help="登记项目建成后的公益性岗位：类型、人员、月薪、起止日期",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def record_post(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLE)
    project = project_from(ctx, fields, EXAMPLE)
    problems = Problems(EXAMPLE)
    if body:
        problems.add("", f"看不懂“{body[0]}”：每项写成“键：值”")
    typed = (
        problems.check("类型", check_post_type, fields.get("类型", ""))
        if fields.get("类型")
        else None
    )
    post, category = typed if typed else (None, "")
    if not fields.get("类型"):
        problems.add("类型", "缺少岗位类型，如“类型：生态护林员”")
    worker = problems.check("人员", find_worker, ctx, project, fields.get("人员", ""))
    pay = (
        problems.check("月薪", parse_amount, fields.get("月薪", "")) if fields.get("月薪") else None
    )
    if not pay:
        problems.add("月薪", "月薪必须大于0，如“月薪：800”")
    elif pay > ctx.settings.max_daily_wage * 100 * 31:
        problems.add("月薪", f"{money(pay)} 超过日薪上限×31天，请核对")
    start = problems.check("开始", parse_date, fields.get("开始") or "今天", ctx.today)
    end = (
        problems.check("结束", parse_date, fields["结束"], ctx.today)
        if fields.get("结束")
        else None
    )
    if start and end and end < start:
        problems.add("结束", f"结束日期 {end} 早于开始日期 {start}")
    if start and project.start_date and start < project.start_date:
        problems.add("开始", f"早于项目开工日期 {project.start_date}")
    if worker and post:
        active = ctx.session.scalar(
            select(net_count(PublicPost)).where(
                PublicPost.project_id == project.id,
                PublicPost.worker_id == worker.id,
                # the same category (护林 = 生态护林员), or the same name when uncategorised
                PublicPost.post_category == category if category else PublicPost.post_type == post,
            )
        )
        if active and active > 0:
            problems.add(
                "人员",
                f"{worker.name} 已登记过“{category or post}”岗位，不重复登记；如需更改请先冲正",
            )
    problems.raise_if_any()

    row = PublicPost(
        project_id=project.id,
        worker_id=worker.id,
        post_type=post,
        post_category=category,
        monthly_pay_fen=pay,
        start_date=start,
        end_date=end,
        created_by=ctx.user.userid,
        channel=ctx.channel,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("post.add", project.code, entry=row.number)
    until = f"至 {end:%Y-%m-%d}" if end else "（未定结束日期）"
    kind = f"{post}（属{category}）" if category and category != post else str(post)
    if not category:
        kind += "（不属于（九）所列五类，按所写类型登记）"
    text = (
        f"已登记公益性岗位 {row.number}：项目 {project.code}，{kind}，{who(worker)}，"
        f"月薪 {money(cast(int, pay))}，{start:%Y-%m-%d} 起{until}。\n{correction_hint(row.number)}"
    )
    if project.status not in ("completed", "accepted"):
        text += "\n提醒：政策（九）所指公益性岗位在项目建成后设置，该项目尚未完工。"
    if not split_groups(worker.priority_group):
        text += (
            f"\n提醒：{worker.name} 未登记任何重点人群类别（脱贫人口、监测对象、低收入等）；"
            "政策（九）要求优先安排参与项目务工、培训的低收入群众。如属重点人群，请补登人员类别。"
        )
    return Reply(text)
