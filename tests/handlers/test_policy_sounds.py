"""Slips of sound and typed pinyin reach the term the clauses write (ninth pass, issue 16).

Each guards a behaviour a villager sees: the reply names how the question was read
(“（按“…”理解）”) and answers the clause that writes the term.
"""

from __future__ import annotations

import pytest

from handlers.policy.answer import answer_text
from handlers.policy.kb import KnowledgeBase


@pytest.mark.parametrize(
    ("question", "term", "clause"),
    [
        ("ZB咋弄", "招标", "（五）"),  # initials typed in capitals
        ("YGDZ项目劳务报酬比例多少", "以工代赈", "（一）"),
        ("Lwbc占多少", "劳务报酬", "（一）"),  # mixed case
        ("sgdw要签啥合同", "施工单位", "（十）"),  # a clause's own term, not a common one
        ("项目的hqgh谁负责", "后期管护", "（九）"),
    ],
)
def test_typed_initials_in_any_case_are_the_term(kb: KnowledgeBase, question, term, clause):
    result = kb.ask(question)
    assert term in result.fixes
    assert result.best is not None and result.best.clause.number == clause
    assert f"按“{term}”理解" in answer_text(kb, result)


@pytest.mark.parametrize(
    ("question", "term", "clause"),
    [
        ("项目的后期管户用人 咋安排", "后期管护", "（九）"),  # 户 for 护: the same sound
        ("峻工验收要看啥", "竣工验收", None),  # 峻 for 竣
        ("森批手续能简化不", "审批手续", "（四）"),  # s/sh merged (模糊音)
    ],
)
def test_a_slip_of_sound_in_a_clause_term_is_heard(kb: KnowledgeBase, question, term, clause):
    result = kb.ask(question)
    assert term in result.fixes
    numbers = [h.clause.number for h in result.hits]
    if clause is not None:
        assert numbers[:1] == [clause] or (result.ask_back and clause in numbers[:3])


def test_a_word_that_only_sounds_like_a_term_is_not_rewritten(kb: KnowledgeBase):
    # 工事 is a word of its own, not a slip for 公示
    assert "公示" not in kb.ask("工地上的工事谁来修").fixes
