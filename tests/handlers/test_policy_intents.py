"""What each clause answers decides between close clauses (tenth pass, issue 16).

（五） and （六） write the same bodies (乡建公司, 劳务合作社, 项目理事会); （八） and （九）
both write 公益性岗位. Which one a villager is answered with depends on what is asked: may
this body take the work (（五）) or how do the villagers do it themselves (（六））; how many
posts are set and for whom (（九）) or what the model gives besides wages (（八）).
"""

from __future__ import annotations

import re

import pytest

from handlers.policy import text as tx
from handlers.policy.answer import answer_text
from handlers.policy.intents import INTENTS, clause_intents, question_intents
from handlers.policy.kb import KnowledgeBase


def test_each_intent_is_written_by_the_clause_it_names(kb: KnowledgeBase):
    clauses = kb.documents[0].clauses
    for intent in INTENTS:
        named = set(re.findall(r"（[一二三四五六七八九十]+）", intent.answers))
        writes = {c.number for c in clauses if intent.source.search(tx.normalize(c.text))}
        assert writes == named, intent.key


def test_a_clause_of_an_added_document_carries_the_intents_its_words_give():
    text = "符合条件的项目可以发包给村级劳务合作社，由其带领村民自建。"
    assert {"contract_to", "self_build"} <= clause_intents(tx.normalize(text))


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # may this body take the work: （五）, though （六） writes the bodies more often
        ("劳务公司能承接农推项目不", "（五）"),
        ("合作社能不能承包农推项目", "（五）"),
        ("项目能交给村里的理事会干不", "（五）"),
        # how many posts and for whom: （九）, not （八）'s list of the model's parts
        ("公益性岗位设几个合适", "（九）"),
        # what villagers get besides wages: （八）'s 实惠, not （十）'s wage rules
        ("项目建完了老百姓除了工资还有啥", "（八）"),
    ],
)
def test_close_clauses_are_told_apart_by_what_is_asked(kb: KnowledgeBase, question, clause):
    result = kb.ask(question)
    assert result.best is not None and result.best.clause.number == clause
    # the reply leads with it, alone or as the first of “这两条都相关”
    reply = answer_text(kb, result)
    assert reply.index("【") == reply.index(f"【{clause}")


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # both asked (交给 … 干 and 带着村民干): the score decides, as before
        ("理事会带着村民干还是交给劳务公司干", "（六）"),
        # 发包 asks （五）'s intent, but （十） leads by far on 公示: a clear lead stays
        ("发包的时候要在哪公示", "（十）"),
        ("谁牵头推广以工代赈", "（二）"),
        ("公益性岗位给哪些人", "（九）"),
        ("业主不积极组织群众务工咋整", "（三）"),
    ],
)
def test_an_answer_the_intents_do_not_contest_stays(kb: KnowledgeBase, question, clause):
    result = kb.ask(question)
    assert result.best is not None and result.best.clause.number == clause


def test_question_intents_read_the_frame_around_the_verb():
    assert "contract_to" in question_intents("合作社能承接项目吗")
    assert "self_build" in question_intents("村里能自己修路不")
    assert "owner" in question_intents("村委会能当业主吗")
    assert "skip_tender" in question_intents("要不要公开招标")
    assert not question_intents("以工代赈是什么")
