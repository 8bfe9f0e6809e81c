"""Pages benchmark: server time and weight of each page for a county of 200 projects and
5,000 workers (a year of work records and payments), on SQLite.

Seeds one county (one admin, a liaison per project, every worker bound) with bulk inserts,
then requests each page through the ASGI app in-process (the server's own time: routing,
session check, queries, template): once cold ("first", which also fills the county page's
one-minute cache of region figures), then --n times.
Targets (issue 17): p95 < 150 ms per page, page weight < 150 KB (no images on these pages).

Usage: .venv/bin/python bench/pages.py [--db sqlite:///path] [--n 40] [--projects 200] [--workers 5000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402

import models  # noqa: E402
from bench.reminders import PAY_COLS, WORK_COLS, bulk, pay_rows, work_rows  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402
from models.session import make_engine  # noqa: E402
from web.tokens import SESSION_COOKIE, make_session  # noqa: E402

CREATED = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
P95_MS = 150
MAX_KB = 150


def seed(engine: Engine, n_projects: int, n_workers: int, today: date) -> None:
    models.Base.metadata.drop_all(engine)
    models.Base.metadata.create_all(engine)
    per_project = n_workers // n_projects
    with engine.begin() as conn:
        bulk(
            conn,
            "regions",
            ["id", "province", "city", "county"],
            [(1, "山西省", "忻州市", "五台县")],
        )
        bulk(
            conn,
            "projects",
            ["id", "code", "name", "category", "list_level", "region_id", "owner_unit",
             "contractor", "labour_org", "fiscal_funds_fen", "planned_labour_fen", "uses_xianjie",
             "relief_model", "pay_cycle", "pay_day", "start_date", "status", "created_at",
             "created_by"],
            ((p, f"NT-2026-{p:03d}", f"第{p}号村道硬化项目", "农推", "县", 1, "", "", "",
              1_000_000_000, 200_000_000, True, "", "月", (10, 15, 20, 25)[p % 4],
              date(2025, 11, 1), "in_progress" if p % 10 else "completed", CREATED, "bench")
             for p in range(1, n_projects + 1)),
        )  # fmt: skip
        contacts = [(1, "county-admin", "县管理员", "admin")]
        contacts += [
            (1000 + p, f"liaison-{p}", f"联系人{p}", "liaison") for p in range(1, n_projects + 1)
        ]
        bulk(
            conn,
            "contacts",
            ["id", "userid", "name", "role", "unit", "region_id", "created_at"],
            ((i, u, n, r, "", 1, CREATED) for i, u, n, r in contacts),
        )
        bulk(
            conn,
            "project_liaisons",
            ["project_id", "contact_id", "created_at"],
            ((p, 1000 + p, CREATED) for p in range(1, n_projects + 1)),
        )
        bulk(
            conn,
            "workers",
            ["id", "name", "id_hash", "id_cipher", "id_masked", "village", "priority_group",
             "wecom_userid", "created_at", "created_by", "bank"],
            ((w, f"工人{w}", f"hash{w}", "c", "142329********0000", "村", "其他", f"worker-{w}",
              CREATED, "bench", "") for w in range(1, n_workers + 1)),
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
        bulk(
            conn,
            "quarterly_reports",
            ["project_id", "quarter", "progress", "problems", "figures", "submitted_by",
             "submitted_at", "channel"],
            ((p, "2026Q3", 50, "", "{}", f"liaison-{p}", CREATED, "chat")
             for p in range(1, n_projects + 1) if p % 7),
        )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def measure(client: TestClient, settings: Settings, n: int, today: date) -> list[dict[str, Any]]:
    pages = [
        ("首页（管理员）", "county-admin", "/web/"),
        ("县域总览", "county-admin", "/web/county"),
        ("逾期明细", "county-admin", "/web/county/NT-2026-050/overdue"),
        ("发放记录", "county-admin", "/web/county/NT-2026-050/paid"),
        ("上传台账", "liaison-50", "/web/upload"),
        ("点名记工（日）", "liaison-50", "/web/roster/NT-2026-050"),
        ("点名记工（月）", "liaison-50", f"/web/roster/NT-2026-050?month={today:%Y-%m}"),
        ("我的工资", "worker-1226", "/web/wages"),
    ]
    out = []
    for label, userid, path in pages:
        client.cookies.set(
            SESSION_COOKIE,
            make_session(settings, userid=userid),
            domain="testserver.local",
            path="/web/",
        )
        t0 = time.perf_counter()
        first = client.get(path, follow_redirects=False)
        first_ms = (time.perf_counter() - t0) * 1000
        assert first.status_code == 200, (path, first.status_code, first.text[:300])
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.get(path, follow_redirects=False)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        times.sort()
        out.append(
            {
                "page": label,
                "path": path,
                "first_ms": round(first_ms, 1),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "max_ms": round(times[-1], 1),
                "kb": round(len(first.content) / 1024, 1),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--workers", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/pages.db"
        settings = Settings(DATABASE_URL=url, YIGONG_SCHEDULER=False)
        today = datetime.now(settings.tz).date()
        engine = make_engine(url)
        t0 = time.perf_counter()
        seed(engine, args.projects, args.workers, today)
        print(
            f"seeded {args.projects} projects, {args.workers} workers in {time.perf_counter() - t0:.1f}s"
        )
        app = create_app(
            settings, services=build_services(settings, engine=engine), background=False
        )
        with TestClient(app, base_url="https://testserver") as client:
            rows = measure(client, settings, args.n, today)
        engine.dispose()
    print(f"{'page':<14}{'first ms':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'KB':>8}")
    for r in rows:
        flag = "" if r["p95_ms"] < P95_MS and r["kb"] < MAX_KB else "  <-- over target"
        print(
            f"{r['page']:<14}{r['first_ms']:>10}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['max_ms']:>9}{r['kb']:>8}{flag}"
        )
    print(
        json.dumps(
            {"projects": args.projects, "workers": args.workers, "pages": rows}, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
