"""Issue 16, fifth pass: questions in the policy's words that demand what no clause states (a sum
of money, an age limit, a phone number, a password, a date, a firm, cash or card) get an honest
“这份政策没有讲…” and where to ask, never a clause quoted as if it answered."""

from __future__ import annotations

import pytest

from handlers.policy.answer import answer_text, as_json
from handlers.policy.kb import KnowledgeBase
from handlers.policy.loader import parse_text
from handlers.policy.unstated import KINDS, demanded


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("修村道的时候俺们一天能挣多少钱", "钱数"),
        ("公益岗保洁员每个月补贴几百块", "钱数"),
        ("搞劳务合作社要交多少保证金", "钱数"),
        ("今年以工代赈项目县里一共拿到多少衔接资金", "钱数"),
        ("六十五岁了还能去工地上干活不", "年龄"),
        ("以工代赈工地招人对岁数有啥要求 五十八岁行不", "年龄"),
        ("工钱不到位打哪个热线反映", "电话"),
        ("以工代赈办的联系方式是啥", "电话"),
        ("线上调度系统的账号怎么申请", "密码"),
        ("这个推广以工代赈的意见什么时候开始施行", "日期"),
        ("劳务报酬是发现金还是打银行卡", "现金"),
        ("招标投标法的原文哪里能下载", "下载"),
    ],
)
def test_a_demand_the_policy_never_states_is_refused_honestly(
    kb: KnowledgeBase, question: str, kind: str
):
    result = kb.ask(question)
    assert result.best is None and not result.ask_back, question
    assert [u.key for u in result.unstated] == [kind], question
    reply = answer_text(kb, result)
    assert reply.startswith("这份政策没有讲") and "请问" in reply, reply
    assert "原文：" not in reply  # no clause quoted as if it answered
    assert as_json(kb, result)["clause"] is None


def test_the_refusal_points_at_the_nearest_clause_and_keeps_12333_for_unpaid_wages(
    kb: KnowledgeBase,
):
    reply = answer_text(kb, kb.ask("公益性岗位一个月工资多少钱"))
    assert "政策里相近的条款：（" in reply and "回复“全文 （" in reply
    unpaid = answer_text(kb, kb.ask("以工代赈工钱欠了好几个月 打哪个电话"))
    assert "12333" in unpaid


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("农推项目的工钱最低不能少于多少", "（一）"),  # a share: the 15% the policy states
        ("俺们干活的钱能占多少", "（一）"),
        ("劳务报酬发放比例不低于财政资金总额的多少", "（一）"),
        ("县里一年要调度几次", "（十二）"),  # how often, not how much
        ("岁数大了出去打工难 能干公益岗不", "（九）"),  # age as a reason, no limit asked
        ("公示要贴在哪里", "（十）"),  # 公开栏, 网站: the policy says where
    ],
)
def test_what_the_policy_does_state_is_still_answered(
    kb: KnowledgeBase, question: str, clause: str
):
    result = kb.ask(question)
    assert not result.unstated, question
    assert result.best is not None and result.best.clause.number == clause, question


def test_a_document_that_states_the_sum_answers_it():
    text = (
        "务工报酬办法\n一、标准\n（一）日工资。以工代赈项目务工群众日工资不低于120元，按月发放。\n"
        "（二）公益性岗位。公益性岗位由乡镇设置，优先安排低收入群众。\n"
    )
    kb = KnowledgeBase.of([parse_text(text, name="务工报酬办法")])
    result = kb.ask("务工群众日工资多少钱")
    assert not result.unstated
    assert result.best is not None and result.best.clause.number == "（一）"
    assert [u.key for u in demanded("以工代赈干一天活给多少钱", frozenset())] == ["钱数"]


def test_every_kind_says_what_is_missing_and_who_knows():
    assert len({k.key for k in KINDS}) == len(KINDS)
    assert [u.key for u in demanded("竣工验收要请哪家检测机构", frozenset())] == ["机构"]
    assert [u.key for u in demanded("线上调度系统忘了密码", frozenset())] == ["密码"]
    for kind in KINDS:
        assert kind.label and kind.ask and not kind.asks.search("以工代赈是什么")


@pytest.mark.parametrize(
    "question",
    [
        "包工头不给工钱 俺想去法院告状",  # a lawsuit: 司法所, not a clause on wages
        "在以工代赈工地上摔伤了谁管",  # an injury: 工伤 is 人社's
        "驾驶证年审去哪办",
        "今年最低工资标准涨了没",
    ],
)
def test_other_offices_matters_in_the_policys_words_are_neighbours(
    kb: KnowledgeBase, question: str
):
    result = kb.ask(question)
    assert result.best is None and result.neighbours, question


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("重推项目一年总投资有多少个亿", "钱数"),  # 亿 is a sum too
        ("农推项目的监理费一般是多少", "钱数"),  # a fee of any kind
        ("俺都六十八了还能报名干活不", "年龄"),  # one's age said without 岁
        ("这个意见什么时候正式印发", "日期"),
    ],
)
def test_sums_fees_and_ages_however_said_are_demands(question: str, kind: str):
    assert [u.key for u in demanded(question, frozenset())] == [kind]
    assert not demanded("劳务费至少要占多少", frozenset())  # 劳务费 is 劳务报酬: a share
