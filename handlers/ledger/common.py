"""What every ledger command shares: aliases, the project field, audit rows, entry lines."""

from __future__ import annotations

from bot.context import HandlerContext
from bot.errors import UserError
from domain.access import require_project
from domain.parsing import refusal
from models import Project, Worker
from models.money import format_fen

PROJECT_KEY = {"项目": ("项目编号", "编号", "项目号")}


def project_from(
    ctx: HandlerContext, fields: dict[str, str], example: str, *, writes: bool = True
) -> Project:
    """The project a message names, if the sender may act on it."""
    code = fields.get("项目", "").strip()
    if not code:
        raise UserError(refusal(["缺少“项目”（项目编号）"], example, writes=writes))
    try:
        return require_project(ctx, code)
    except UserError as err:
        raise UserError(refusal([err.message], example, writes=writes)) from None


def who(worker: Worker) -> str:
    """How a worker appears in replies: name and masked ID number."""
    return f"{worker.name}（{worker.id_masked}）"


def money(fen: int) -> str:
    return format_fen(fen)


def correction_hint(number: str) -> str:
    return f"如有错误，发送“冲正 记录号：{number} 原因：……”撤销后重记。"
