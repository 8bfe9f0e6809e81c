"""季度汇总 benchmark: a province admin's roll-up over 1,000 projects, as the chat reply is built.

Seeds the province of bench/reminders.py (1,000 projects, 100,000 workers, 1,000,000 work
records at --scale 1.0), then times 季度汇总 end to end in-process: the projects of the
quarter, the ledger figures (quarter and cumulative), the reply and the xlsx bytes.
Target: well inside WeCom's 5-second passive-reply limit.

Usage: .venv/bin/python bench/quarterly.py [--db URL] [--scale 1.0] [--quarter 2026Q4]
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
from bot.context import HandlerContext, Incoming  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.access import resolve_principal  # noqa: E402
from handlers.quarterly_summary import summary  # noqa: E402
from models import Contact, OutboxMessage, Region  # noqa: E402
from models.session import make_sessionmaker  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--quarter", default="2026Q4")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_quarterly.db"
    engine = engine_for(url)
    t0 = time.perf_counter()
    counts = seed(engine, args.scale, date(2026, 11, 16))
    print(f"seeded {counts} in {time.perf_counter() - t0:.1f} s")
    factory = make_sessionmaker(engine)
    with factory() as s, s.begin():
        province = Region(province="山西省", city="", county="")
        s.add(province)
        s.flush()
        s.add(
            Contact(userid="province-admin", name="省管理员", role="admin", region_id=province.id)
        )
    settings = Settings(DATABASE_URL=url)
    now = datetime(2027, 1, 6, 10, tzinfo=TZ)
    times, lines = [], 0
    for _ in range(args.runs):
        with factory() as s:
            user = resolve_principal(s, "province-admin")
            ctx = HandlerContext(s, user, now, settings, args=args.quarter)
            msg = Incoming(user_id="province-admin", kind="text", text=f"季度汇总 {args.quarter}")
            t = time.perf_counter()
            reply = summary(msg, ctx)
            s.flush()
            times.append(time.perf_counter() - t)
            size = len(s.query(OutboxMessage).one().payload["data_base64"]) * 3 // 4
            lines = reply.text.count("\n") + 1
            s.rollback()
    print(
        f"季度汇总 {args.quarter}, {counts['projects']} projects, {counts['work_records']} work records "
        f"({engine.dialect.name}): median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.runs} runs; reply {lines} lines, xlsx {size // 1024} KiB"
    )


if __name__ == "__main__":
    main()
