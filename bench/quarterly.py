"""季度汇总 benchmark: a province admin's roll-up over 1,000 projects, as the chat reply is built.

Seeds the province of bench/reminders.py (1,000 projects, 100,000 workers, 1,000,000 work
records at --scale 1.0), then times building the roll-up in-process (`build`: the projects of
the quarter, the ledger figures for the quarter and cumulatively, the text and the xlsx bytes).
A region of more than INLINE_LIMIT projects gets it from a background job, so only a county's
roll-up has to fit WeCom's 5-second reply; a province's must only finish well inside the job
lease (10 minutes).

Usage: .venv/bin/python bench/quarterly.py [--db URL] [--scale 1.0] [--quarter 2026Q4] [--no-seed]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reminders import engine_for, seed  # noqa: E402
from domain.access import resolve_principal  # noqa: E402
from handlers.quarterly_summary import build  # noqa: E402
from models import Contact, Project, Region, WorkRecord  # noqa: E402
from models.session import make_sessionmaker  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--quarter", default="2026Q4")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-seed", action="store_true", help="reuse the database given by --db")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_quarterly.db"
    engine = engine_for(url)
    factory = make_sessionmaker(engine)
    if args.no_seed:
        with factory() as s:
            counts = {
                "projects": s.query(Project).count(),
                "work_records": s.query(WorkRecord).count(),
            }
    else:
        t0 = time.perf_counter()
        counts = seed(engine, args.scale, date(2026, 11, 16))
        print(f"seeded {counts} in {time.perf_counter() - t0:.1f} s")
    with factory() as s, s.begin():
        province = s.query(Region).filter_by(province="山西省", city="", county="").one_or_none()
        if province is None:
            province = Region(province="山西省", city="", county="")
            s.add(province)
            s.flush()
        if s.query(Contact).filter_by(userid="province-admin").one_or_none() is None:
            s.add(
                Contact(
                    userid="province-admin", name="省管理员", role="admin", region_id=province.id
                )
            )
    now = datetime(2027, 1, 6, 10, tzinfo=TZ)
    times, lines = [], 0
    for _ in range(args.runs):
        with factory() as s:
            user = resolve_principal(s, "province-admin")
            t = time.perf_counter()
            text, payload = build(s, user, args.quarter, now)
            times.append(time.perf_counter() - t)
            assert payload is not None
            size = len(payload["data_base64"]) * 3 // 4
            lines = text.count("\n") + 1
            s.rollback()
    print(
        f"季度汇总 {args.quarter}, {counts['projects']} projects, {counts['work_records']} work records "
        f"({engine.dialect.name}): median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.runs} runs; reply {lines} lines, xlsx {size // 1024} KiB"
    )


if __name__ == "__main__":
    main()
