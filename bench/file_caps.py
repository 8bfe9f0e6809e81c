"""Memory of reading hostile and large import files through the capped readers.

Each case runs in a fresh child process, so its peak RSS (resource.getrusage) is its own;
tracemalloc gives the peak of Python allocations inside the read.
Usage: .venv/bin/python bench/file_caps.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _make(case: str, rows: int) -> bytes:
    from tests.handlers.test_file_safety import bomb_xlsx, wide_xlsx

    if case == "wide":
        return wide_xlsx()
    if case == "bomb":
        return bomb_xlsx()
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("work")
    ws.append(["项目编号", "身份证号", "日期", "天数", "日薪(元)"])
    for i in range(rows):
        ws.append(["NT-2026-001", f"142329198503{i % 1000000:06d}", "2026-11-20", 1, 150])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _run(case: str, data: bytes, out: mp.Queue) -> None:  # type: ignore[type-arg]
    from bot.errors import UserError
    from handlers.tabular.readers import read_table

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        table = read_table(f"{case}.xlsx", data, "work")
        outcome = f"read {len(table.rows)} rows"
    except UserError as err:
        outcome = "refused: " + err.message[:40]
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put(
        {
            "case": case,
            "file_kb": round(len(data) / 1024, 1),
            "outcome": outcome,
            "seconds": round(elapsed, 3),
            "py_peak_mb": round(peak / 2**20, 1),
            "rss_peak_mb": round(rss / 1024, 1),
            "rss_before_mb": round(base / 1024, 1),
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    for case in ("wide", "bomb", "legit"):
        data = _make(case, args.rows)
        q = ctx.Queue()
        p = ctx.Process(target=_run, args=(case, data, q))
        p.start()
        result = q.get(timeout=600)
        p.join()
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
