"""Asking back (eighth pass): a question in the policy's words that no clause answers surely
is offered the closest clauses instead of 没有找到; other programmes, demands the policy never
states and plain off-topic questions keep their refusals; the choices reach past the two best
clauses to the one of the question's other topic.

The questions below are in the example bank (examples.py), which settles them; how the matcher
alone asks back is tested on `matcher_kb`, the conversation on a question the bank leaves open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handlers.policy.answer import ASK_HEAD, answer_text, parse_choices
from handlers.policy.kb import KnowledgeBase
from handlers.policy.matcher import ASK_CHOICES

VILLAGER = "villager-askback"


def choices(kb: KnowledgeBase, question: str) -> list[str]:
    return [h.clause.number for h in kb.ask(question).choices]


# -- the policy's words, no sure clause: asked back -------------------------------------------
@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("定点联系单位平时得履行啥职责", "（十一）"),  # 履行 is written nowhere
        ("养护这块往后谁来负责", "（九）"),
        ("俺男人能去工地上挣点钱不", "（一）"),  # 男人: nobody here knows the word
    ],
)
def test_policy_words_without_a_sure_clause_are_asked_back(
    matcher_kb: KnowledgeBase, question, clause
):
    result = matcher_kb.ask(question)
    assert result.best is None and result.ask_back, question
    assert not result.neighbours and not result.unstated
    assert clause in choices(matcher_kb, question)
    reply = answer_text(matcher_kb, result)
    assert reply.startswith(ASK_HEAD) and "没有找到" not in reply, reply
    assert len(parse_choices(reply)) == len(result.choices)


def test_an_ask_back_offers_three_choices_where_three_clauses_score(matcher_kb: KnowledgeBase):
    # the choices are the closest clauses, not only those near the best's score
    assert len(matcher_kb.ask("定点联系单位平时得履行啥职责").choices) == ASK_CHOICES


# -- what keeps its refusal -------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "村里的路灯坏了找谁",  # 村里 says where, 路灯 what: not ours
        "村里广场舞几点开始",
        "高铁票在手机上咋买",
        "盖房子要审批不",  # 审批 is ours, 房子 outweighs it
        "以工代赈能不能给合作社贷款",  # the programme's name is no topic; 贷款 is
        "帮我写个村民大会的通知",
        "你好",
        "今天天气怎么样",
    ],
)
def test_plain_off_topic_questions_and_small_talk_are_still_refused(kb: KnowledgeBase, question):
    result = kb.ask(question)
    assert result.best is None and not result.ask_back, question
    assert answer_text(kb, result).startswith("没有找到"), question


@pytest.mark.parametrize(
    "question",
    ["手机欠费停机了咋充话费", "帮我查下快递", "这个月电费咋交", "工地上能收快递不"],
)
def test_everyday_services_are_refused_with_where_to_ask(kb: KnowledgeBase, question):
    """查 in 查快递 is no 检查 of the policy's: the service is named and who runs it."""
    result = kb.ask(question)
    assert result.best is None and not result.ask_back, question
    text = answer_text(kb, result)
    assert text.startswith("这份政策没有讲") and ("运营商" in text or "网点" in text), question


def test_other_programmes_and_unstated_demands_are_refused_before_any_ask_back(
    kb: KnowledgeBase,
):
    low = kb.ask("低保怎么申请")
    assert low.neighbours and not low.ask_back
    assert answer_text(kb, low).startswith("这份政策没有讲")
    age = kb.ask("六十五岁了还能去工地上干活不")
    assert age.unstated and not age.ask_back
    assert answer_text(kb, age).startswith("这份政策没有讲")
    # a price of something no clause names: neither choices nor "这份政策没有讲价格"
    pork = kb.ask("猪肉多少钱一斤")
    assert not pork.ask_back and not pork.unstated and pork.best is None


# -- the choices: the other topic's clause ----------------------------------------------------
def test_the_third_choice_is_the_clause_of_the_topic_the_first_two_miss(
    matcher_kb: KnowledgeBase,
):
    # （十一） and （六） hold 村干部 and the project; 贪 (贪污) is （十）'s supervision
    offered = choices(matcher_kb, "村干部要是在里面贪钱咋防")
    assert offered[:2] == ["（十一）", "（六）"] and offered[2] == "（十）"


def test_an_answer_lists_the_clause_of_its_other_topic_among_the_related(kb: KnowledgeBase):
    # 村里, 项目 and 干活挣钱 carry the score; 审批 is （四）'s topic, shown third at least
    result = kb.ask("村里小项目审批能不能快一点 大伙都等着干活挣钱")
    assert result.best is not None
    numbers = [h.clause.number for h in result.hits]
    assert "（四）" in numbers[:3] and len(numbers) == len(set(numbers))
    related = answer_text(kb, result).split("相关条款：")[1].splitlines()[0]
    assert "（四）" in related or numbers[0] == "（四）"


# -- the conversation -------------------------------------------------------------------------
OPEN = "俺男人能去工地上挣点钱不"  # 男人: nobody here knows the word; the bank is split too


def test_a_number_after_the_new_ask_back_answers_that_clause(wecom):
    asked = wecom.text(VILLAGER, OPEN).text
    assert asked.startswith(ASK_HEAD), asked
    offered = parse_choices(asked)
    assert "（一）" in [number for number, _ in offered]
    reply = wecom.text(VILLAGER, "1").text
    assert reply.startswith(f"【{offered[0][0]}"), reply
    assert "原文：" in reply


def test_a_chinese_ordinal_picks_the_last_choice(wecom):
    asked = wecom.text(VILLAGER, OPEN).text
    last = parse_choices(asked)[-1][0]
    reply = wecom.text(VILLAGER, "第三个").text
    assert reply.startswith(f"【{last}"), reply


def test_a_refused_question_leaves_no_choice_to_pick(wecom):
    assert wecom.text(VILLAGER, OPEN).text.startswith(ASK_HEAD)
    assert wecom.text(VILLAGER, "村里的路灯坏了找谁").text.startswith("没有找到")
    assert not wecom.text(VILLAGER, "1").text.startswith("【")


def test_ask_json_reports_the_new_choices_as_related(tmp_path: Path, monkeypatch):
    from bot.cli import build_cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    result = CliRunner().invoke(build_cli(), ["ask", OPEN, "--json"])
    obj = json.loads(result.output)
    assert obj["clause"] is None and "（一）" in obj["related"]
    assert obj["answer"].startswith(ASK_HEAD)
