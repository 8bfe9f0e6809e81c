"""帮助: the list of commands, built from what each handler registered."""

from __future__ import annotations

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router

router = Router("help")


@router.command(
    "帮助",
    aliases=("help", "?", "？", "菜单"),
    help="查看可用命令；“帮助 命令名”看详细用法",
    example="帮助 记工",
)
def show_help(msg: Incoming, ctx: HandlerContext) -> Reply:
    assert ctx.services is not None, "help lists the commands of the services' router"
    root = ctx.services.router
    topic = ctx.args.strip()
    if topic:
        cmd = root.find(topic)
        if cmd is None:
            raise UserError(f"没有“{topic}”这个命令。发送“帮助”查看全部命令。")
        lines = [f"【{cmd.name}】{cmd.help}"]
        if cmd.aliases:
            lines.append("也可以说：" + "、".join(a for a in cmd.aliases if a.strip()))
        if cmd.example:
            lines.append("示例：\n" + cmd.example)
        return Reply("\n".join(lines))
    lines = ["以工代赈助手可以：", ""]
    for cmd in root.visible_commands():
        if cmd.roles is None or ctx.user.role in cmd.roles:
            lines.append(f"· {cmd.name}：{cmd.help}")
    lines += [
        "",
        "其他文字按政策问题回答，例如：农推项目劳务报酬比例有什么要求？",
        "发送“帮助 命令名”查看示例。",
    ]
    return Reply("\n".join(lines))
