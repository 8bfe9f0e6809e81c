"""Payroll benchmark: the pay sheet of a 500-worker project, and a 1,000 × 31 考勤表 grid import.

Targets (issue 14): the pay sheet in under 2 s; the grid import in under 10 s (SQLite, 2 cores).
Usage: .venv/bin/python bench/payroll.py [--sheet-workers 500] [--grid-workers 1000] [--db URL]
"""

from __future__ import annotations

import argparse
import calendar
import io
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from openpyxl import Workbook  # noqa: E402

import models  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402
from domain.entries import WorkLine, write_work  # noqa: E402
from handlers.demo import valid_id  # noqa: E402
from handlers.ledger.people import WorkerInput, register_workers  # noqa: E402
from handlers.tabular.importer import import_bytes  # noqa: E402
from models import Contact, Project, ProjectLiaison, Region, Role  # noqa: E402
from models.session import make_engine, make_sessionmaker  # noqa: E402
from tests.builders import WeComUser  # noqa: E402


def seed(
    factory, settings: Settings, today: date, code: str, n: int, offset: int
) -> tuple[Project, list[str]]:  # type: ignore[no-untyped-def]
    with factory() as s, s.begin():
        region = s.query(Region).first()
        if region is None:
            region = Region(province="山西省", city="忻州市", county="五台县")
            s.add(region)
            s.flush()
            c = Contact(
                userid="bench-liaison", name="基准联系人", role=Role.LIAISON, region_id=region.id
            )
            s.add(c)
            s.flush()
        c = s.query(Contact).first()
        p = Project(
            code=code,
            name=f"基准项目{code}",
            category="农推",
            list_level="县",
            region_id=region.id,
            start_date=today - timedelta(days=400),
            fiscal_funds_fen=10**10,
            contractor="基准建设公司",
        )
        s.add(p)
        s.flush()
        s.add(ProjectLiaison(project_id=p.id, contact_id=c.id))
        names = [f"工人{offset + i:04d}" for i in range(n)]
        inputs = [
            WorkerInput(
                "",
                p,
                name,
                valid_id(
                    "142329",
                    date(1960, 1, 1) + timedelta(days=7 * (offset + i)),
                    (offset + i) % 1000,
                ),
            )
            for i, name in enumerate(names)
        ]
        _, problems = register_workers(s, settings, inputs, "bench", "cli")
        assert not problems, problems
        s.expunge(p)
    return p, names


def last_long_month(today: date) -> str:
    """The latest finished month with 31 days."""
    y, m = today.year, today.month
    while True:
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        if calendar.monthrange(y, m)[1] == 31:
            return f"{y:04d}-{m:02d}"


def grid_xlsx(code: str, period: str, names: list[str]) -> bytes:
    y, m = int(period[:4]), int(period[5:])
    wb = Workbook()
    ws = wb.active
    ws.append([f"基准项目（{code}）{y}年{m}月考勤表  日薪：150元"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=36)
    ws.append(["序号", "姓名", "性别", f"{m}月", *[None] * 30, "合计", "备注"])
    ws.append([None, None, None, *range(1, 32), None, None])
    for c in (1, 2, 3):
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=4, end_row=2, end_column=34)
    for i, name in enumerate(names, start=1):
        marks = ["√" if (i + d) % 7 else "半" for d in range(31)]
        ws.append([i, name, "男", *marks, None, ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheet-workers", type=int, default=500)
    ap.add_argument("--grid-workers", type=int, default=1000)
    ap.add_argument("--db", default="")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="yigong-bench-")
    url = args.db or f"sqlite:///{tmp}/bench.db"
    settings = Settings(
        DATABASE_URL=url,
        WECOM_CORP_ID="wwbench",
        WECOM_AGENT_ID=1000002,
        WECOM_SECRET="s",
        WECOM_TOKEN="benchToken",
        WECOM_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        YIGONG_DATA_KEY="bench-data-key-0123456789-abcdefghijklmnop",
        YIGONG_SCHEDULER=False,
    )
    engine = make_engine(url)
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    today = datetime.now(settings.tz).date()
    period = last_long_month(today)

    grid_project, grid_names = seed(factory, settings, today, "NT-GRID-001", args.grid_workers, 0)
    data = grid_xlsx(grid_project.code, period, grid_names)
    t0, c0 = time.perf_counter(), time.process_time()
    with factory() as s, s.begin():
        report = import_bytes(
            s, settings, "attendance", "考勤表.xlsx", data, actor=None, channel="cli", today=today
        )
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    cells = args.grid_workers * 31
    assert report.ok and report.written == cells, report.text()
    print(
        f"grid    {args.grid_workers} workers × 31 days ({len(data) // 1024} KiB .xlsx, {cells:,} work lines): "
        f"{elapsed:6.2f} s (CPU {cpu:5.2f} s)  target < 10 s: {'OK' if elapsed < 10 else 'MISSED'}"
    )

    sheet_project, sheet_names = seed(
        factory, settings, today, "NT-SHEET-001", args.sheet_workers, 5000
    )
    first = date(int(period[:4]), int(period[5:]), 1)
    with factory() as s, s.begin():
        p = s.get(Project, sheet_project.id)
        ids = [w for (w,) in s.execute(
            models.ProjectWorker.__table__.select().with_only_columns(models.ProjectWorker.worker_id).where(
                models.ProjectWorker.project_id == p.id))]  # fmt: skip
        lines = [
            WorkLine("", p, wid, first + timedelta(days=d), Decimal(1), 15000 + 1000 * (k % 3))
            for k, wid in enumerate(ids)
            for d in range(22)
        ]
        write_work(s, lines, "bench", "cli", numbered=False)
    services = build_services(settings, engine=engine)
    app = create_app(settings, services=services, background=False)
    times = []
    cpus = []
    with TestClient(app) as client:
        user = WeComUser(client, settings)
        for _ in range(7):
            t, c = time.perf_counter(), time.process_time()
            r = user.text("bench-liaison", f"工资表 项目：{sheet_project.code} 期间：{period}")
            times.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            assert f"{args.sheet_workers}人" in r.text, r.text
    times.sort()
    median = times[len(times) // 2]
    print(
        f"sheet   {args.sheet_workers}-worker pay sheet (.xlsx, via the callback): median {median:5.2f} s  "
        f"best {times[0]:5.2f} s  worst {times[-1]:5.2f} s (CPU median {sorted(cpus)[len(cpus) // 2]:5.2f} s)  "
        f"target < 2 s: {'OK' if median < 2 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
