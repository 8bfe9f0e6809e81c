"""Reminder benchmark: a province's ledgers, one full daily run, against the owed-vs-paid query.

Seeds 1,000 projects, 100,000 workers, 1,000,000 work records and a year of payments (scaled
by --scale) with bulk inserts (COPY on PostgreSQL), then, in a fresh process so that the
memory figure is the run's own: times the one SQL query that computes owed against paid per
(project, worker, period), and the full daily run (every rule, outbox rows queued).
Target (issue 6): the run within 3x of that query, under 500 MB peak RSS.

Usage: .venv/bin/python bench/reminders.py [--db URL] [--scale 1.0] [--at 2026-11-16T09:00]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Connection, Engine, func, select, text  # noqa: E402

import models  # noqa: E402
from models.calendar import due_date, shift_period  # noqa: E402
from models.session import make_engine, make_sessionmaker  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
SCHEMA = "bench_reminders"  # PostgreSQL: kept apart from the test tables
MONTHS = [shift_period("2025-12", i) for i in range(12)]  # 2025-12 … 2026-11
CREATED = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)  # naive UTC, as stored


def engine_for(url: str) -> Engine:
    if url.startswith("postgresql"):
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        admin.dispose()
        return make_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    return make_engine(url)


def bulk(conn: Connection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite; rows stream from a generator."""
    raw: Any = conn.connection.driver_connection
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def seed(engine: Engine, scale: float, today: date) -> dict[str, int]:
    n_projects = max(10, int(1000 * scale))
    n_workers = max(100, int(100_000 * scale))
    per_project = n_workers // n_projects
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    counties = [(c // 10, c) for c in range(max(1, n_projects // 10))]  # 10 projects a county
    with engine.begin() as conn:
        cities = sorted({city for city, _ in counties})
        regions = [(1 + i, "山西省", f"市{city}", "") for i, city in enumerate(cities)]
        regions += [(1000 + c, "山西省", f"市{city}", f"县{c}") for city, c in counties]
        bulk(conn, "regions", ["id", "province", "city", "county"], regions)
        bulk(
            conn,
            "projects",
            ["id", "code", "name", "category", "list_level", "region_id", "owner_unit",
             "contractor", "labour_org", "fiscal_funds_fen", "planned_labour_fen", "uses_xianjie",
             "relief_model", "pay_cycle", "pay_day", "start_date", "status", "created_at",
             "created_by"],
            (
                (p, f"NT-B-{p:04d}", f"项目{p}", "农推", "县", 1000 + (p - 1) // 10, "", "", "",
                 1_000_000_000, 200_000_000, True, "", "月", (10, 15, 20, 25)[p % 4],
                 date(2025, 11, 1), "in_progress" if p % 10 else "completed", CREATED, "bench")
                for p in range(1, n_projects + 1)
            ),
        )  # fmt: skip
        contacts = [
            (i, f"city-admin-{i}", "市管理员", "admin", i) for i in range(1, len(cities) + 1)
        ]
        contacts += [
            (10_000 + c, f"county-admin-{c}", "县管理员", "admin", 1000 + c) for _, c in counties
        ]
        contacts += [(100_000 + p, f"liaison-{p}", "联系人", "liaison", 1000 + (p - 1) // 10)
                     for p in range(1, n_projects + 1)]  # fmt: skip
        bulk(
            conn,
            "contacts",
            ["id", "userid", "name", "role", "unit", "region_id", "created_at"],
            ((i, u, n, r, "", reg, CREATED) for i, u, n, r, reg in contacts),
        )
        bulk(
            conn,
            "project_liaisons",
            ["project_id", "contact_id", "created_at"],
            ((p, 100_000 + p, CREATED) for p in range(1, n_projects + 1)),
        )
        bulk(
            conn,
            "workers",
            ["id", "name", "id_hash", "id_cipher", "id_masked", "village", "priority_group",
             "created_at", "created_by", "bank"],
            ((w, f"工人{w}", f"hash{w}", "c", "142329********0000", "村",
              "脱贫人口" if w % 3 == 0 else "其他", CREATED, "bench", "")
             for w in range(1, n_workers + 1)),
        )  # fmt: skip
        bulk(
            conn,
            "project_workers",
            ["project_id", "worker_id", "created_at", "created_by", "channel"],
            (((w - 1) // per_project + 1, w, CREATED, "bench", "import")
             for w in range(1, n_projects * per_project + 1)),
        )  # fmt: skip
        bulk(conn, "work_records", WORK_COLS, work_rows(n_projects, per_project, today))
        bulk(conn, "wage_payments", PAY_COLS, pay_rows(n_projects, per_project, today))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        counts = {
            t: int(
                conn.execute(
                    select(func.count()).select_from(models.Base.metadata.tables[t])
                ).scalar_one()
            )
            for t in ("projects", "workers", "work_records", "wage_payments")
        }
    return counts


WORK_COLS = ["project_id", "worker_id", "created_at", "created_by", "channel", "reason",
             "work_date", "period", "days", "daily_wage_fen", "due_fen"]  # fmt: skip
PAY_COLS = ["project_id", "worker_id", "created_at", "created_by", "channel", "reason",
            "period", "amount_fen", "paid_on", "method", "voucher"]  # fmt: skip
RECORDS_PER_WORKER = 10


def _months_of(w: int) -> list[str]:
    """The 10 months (of 12) a worker worked: one record in each."""
    skip = {w % 12, (w + 5) % 12}
    return [m for i, m in enumerate(MONTHS) if i not in skip]


def _day(period: str, w: int, today: date) -> date:
    d = date(int(period[:4]), int(period[5:]), 1 + (w * 7) % 28)
    return min(d, today - timedelta(days=1 + w % 5))


def work_rows(n_projects: int, per_project: int, today: date) -> Iterator[tuple[Any, ...]]:
    for w in range(1, n_projects * per_project + 1):
        p = (w - 1) // per_project + 1
        for period in _months_of(w):
            yield (p, w, CREATED, "bench", "import", "", _day(period, w, today), period,
                   1, 15000, 15000)  # fmt: skip


def pay_rows(n_projects: int, per_project: int, today: date) -> Iterator[tuple[Any, ...]]:
    """Every due period paid, except: some projects late for 2026-10 or 2026-09, some partial."""
    for w in range(1, n_projects * per_project + 1):
        p = (w - 1) // per_project + 1
        pay_day = (10, 15, 20, 25)[p % 4]
        for period in _months_of(w):
            due = due_date(period, pay_day)
            if due >= today:
                continue  # not due yet: unpaid, not late
            if (p % 50 == 0 and period == "2026-10") or (p % 97 == 0 and period == "2026-09"):
                continue  # late: liaison digests and escalations
            amount = 10000 if w % 500 == 0 else 15000  # a few partial payments
            yield (p, w, CREATED, "bench", "import", "", period, amount, due, "银行代发", "")


def measure(url: str, moment: datetime) -> dict[str, Any]:
    """In a fresh process: the reference query, then the full run (queued, then rolled back)."""
    from models.wages import balances_stmt
    from reminders.catalog import RULES
    from reminders.engine import run_rules

    engine = engine_for(url)
    factory = make_sessionmaker(engine)
    out: dict[str, Any] = {}
    with factory() as s:
        ref = select(func.count(), func.sum(text("owed - paid"))).select_from(
            balances_stmt().subquery("b")
        )
        s.execute(ref).one()  # warm the cache once, as the run would find it
        t0 = time.perf_counter()
        groups = s.execute(ref).one()
        out["query_s"] = time.perf_counter() - t0
        out["groups"] = int(groups[0])
    with factory() as s:
        s.begin()
        t0 = time.perf_counter()
        result = run_rules(s, moment, RULES)
        s.flush()
        out["run_s"] = time.perf_counter() - t0
        out["queued"] = len(result.queued)
        out["by_rule"] = result.by_rule()
        s.rollback()  # leave the data as seeded, so runs can be repeated
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with factory() as s:  # after the memory figure: this materialises every group in Python
        t0 = time.perf_counter()
        out["query_fetch_s"] = len(s.execute(balances_stmt()).all()) and time.perf_counter() - t0
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 1,000 projects / 1M records"
    )
    parser.add_argument("--at", default="2026-11-16T09:00", help="the moment of the daily run")
    parser.add_argument("--no-seed", action="store_true", help="reuse the data already seeded")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    moment = datetime.fromisoformat(args.at).replace(tzinfo=TZ)
    url = args.db or f"sqlite:///{tempfile.gettempdir()}/bench_reminders_{args.scale}.db"
    if args.measure:
        print(json.dumps(measure(url, moment)))
        return
    if not args.no_seed:
        t0 = time.perf_counter()
        engine = engine_for(url)
        counts = seed(engine, args.scale, moment.date())
        engine.dispose()
        print(f"seeded {counts} in {time.perf_counter() - t0:.1f} s")
    cmd = [sys.executable, __file__, "--measure", "--db", url, "--at", args.at]
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ.copy())
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    ratio = r["run_s"] / r["query_s"]
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    print(f"database            {dialect}")
    print(f"owed-vs-paid query  {r['query_s']:.2f} s ({r['groups']:,} (project, worker, period) groups; "
          f"{r['query_fetch_s']:.2f} s fetching them all)")  # fmt: skip
    print(f"full daily run      {r['run_s']:.2f} s, {r['queued']:,} messages queued {r['by_rule']}")
    print(f"ratio               {ratio:.2f}x (target <= 3x)")
    print(f"peak RSS            {r['peak_rss_mb']:.0f} MB (target < 500 MB)")
    ok = ratio <= 3 and r["peak_rss_mb"] < 500
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
