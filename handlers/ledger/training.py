"""培训: a training for one or more workers (技能培训台账)."""

from __future__ import annotations

from bot.context import HandlerContext, Incoming, Reply
from bot.router import Router
from domain.entries import (
    TrainingLine,
    check_ledger_date,
    check_mode,
    split_trainings,
    write_trainings,
)
from domain.parsing import (
    Problems,
    parse_date,
    parse_hours,
    parse_or_refuse,
    split_names,
)
from domain.workers import find_workers
from handlers.ledger.common import PROJECT_KEY, correction_hint, project_from, who
from models import Role, Training

router = Router("training")

EXAMPLE = (
    "培训 项目：NT-2026-001 日期：2026-11-21 内容：砌筑 方式：以工代训 学时：4 人员：张三，李四"
)
ALIASES = {
    **PROJECT_KEY,
    "日期": ("培训日期", "时间"),
    "内容": ("主题", "培训内容", "课程"),
    "方式": ("培训方式", "形式"),
    "学时": ("课时", "时长", "小时"),
    "人员": ("姓名", "参训人员", "学员", "工人"),
}


@router.command(
    "培训",
    aliases=("记培训", "培训登记"),
    help="记技能培训台账：内容、方式（培训+上岗/实训/以工代训）、学时、人员",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def record_training(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLE)
    project = project_from(ctx, fields, EXAMPLE)
    problems = Problems(EXAMPLE)
    day = problems.check("日期", parse_date, fields.get("日期") or "今天", ctx.today)
    if day is not None:
        day = problems.check("日期", check_ledger_date, day, ctx.today, project, "培训日期")
    topic = fields.get("内容", "").strip()
    if not topic:
        problems.add("内容", "缺少培训内容，如“内容：砌筑”")
    elif len(topic) > 100:
        problems.add("内容", "培训内容请控制在100字以内")
    mode = (
        problems.check("方式", check_mode, fields.get("方式", "")) if fields.get("方式") else None
    )
    if not fields.get("方式"):
        problems.add("方式", "缺少培训方式：培训+上岗、实训 或 以工代训")
    hours = (
        problems.check("学时", parse_hours, fields.get("学时", "")) if fields.get("学时") else None
    )
    if not fields.get("学时"):
        problems.add("学时", "缺少学时，如“学时：4”")
    names = split_names(" ".join([fields.get("人员", ""), *body]))
    if not names:
        problems.add("人员", "缺少参训人员，如“人员：张三，李四”")
    matches = find_workers(ctx, project, names)
    lines: list[TrainingLine] = []
    for ref in dict.fromkeys(names):
        match = matches[ref]
        if match.worker is None:
            problems.add(f"人员“{ref}”", match.error)
        elif day and mode and hours and topic:
            lines.append(
                TrainingLine(f"人员“{ref}”", project, match.worker.id, day, topic, mode, hours)
            )
    new, same = split_trainings(ctx.session, lines)
    for x in same:
        problems.add(x.where, f"{x.train_date:%Y-%m-%d}“{x.topic}”培训已登记过，不重复登记")
    problems.raise_if_any()

    ids = write_trainings(ctx.session, new, ctx.user.userid, ctx.channel)
    ctx.audit("training.add", project.code, count=len(ids), first=ids[0], last=ids[-1])
    workers = {m.worker.id: m.worker for m in matches.values() if m.worker is not None}
    out = [
        f"已登记培训 {len(ids)} 人次（项目 {project.code}，{day:%Y-%m-%d}，{topic}，{mode}，{hours:g}学时）："
    ]
    for entry_id, x in zip(ids, new, strict=True):
        out.append(f"{Training.number_of(entry_id)} {who(workers[x.worker_id])}")
    out.append(correction_hint(Training.number_of(ids[0])))
    return Reply("\n".join(out))
