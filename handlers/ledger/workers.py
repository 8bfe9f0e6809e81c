"""登记工人: register a worker on a project (ID number validated, stored encrypted)."""

from __future__ import annotations

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.parsing import (
    Problems,
    check_id_number,
    check_person_name,
    check_phone,
    check_working_age,
    parse_bool,
    parse_or_refuse,
)
from handlers.ledger.account_fields import ACCOUNT_KEYS, account_from
from handlers.ledger.common import PROJECT_KEY, project_from, who
from handlers.ledger.people import WorkerInput, check_group, register_workers
from models import PriorityGroup, Role
from models.people import join_groups, split_groups

router = Router("workers")

EXAMPLE = "登记工人 项目：NT-2026-001 姓名：张三 身份证：142329198503121233 手机：13800138000 村：东关村 脱贫户：是"
ALIASES = {
    **PROJECT_KEY,
    "姓名": ("名字", "人员", "工人"),
    "身份证": ("身份证号", "身份证号码", "证件号"),
    "手机": ("手机号", "电话", "联系电话"),
    "村": ("村组", "所在村", "村庄"),
    "脱贫户": ("脱贫人口",),
    "类别": ("人员类别", "群体", "重点群体"),
    "企业微信": ("企业微信账号", "userid"),
    **ACCOUNT_KEYS,
}


@router.command(
    "登记工人",
    aliases=("登记人员", "添加工人", "新增工人", "登记务工人员"),
    help="在项目中登记一位务工人员（身份证号会校验、加密保存；未满16周岁不能登记）",
    example=EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def register(msg: Incoming, ctx: HandlerContext) -> Reply:
    fields, body = parse_or_refuse(ctx.args, ALIASES, EXAMPLE)
    project = project_from(ctx, fields, EXAMPLE)
    problems = Problems(EXAMPLE)
    if body:
        problems.add("", f"看不懂“{body[0]}”：每项写成“键：值”")
    name = problems.check("姓名", check_person_name, fields.get("姓名", "")) or ""
    checked = (
        problems.check("身份证", check_id_number, fields.get("身份证", ""))
        if fields.get("身份证")
        else None
    )
    if (
        checked is not None
        and problems.check("身份证", check_working_age, checked[0], ctx.today) is None
    ):
        checked = None
    if not fields.get("身份证"):
        problems.add("身份证", "缺少身份证号")
    phone = problems.check("手机", check_phone, fields["手机"]) if fields.get("手机") else ""
    group = PriorityGroup.OTHER.value
    if fields.get("类别"):
        group = problems.check("类别", check_group, fields["类别"]) or group
    if fields.get("脱贫户") and problems.check("脱贫户", parse_bool, fields["脱贫户"]):
        group = join_groups([*split_groups(group), PriorityGroup.POVERTY_ALLEVIATED])
    account = account_from(problems, fields)
    problems.raise_if_any()
    assert checked is not None
    number, warnings = checked
    x = WorkerInput(
        where="",
        project=project,
        name=name,
        id_number=number,
        phone=phone or "",
        village=fields.get("村", ""),
        priority_group=group,
        wecom_userid=fields.get("企业微信", ""),
        account=account,
    )
    results, errors = register_workers(
        ctx.session, ctx.settings, [x], ctx.user.userid, ctx.channel, user=ctx.user
    )
    if errors:
        raise UserError(errors[0][1] + "。没有写入任何数据。")
    r = results[0]
    ctx.audit(
        "worker.register",
        project.code,
        worker_id=r.worker.id,
        created=r.created,
        added=r.added,
    )
    if not r.added:
        text = f"{who(r.worker)} 已在项目 {project.code} 登记过，没有重复登记。"
        if r.kept and (phone or x.village or group != PriorityGroup.OTHER.value or account):
            text += "此人也在其他地区的项目登记，手机、村、账户等信息以原登记为准，本次未修改。"
        elif account is not None:
            text += f"已更新工资账户：{account.type} {account.masked}（{account.bank}）。"
        if r.bound:
            text += f"已为其绑定企业微信账号 {r.worker.wecom_userid}，并通知了该账号。"
    else:
        text = f"已在项目 {project.code} 登记：{who(r.worker)}"
        details = [
            v for v in (r.worker.phone_masked, r.worker.village, r.worker.priority_group) if v
        ]
        if r.worker.account_masked:
            details.append(f"{r.worker.account_type} {r.worker.account_masked}（{r.worker.bank}）")
        text += "，" + "，".join(details) if details else ""
        if r.created:
            text += "。"
        elif r.kept:
            text += "（此人已在其他地区的项目登记，手机、村等信息以原登记为准，本次未修改）。"
        else:
            text += "（此人此前已在其他项目登记，沿用原信息）。"
        if r.bound:
            text += f"\n已绑定企业微信账号 {r.worker.wecom_userid}，并通知了该账号。"
        text += (
            f"\n现在可以记工：记工 项目：{project.code} 日期：今天 日薪：150\n{r.worker.name} 1天"
        )
    if warnings:
        text += "\n提醒：" + "；".join(warnings)
    return Reply(text)
