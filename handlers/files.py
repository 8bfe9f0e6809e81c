"""File messages: an Excel/CSV ledger sent by a liaison or admin, imported in the background.

The callback answers at once; the job downloads the file through the media API, validates
every row and writes all or nothing, then sends the per-row report as an app message.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.jobs import JobContext
from bot.router import Router
from domain.access import resolve_principal
from handlers.tabular.importer import import_bytes
from handlers.tabular.readers import guess_kind
from models import Role

router = Router("files")

JOB_KIND = "import_file"  # run by `import_file_job` (listed in bot/wiring.py)
SUFFIXES = (".xlsx", ".xlsm", ".csv")
MAX_BYTES = 20 * 1024 * 1024
FORMS = "表头与导入模板一致的 .xlsx 或 .csv 文件（如 work 表：项目编号、身份证号、日期、天数、日薪(元)）"


@router.file(roles=(Role.ADMIN, Role.LIAISON))
def receive_file(msg: Incoming, ctx: HandlerContext) -> Reply:
    name = msg.file_name or "未命名文件"
    if Path(name).suffix.lower() not in SUFFIXES:
        raise UserError(f"收到“{name}”，但只能导入{FORMS}。.xls 请先另存为 .xlsx。")
    if not msg.media_id:
        raise UserError("文件消息缺少 MediaId，请重新发送文件。")
    ctx.enqueue_job(
        JOB_KIND,
        key=f"import:{msg.dedup_key}",
        payload={"media_id": msg.media_id, "file_name": name},
    )
    return Reply(f"已收到“{name}”，正在后台校验导入。全部无误才会写入；结果稍后发给您。")


def import_file_job(session: Session, jc: JobContext) -> str:
    payload = jc.job.payload
    wecom = jc.services.wecom if jc.services is not None else None
    if wecom is None:
        raise UserError(
            "企业微信接口未配置，无法下载文件，没有写入任何数据。请改用 yigong import 导入。"
        )
    downloaded_name, data = wecom.download_media(payload["media_id"])
    name = payload.get("file_name") or downloaded_name
    if len(data) > MAX_BYTES:
        raise UserError(f"“{name}”超过 20MB，没有导入。请拆分后分别发送。")
    actor = resolve_principal(session, jc.job.user_id)
    if not actor.is_staff:
        raise UserError("只有管理员和项目联系人可以导入台账，没有写入任何数据。")
    settings = jc.services.settings
    kind = guess_kind(name, data)
    report = import_bytes(
        session,
        settings,
        kind,
        name,
        data,
        actor=actor,
        channel="import",
        today=jc.now.astimezone(settings.tz).date(),
    )
    if not report.ok:
        raise UserError(report.text(name))
    return report.text(name)
