"""Wage questions in the asker's own words: answered from their own ledger, in both channels."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.wage_intent import own_pay_intent
from tests.handlers.worker_fixtures import (  # noqa: F401  (fixture)
    LI,
    LIAISON_A,
    STRANGER,
    WANG,
    People,
    people_fixture,
)

QUESTIONS = Path(__file__).resolve().parent.parent / "data" / "wage_intents.tsv"


def _questions() -> list[tuple[str, str]]:
    rows = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, intent = line.split("\t")
            rows.append((question, intent))
    return rows


@pytest.mark.parametrize(("question", "expected"), _questions())
def test_questions_written_before_the_table(question: str, expected: str) -> None:
    assert ("own" if own_pay_intent(question) else "policy") == expected


def test_a_worker_asking_when_gets_their_own_ledger(wecom, people: People) -> None:
    reply = wecom.text(LI, "我的工资几号发？").text
    assert reply.startswith("李四，您在项目 NT-2026-001 2026-10 的工资还有4,000元没发")
    assert "2026-11-13（周五）前发放，已逾期3天" in reply
    assert "出工20天" in reply and "12333" in reply and "（一）" not in reply


def test_a_paid_worker_is_told_so_and_how_to_complain(wecom, people: People) -> None:
    reply = wecom.text(WANG, "钱到账了吗").text
    assert "都已发清" in reply and "1,440元" in reply
    assert "未收到 期间：2026-10" in reply and "12333" in reply


def test_someone_unbound_learns_how_to_bind(wecom, people: People) -> None:
    reply = wecom.text(STRANGER, "工资拖欠了怎么办").text
    assert "先绑定" in reply and "绑定 姓名：" in reply


def test_rules_questions_stay_policy_questions(wecom, people: People) -> None:
    assert "（一）" in wecom.text(LI, "农推项目劳务报酬比例有什么要求？").text
    # a liaison asking about pay in general gets the policy, not "please bind"
    assert "先绑定" not in wecom.text(LIAISON_A, "工资拖欠了怎么办").text
