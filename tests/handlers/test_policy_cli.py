"""`yigong ask` (SPEC §7) and `yigong policy add|list|remove`, from the user's side."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from bot.cli import build_cli
from models.migrate import upgrade

KEYS = ["question", "clause", "section", "document", "score", "answer", "related"]
RULES = "《护林员管理办法》\n一、选聘\n（一）选聘条件。生态护林员从脱贫人口中选聘，每年考核一次。\n"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A shell in an empty directory (no .env) whose DATABASE_URL is a file not created yet."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    for name in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path, runner: CliRunner) -> Path:
    """The database of `runner`, with its schema (as `yigong db upgrade` leaves it)."""
    upgrade(f"sqlite:///{tmp_path}/t.db")
    return tmp_path / "t.db"


def test_ask_prints_the_clause(runner: CliRunner):
    result = runner.invoke(build_cli(), ["ask", "农推项目劳务报酬比例有什么要求？"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("【（一）持续扩大实施范围】")
    assert "15%" in result.output


def test_ask_json_has_the_spec_shape_and_needs_no_database(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(build_cli(), ["ask", "农推项目劳务报酬比例有什么要求？", "--json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert list(obj)[: len(KEYS)] == KEYS  # SPEC §7's keys, in order; then our extensions
    assert list(obj)[len(KEYS) :] == ["examples"]
    assert obj["clause"] == "（一）" and obj["section"] == "一、稳步扩大实施规模"
    assert obj["document"].startswith("关于大力推广以工代赈方式")
    assert isinstance(obj["score"], float) and obj["score"] > 0
    assert "15%" in obj["answer"] and isinstance(obj["related"], list)
    assert not (tmp_path / "t.db").exists()  # asking never creates a database


def test_ask_reads_one_question_per_line_from_stdin(runner: CliRunner):
    stdin = "以工带赈的项目报酬比例不低于多少\n\n今天天气怎么样\n项目多久调度一次\n"
    result = runner.invoke(build_cli(), ["ask", "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["question"] for r in rows] == [
        "以工带赈的项目报酬比例不低于多少",
        "今天天气怎么样",
        "项目多久调度一次",
    ]
    assert [r["clause"] for r in rows] == ["（一）", None, "（十二）"]
    assert rows[1]["section"] is None and rows[1]["related"] == []
    assert rows[1]["answer"].startswith("没有找到相关条款")


def test_ask_batch_as_text_shows_each_question(runner: CliRunner):
    result = runner.invoke(build_cli(), ["ask"], input="项目多久调度一次\n你好\n")
    assert result.exit_code == 0
    assert "问：项目多久调度一次\n【（十二）" in result.output
    assert "问：你好\n没有找到相关条款" in result.output


def test_policy_add_txt_then_answers_name_it(runner: CliRunner, db: Path, tmp_path: Path):
    path = tmp_path / "护林员.txt"
    path.write_text(RULES, encoding="utf-8")
    result = runner.invoke(build_cli(), ["policy", "add", str(path)])
    assert result.exit_code == 0, result.output
    assert "已添加《护林员管理办法》" in result.output and "1 条" in result.output
    listed = runner.invoke(build_cli(), ["policy", "list"])
    assert "内置" in listed.output and "护林员管理办法" in listed.output
    asked = runner.invoke(build_cli(), ["ask", "生态护林员从哪些人里选聘", "--json"])
    obj = json.loads(asked.output)
    assert obj["document"] == "护林员管理办法" and obj["clause"] == "（一）"
    again = runner.invoke(build_cli(), ["policy", "add", str(path)])
    assert again.exit_code == 1 and "已有名为" in again.output


def test_policy_add_docx_replace_and_remove(runner: CliRunner, db: Path, tmp_path: Path):
    document = docx.Document()
    for line in RULES.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "rules.docx"
    document.save(str(path))
    assert runner.invoke(build_cli(), ["policy", "add", str(path), "--name", "护林"]).exit_code == 0
    document.add_paragraph("（二）管护责任。护林员每月巡山不少于二十天。")
    document.save(str(path))
    replaced = runner.invoke(
        build_cli(), ["policy", "add", str(path), "--name", "护林", "--replace"]
    )
    assert replaced.exit_code == 0 and "2 条" in replaced.output
    asked = json.loads(runner.invoke(build_cli(), ["ask", "护林员每月巡山几天", "--json"]).output)
    assert asked["clause"] == "（二）" and asked["document"] == "护林员管理办法"
    assert runner.invoke(build_cli(), ["policy", "remove", "护林"]).exit_code == 0
    assert "还没有添加" in runner.invoke(build_cli(), ["policy", "list"]).output


def test_policy_add_refuses_the_builtin_and_bad_files(runner: CliRunner, db: Path, tmp_path: Path):
    from handlers.policy.dictionary import SHIPPED_POLICY, data_path

    builtin = runner.invoke(build_cli(), ["policy", "add", str(data_path(SHIPPED_POLICY))])
    assert builtin.exit_code == 1 and "已内置" in builtin.output
    bad = tmp_path / "bad.txt"
    bad.write_text("没有条款的文字", encoding="utf-8")
    result = runner.invoke(build_cli(), ["policy", "add", str(bad)])
    assert result.exit_code == 1 and "没有找到条款" in result.output


def test_policy_list_on_a_new_database_creates_the_schema(runner: CliRunner, tmp_path: Path):
    (tmp_path / "t.db").touch()
    result = runner.invoke(build_cli(), ["policy", "list"])
    assert result.exit_code == 0, result.output
    assert "关于大力推广以工代赈方式" in result.output  # the built-in document
    asked = runner.invoke(build_cli(), ["ask", "项目多久调度一次", "--json"])
    assert json.loads(asked.output)["clause"] == "（十二）"  # still answers from the built-in
