"""Files sent back to the user as WeCom file/image messages (uploaded by the sender)."""

from __future__ import annotations

import base64

from bot.context import HandlerContext


def send_file(ctx: HandlerContext, data: bytes, filename: str, *, msgtype: str = "file") -> None:
    """Queue `data` to the sender of this message; the outbox uploads it (media/upload)."""
    ctx.send(
        ctx.user.userid,
        "",
        msgtype=msgtype,
        payload={"data_base64": base64.b64encode(data).decode(), "filename": filename},
        rule="file",
    )


def maker(ctx: HandlerContext) -> str:
    """How the person who made a file is named on it."""
    return ctx.user.name or ctx.user.userid
