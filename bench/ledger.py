"""Ledger benchmark: a 100,000-row work import from .xlsx, and 50-line 记工 batches via the callback.

Targets (SPEC §8, issue 3): the import in under 30 s; a 50-line batch in under 300 ms (p99).
Usage: .venv/bin/python bench/ledger.py [--rows 100000] [--batches 100] [--db URL]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from openpyxl import Workbook  # noqa: E402

import models  # noqa: E402
from bot.app import create_app
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402
from handlers.demo import valid_id  # noqa: E402
from handlers.ledger.people import WorkerInput, register_workers  # noqa: E402
from handlers.tabular.importer import import_bytes  # noqa: E402
from models import Contact, Project, ProjectLiaison, Region, Role  # noqa: E402
from models.session import make_engine, make_sessionmaker  # noqa: E402
from tests.builders import WeComUser  # noqa: E402

WORKERS = 1000


def seed(factory, settings: Settings, today: date) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    with factory() as s, s.begin():
        region = Region(province="山西省", city="忻州市", county="五台县")
        s.add(region)
        s.flush()
        p = Project(
            code="NT-BENCH-001",
            name="基准项目",
            category="农推",
            list_level="县",
            region_id=region.id,
            start_date=today - timedelta(days=900),
            fiscal_funds_fen=10**10,
        )
        c = Contact(
            userid="bench-liaison", name="基准联系人", role=Role.LIAISON, region_id=region.id
        )
        s.add_all([p, c])
        s.flush()
        s.add(ProjectLiaison(project_id=p.id, contact_id=c.id))
        ids = [
            valid_id("142329", date(1960, 1, 1) + timedelta(days=13 * i), i % 1000)
            for i in range(WORKERS)
        ]
        names = [f"工人{i:04d}" for i in range(WORKERS)]
        inputs = [WorkerInput("", p, n, i) for n, i in zip(names, ids, strict=True)]
        _, problems = register_workers(s, settings, inputs, "bench", "cli")
        assert not problems, problems
    return ids, names


def work_xlsx(ids: list[str], rows: int, today: date) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("work")
    ws.append(["项目编号", "身份证号", "日期", "天数", "日薪(元)"])
    for k in range(rows):
        ws.append(
            ["NT-BENCH-001", ids[k % WORKERS], today - timedelta(days=1 + k // WORKERS), 1, 150]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batches", type=int, default=100)
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
    ids, names = seed(factory, settings, today)

    data = work_xlsx(ids, args.rows, today)
    t0 = time.perf_counter()
    with factory() as s, s.begin():
        report = import_bytes(
            s, settings, "work", "bench.xlsx", data, actor=None, channel="cli", today=today
        )
    elapsed = time.perf_counter() - t0
    assert report.ok and report.written == args.rows, report.text()
    print(
        f"import  {args.rows:>7} rows from .xlsx: {elapsed:6.2f} s  ({args.rows / elapsed:,.0f} rows/s)  "
        f"target < 30 s: {'OK' if elapsed < 30 else 'MISSED'}"
    )

    services = build_services(settings, engine=engine)
    app = create_app(settings, services=services, background=False)
    times: list[float] = []
    with TestClient(app) as client:
        user = WeComUser(client, settings)
        first_day = today - timedelta(days=1 + args.rows // WORKERS + 1)
        for b in range(args.batches):
            group = b % (WORKERS // 50)
            day = first_day - timedelta(days=b // (WORKERS // 50))
            lines = "\n".join(f"{names[group * 50 + j]} 1天" for j in range(50))
            text = f"记工 项目：NT-BENCH-001 日期：{day:%Y-%m-%d} 日薪：150\n{lines}"
            t = time.perf_counter()
            r = user.text("bench-liaison", text)
            times.append(time.perf_counter() - t)
            assert "已记工 50 条" in r.text, r.text[:300]
    times.sort()
    p50 = statistics.median(times) * 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    rate = 50 * len(times) / sum(times)
    print(
        f"chat    {len(times)} batches × 50 lines via callback: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
        f"({rate:,.0f} rows/s)  target p99 < 300 ms: {'OK' if p99 < 300 else 'MISSED'}"
    )
    services.close()


if __name__ == "__main__":
    main()
