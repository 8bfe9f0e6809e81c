"""上传台账: choose a file, see every row checked, confirm, and import all or nothing.

The check is the real import run inside a transaction that is rolled back; the confirmed
import runs it again for real, so what was shown is what is written (or refused, if the
ledger changed in between). The report is also sent to the uploader as an app message.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import delete, select
from starlette.datastructures import UploadFile as StarletteUpload

from bot.errors import UserError
from bot.settings import Settings
from domain.parsing import mask_id_text
from handlers.files import MAX_BYTES, SUFFIXES
from handlers.tabular.columns import GRID_KINDS, GRID_OPTIONS, IMPORT_KINDS
from handlers.tabular.importer import ImportReport, import_bytes
from handlers.tabular.readers import Table, guess_kind, read_table
from models import OutboxMessage, Role, WebUpload
from models.privacy import mask_phone
from web.core import (
    PageError,
    Viewer,
    check_csrf,
    database,
    render,
    require_role,
    settings_of,
    viewer,
)

router = APIRouter()

KIND_LABELS = {
    "work": "务工台账（记工）",
    "wages": "劳务报酬发放台账",
    "training": "技能培训台账",
    "workers": "务工人员名单",
    "projects": "项目清单",
    "contacts": "管理员和联系人",
    "attendance": "考勤表（按月出工表）",
    "bank-result": "银行代发回单（代发结果）",
}
ADMIN_ONLY = {"projects", "contacts"}
PENDING_FOR = timedelta(hours=1)
ROWS_SHOWN = 300
MORE_SHOWN = 50  # problems of rows beyond those shown, listed on their own
FORM_OVERHEAD = 64 * 1024  # the form's other fields and multipart boundaries
SECRET_COLUMNS = ("身份证", "手机", "账号", "卡号")


def kinds_for(v: Viewer) -> list[tuple[str, str]]:
    """The import kinds of the shared registry this person may upload (new kinds appear here)."""
    return [
        (k, KIND_LABELS.get(k, k))
        for k in IMPORT_KINDS
        if v.principal.is_admin or k not in ADMIN_ONLY
    ]


def _options(form: Any) -> dict[str, str]:
    """项目, 期间, 日薪 from the form: what a 考勤表 or 回单 may not say itself."""
    found = {key: str(form.get(key) or "").strip()[:40] for key in GRID_OPTIONS}
    return {key: value for key, value in found.items() if value}


_PACKED = b"YGUP1\n"  # a pending upload: its options as a JSON line, then the file


def pack(options: dict[str, str], data: bytes) -> bytes:
    return _PACKED + json.dumps(options, ensure_ascii=False).encode() + b"\n" + data


def unpack(blob: bytes) -> tuple[dict[str, str], bytes]:
    if not blob.startswith(_PACKED):
        return {}, blob
    head, _, data = blob[len(_PACKED) :].partition(b"\n")
    loaded = json.loads(head)
    return {str(k): str(v) for k, v in loaded.items()}, data


def _masked(header: str, value: str) -> str:
    if "身份证" in header:
        return mask_id_text(value)
    if any(word in header for word in SECRET_COLUMNS):
        return mask_phone(value) if value else ""
    return value


@router.get("/upload")
def upload_form(request: Request) -> Response:
    with database(request) as db:
        v = viewer(request, db)
        require_role(v, Role.ADMIN, Role.LIAISON, what="上传台账")
        return render(
        "upload.html", viewer=v, kinds=kinds_for(v), max_mb=MAX_BYTES // 2**20,
        grid_kinds=GRID_KINDS,
    )  # fmt: skip


@router.post("/upload")
async def upload_check(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    # Refuse an oversized body before parsing it: the multipart parser would spool it all.
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise PageError(411, "上传请求缺少长度，请用页面上的表单上传。")
    if int(declared) > MAX_BYTES + FORM_OVERHEAD:
        raise PageError(413, f"文件超过 {MAX_BYTES // 2**20}MB，没有导入。请拆分后分别上传。")
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, StarletteUpload):
        raise PageError(400, "没有选择文件。")
    name = Path(upload.filename or "未命名文件").name[:200]
    data = await upload.read(MAX_BYTES + 1)
    kind, csrf = str(form.get("kind") or "auto"), str(form.get("csrf") or "")
    return await run_in_threadpool(_check, request, name, data, kind, csrf, _options(form))


def _check(
    request: Request, name: str, data: bytes, kind: str, csrf: str, options: dict[str, str]
) -> Response:
    settings = settings_of(request)
    with database(request) as db:
        v = viewer(request, db)
        check_csrf(v, csrf)
        require_role(v, Role.ADMIN, Role.LIAISON, what="上传台账")
        allowed = dict(kinds_for(v))

        def again(message: str) -> Response:
            return render(
                "upload.html", status=422, viewer=v, kinds=kinds_for(v), error=message,
                max_mb=MAX_BYTES // 2**20, grid_kinds=GRID_KINDS,
            )  # fmt: skip

        if Path(name).suffix.lower() not in SUFFIXES:
            return again(f"“{name}”不是 .xlsx 或 .csv 文件。.xls 请先在 Excel 中另存为 .xlsx。")
        if len(data) > MAX_BYTES:
            return again(f"“{name}”超过 {MAX_BYTES // 2**20}MB，没有导入。请拆分后分别上传。")
        try:
            chosen = guess_kind(name, data) if kind == "auto" else kind
            if chosen not in allowed:
                return again(f"您不能上传“{KIND_LABELS.get(chosen, chosen)}”。")
            report = import_bytes(
                db, settings, chosen, name, data, actor=v.principal, channel="import",
                today=datetime.now(settings.tz).date(), options=options,
            )  # fmt: skip
        except UserError as err:
            db.rollback()
            return again(err.message)
        db.rollback()  # a check only: nothing of it stays
        table: Table | None = None
        if chosen not in GRID_KINDS:  # a grid has a reader of its own: its report is the listing
            try:  # the rows as the file has them, to show beside their problems
                table = read_table(name, data, chosen)
            except UserError:
                table = None
        token = ""
        if report.ok:
            token = secrets.token_urlsafe(24)
            now = datetime.now(UTC)
            db.execute(delete(WebUpload).where(WebUpload.created_at < now - PENDING_FOR))
            db.add(
                WebUpload(
                    token=token, owner=v.principal.userid, kind=chosen, file_name=name,
                    data=seal(settings, pack(options, data)), created_at=now,
                )
            )  # fmt: skip
            db.commit()
        problems: dict[int, list[str]] = {}
        for row, message in report.problems:
            problems.setdefault(row, []).append(message)
        headers = table.headers if table else []
        rows = [
            (n, [_masked(h, values.get(h, "")) for h in headers], problems.get(n, []))
            for n, values in (table.rows[:ROWS_SHOWN] if table else [])
        ]
        listed = {n for n, _, _ in rows}
        general = problems.get(0, []) + [
            f"第{r}行：{m}"
            for r, ms in sorted(problems.items())
            if r and r not in listed
            for m in ms
        ]
        if len(general) > MORE_SHOWN:
            general = [*general[:MORE_SHOWN], f"……另有 {len(general) - MORE_SHOWN} 处问题未列出。"]
        return render(
            "upload_check.html",
            status=200 if report.ok else 422,
            viewer=v, name=name, kind=chosen, kind_label=allowed[chosen],
            headers=headers, rows=rows,
            hidden=max(0, len(table.rows) - ROWS_SHOWN) if table else 0, report=report, general=general,
            bad_rows=len({r for r, _ in report.problems if r}), token=token,
            summary=report.text(name) if table is None else "", options=options,
        )  # fmt: skip


@router.post("/upload/confirm")
def upload_confirm(request: Request, token: str = Form(""), csrf: str = Form("")) -> Response:
    settings = settings_of(request)
    with database(request) as db:
        v = viewer(request, db)
        check_csrf(v, csrf)
        require_role(v, Role.ADMIN, Role.LIAISON, what="上传台账")
        now = datetime.now(UTC)
        pending = db.scalar(
            select(WebUpload)
            .where(
                WebUpload.token == token,
                WebUpload.owner == v.principal.userid,
                WebUpload.consumed_at.is_(None),
                WebUpload.created_at >= now - PENDING_FOR,
            )
            .with_for_update()
        )
        if pending is None:
            return render(
                "error.html", status=409, viewer=v,
                message="这份文件已经导入过、已过期（1小时）或不是您上传的。请重新上传。",
            )  # fmt: skip
        pending.consumed_at = now
        options, data = unpack(unseal(settings, pending.data))
        pending.data = b""  # no copy kept either way
        try:
            report = import_bytes(
                db, settings, pending.kind, pending.file_name, data,
                actor=v.principal, channel="import", today=datetime.now(settings.tz).date(),
                options=options,
            )  # fmt: skip
        except UserError as err:
            report = ImportReport(pending.kind)
            report.add(0, err.message)
        # A refused import has rolled its rows back (its savepoint); its audit row stays.
        text = report.text(pending.file_name)
        _send_report(db, v, text)
        db.commit()
        return render(
            "upload_done.html", status=200 if report.ok else 422, viewer=v, report=report,
            text=text, name=pending.file_name,
        )  # fmt: skip


def _aead(settings: Settings) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"yigong-bot", info=b"web-upload-v1"
    ).derive(settings.effective_data_key.encode())
    return AESGCM(key)


def seal(settings: Settings, data: bytes) -> bytes:
    """A file waiting for confirmation holds ID numbers: encrypted at rest like them."""
    nonce = os.urandom(12)
    return nonce + _aead(settings).encrypt(nonce, data, None)


def unseal(settings: Settings, blob: bytes) -> bytes:
    return _aead(settings).decrypt(blob[:12], blob[12:], None)


def _send_report(db: Any, v: Viewer, text: str) -> None:
    """The same report as chat, as an app message (split like every long reply)."""
    from bot.text import split_utf8

    for part in split_utf8(text):
        db.add(
            OutboxMessage(recipient=v.principal.userid, msgtype="text", payload={"content": part})
        )
