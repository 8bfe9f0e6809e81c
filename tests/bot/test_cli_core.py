"""`yigong --help`, `yigong db upgrade` and `yigong chat` from the user's side."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from bot.cli import build_cli

SANDBOX_UNSET = (
    "WECOM_CORP_ID",
    "WECOM_AGENT_ID",
    "WECOM_SECRET",
    "WECOM_TOKEN",
    "WECOM_AES_KEY",
    "YIGONG_DATA_KEY",
)


@pytest.fixture
def sandbox_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", url)
    for var in SANDBOX_UNSET:
        monkeypatch.delenv(var, raising=False)
    return url


def test_help_is_bilingual_and_lists_the_contract_commands() -> None:
    result = CliRunner().invoke(build_cli(), ["--help"])
    assert result.exit_code == 0
    for cmd in ("serve", "chat", "db"):
        assert cmd in result.output
    assert "企业微信" in result.output and "WeCom" in result.output


def test_chat_talks_to_the_same_handlers(sandbox_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(build_cli(), ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(build_cli(), ["chat", "--user", "newcomer"], input="帮助\n\n帮助 帮助\n")
    assert result.exit_code == 0, result.output
    assert "以工代赈助手可以" in result.output
    assert "示例" in result.output


def test_bad_configuration_is_a_clear_message(
    sandbox_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var, value in {
        "WECOM_CORP_ID": "ww1",
        "WECOM_AGENT_ID": "1000002",
        "WECOM_SECRET": "s",
        "WECOM_TOKEN": "t",
        "WECOM_AES_KEY": "k" * 43,
    }.items():
        monkeypatch.setenv(var, value)
    result = CliRunner().invoke(build_cli(), ["db", "upgrade"])
    assert result.exit_code == 2
    assert "YIGONG_DATA_KEY" in result.output


@pytest.mark.parametrize("command", [["serve"], ["doctor"], ["db", "upgrade"]])
@pytest.mark.parametrize(
    ("var", "value", "fragment"),
    [
        ("YIGONG_TIMEZONE", "Asia/Shanghia", "不是有效的时区名"),
        ("WECOM_AES_KEY", "k" * 42, "WECOM_AES_KEY 应为 43 个字符"),
    ],
)
def test_bad_value_is_a_message_not_a_traceback(
    sandbox_env: str,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    var: str,
    value: str,
    fragment: str,
) -> None:
    monkeypatch.setenv(var, value)
    result = CliRunner().invoke(build_cli(), command)
    assert result.exit_code == 2, result.output
    assert "配置错误" in result.output and fragment in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"]])
def test_unreachable_database_is_a_message_not_a_traceback(
    sandbox_env: str, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://yigong:s3cret-pw@127.0.0.1:1/yigong")
    result = CliRunner().invoke(build_cli(), command)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "无法连接数据库 127.0.0.1:1" in output and "请检查" in output
    assert "s3cret-pw" not in output and "Traceback" not in output


def test_unopenable_sqlite_file_is_a_message(
    sandbox_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/yigong.db")
    result = CliRunner().invoke(build_cli(), ["serve"])
    assert result.exit_code == 1, result.output
    assert "无法打开 SQLite 数据库" in result.output


def test_chat_when_the_database_is_down_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    for var in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY", "WECOM_AGENT_ID"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(build_cli(), ["chat", "--user", "x"], input="帮助\n")
    assert result.exit_code == 1
    assert "数据库不可用" in result.output and isinstance(result.exception, SystemExit)


def test_piped_chat_output_is_not_cut_at_80_columns(sandbox_env: str) -> None:
    runner = CliRunner()
    result = runner.invoke(build_cli(), ["chat", "--user", "newcomer"], input="劳务报酬占比\n")
    assert result.exit_code == 0, result.output
    # a policy answer quotes whole sentences: wider than a default terminal, and kept whole
    assert max(cell_len(line) for line in result.output.splitlines()) > 80
