"""`yigong import` / `yigong export` with `--user`: acting with that person's rights."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import build_cli


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    for var in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY", "YIGONG_DATA_KEY"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(build_cli(), ["demo"])
    assert result.exit_code == 0, result.output
    return tmp_path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_export_as_a_liaison_is_masked(demo_env: Path) -> None:
    out = demo_env / "workers.csv"
    result = CliRunner().invoke(
        build_cli(), ["export", "workers", str(out), "--user", "demo-liaison"]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows
    ids = [v for row in rows for k, v in row.items() if "身份证" in k]
    assert ids and all("*" in v for v in ids)  # a liaison sees ID numbers masked


def test_import_as_a_stranger_is_refused_without_a_traceback(demo_env: Path) -> None:
    src = demo_env / "workers.csv"
    CliRunner().invoke(build_cli(), ["export", "workers", str(src)])
    result = CliRunner().invoke(build_cli(), ["import", "workers", str(src), "--user", "nobody"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a refusal, not a crash
    assert "无权操作" in result.output
