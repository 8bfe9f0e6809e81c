"""`yigong chat --kf` and `yigong kf link` from the operator's side (sandbox mode)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import build_cli
from tests.bot.test_cli_core import sandbox_env  # noqa: F401  (fixture)


def test_chat_as_a_wechat_customer_binds_and_asks(sandbox_env: str, tmp_path: Path) -> None:  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(build_cli(), ["demo"]).exit_code == 0
    out = runner.invoke(
        build_cli(), ["chat", "--kf", "wmclitest"], input="帮助\n\n我的工资几号发\n\n"
    )
    assert out.exit_code == 0, out.output
    assert "[选项] 查工资 | 未收到 | 工资页 | 问政策 | 转人工" in out.output
    assert "先绑定" in out.output
    admin = runner.invoke(build_cli(), ["chat", "--kf", "wmclitest"], input="欠薪\n")
    assert "没有权限" in admin.output  # a customer is never staff
    both = runner.invoke(build_cli(), ["chat", "--kf", "a", "--user", "b"])
    assert both.exit_code == 2


def test_kf_link_writes_a_printable_qr_code(sandbox_env: str, tmp_path: Path) -> None:  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(build_cli(), ["demo"]).exit_code == 0
    target = tmp_path / "qr.png"
    out = runner.invoke(
        build_cli(), ["kf", "link", "--project", "nt-demo-001", "--out", str(target)]
    )
    assert out.exit_code == 0, out.output
    assert "scene_param=NT-DEMO-001" in out.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = runner.invoke(build_cli(), ["kf", "link", "--project", "NOPE"])
    assert missing.exit_code == 1 and "没有找到项目" in missing.output
