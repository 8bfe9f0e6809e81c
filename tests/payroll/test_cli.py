"""`yigong import attendance FILE --period --wage`: the grid through the command line."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from bot.cli import build_cli
from models import Worker, WorkRecord
from tests.handlers.test_ledger_cli import demo_env  # noqa: F401 - fixture


def test_import_attendance_from_the_command_line(demo_env: Path) -> None:  # noqa: F811
    engine = create_engine(f"sqlite:///{demo_env}/cli.db")
    with engine.connect() as conn:
        names = [n for (n,) in conn.execute(select(Worker.name).order_by(Worker.id).limit(2))]
        before = conn.scalar(select(func.count()).select_from(WorkRecord))
    grid = demo_env / "kq.csv"
    with grid.open("w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["NT-DEMO-001 考勤表"])
        w.writerow(["序号", "姓名", "备注", *range(1, 32)])
        for i, n in enumerate(names, start=1):
            w.writerow([i, n, "", "√", "半", "", "1", *[""] * 27])
    result = CliRunner().invoke(
        build_cli(), ["import", "attendance", str(grid), "--period", "2026-06", "--wage", "150"]
    )
    # June 2026 is before the demo project started: refused with the reason, nothing written
    assert result.exit_code == 1 and "早于项目" in result.output, result.output
    result = CliRunner().invoke(
        build_cli(), ["import", "考勤表", str(grid), "--period", "上月", "--wage", "150"]
    )
    assert result.exit_code == 0, result.output
    assert "新写入 6 行" in result.output and "备注" in result.output
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(WorkRecord)) == before + 6
