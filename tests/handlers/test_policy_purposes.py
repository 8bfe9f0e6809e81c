"""Issue 16, sixth pass: questions that describe a situation or a goal instead of naming the
clause's nouns reach the clause (the purpose-and-actor concepts and situation phrases read from
each clause's verbs); everyday matters beside a domain word, sentencing and notarisation are
refused with where to ask; 闽南 function words are read as Mandarin. The questions here are
written for the tests, not taken from a question set."""

from __future__ import annotations

import pytest

from handlers.policy.answer import answer_text
from handlers.policy.concepts import CONCEPTS, concepts_in
from handlers.policy.kb import KnowledgeBase
from tests.handlers.policy_support import best


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # （一） the share, reckoned on the 衔接 funds, described without 劳务报酬/比例
        ("上头拨的扶贫资金修路，给出力的乡亲能分到多大份额", "（一）"),
        # （一） the scale grows: said as "every year more"
        ("往后每年投到这块的钱和发给干活人的钱会不会越来越多", "（一）"),
        # （二） who answers for what between the province and the counties
        ("省里兜底市县落实，这个分工是哪条定的", "（二）"),
        # （二） bringing the offices together, said as a situation
        ("交通局水利局各干各的，谁出面把它们拢到一块", "（二）"),
        # （三） a project of the fund set beside a big listed one
        ("大项目旁边能不能再配套一个专门让村民挣钱的小项目", "（三）"),
        # （四） the approved report stands for the later steps
        ("批下来的可研报告后面招标买东西能直接当依据吗", "（四）"),
        # （七） training fitted to what the worker can follow
        ("没上过学的人学技术跟不上怎么办", "（七）"),
        # （十） how often wages are paid
        ("工资多久一发由谁来定", "（十）"),
        # （十） a false record
        ("考勤表上有人挂名是假的，谁来核查", "（十）"),
        # （十一） a fixed contact changes nobody's channel of money
        ("定了联系人以后资金的渠道变不变", "（十一）"),
        # （十二） what the score is used for
        ("评完分以后这个结果拿去干嘛用", "（十二）"),
        # （十二） every three months
        ("隔三个月要不要把项目进展报一次", "（十二）"),
    ],
)
def test_a_situation_described_in_plain_words_reaches_its_clause(
    kb: KnowledgeBase, question: str, clause: str
):
    assert best(kb, question) == clause


def test_purpose_concepts_are_held_by_the_clause_they_come_from(kb: KnowledgeBase):
    clauses = {c.number: c.text for c in kb.documents[0].clauses}
    held = {n: set(concepts_in(t)) for n, t in clauses.items()}
    assert "分级负责" in held["（二）"] and "分级负责" not in held["（三）"]
    assert "三不变" in held["（十一）"]
    assert "针对性" in held["（七）"]
    assert "配套项目" in held["（三）"] and "配套项目" not in held["（八）"]
    keys = {c.key for c in CONCEPTS}
    assert {"衔接资金", "尽量采用", "行业部门", "依据", "发放周期", "产业配套"} <= keys


def test_how_a_definition_is_asked_is_not_its_topic(kb: KnowledgeBase):
    assert best(kb, "重推和农推有啥区别") == "（一）"
    assert best(kb, "农推指的是什么") == "（一）"


def test_the_province_s_part_is_its_clause(kb: KnowledgeBase):
    assert best(kb, "省里的部门要负责干啥") == "（二）"


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("镇上后天下不下雨", "天气"),
        ("乡里到县城的班车几点有", "班车"),
        ("贪污以工代赈的钱要判几年", "量刑"),
        ("村里跟劳务公司签的合同要去公证处吗", "公证"),
    ],
)
def test_everyday_matters_beside_a_domain_word_are_refused_with_where_to_ask(
    kb: KnowledgeBase, question: str, label: str
):
    result = kb.ask(question)
    assert result.best is None
    assert any(label in n.label for n in result.neighbours)
    assert "这份政策没有讲" in answer_text(kb, result)


def test_the_weather_alone_keeps_the_plain_refusal(kb: KnowledgeBase):
    result = kb.ask("今天天气怎么样")
    assert result.best is None and not result.neighbours


def test_a_sum_after_at_least_is_a_sum_and_the_share_stays_ours(kb: KnowledgeBase):
    refused = kb.ask("干以工代赈的活一天至少给多少钱")
    assert refused.best is None and refused.unstated
    assert best(kb, "劳务报酬最少要占多少") == "（一）"


def test_recording_what_was_paid_is_the_ledger(kb: KnowledgeBase):
    assert best(kb, "每个人领了多少钱要不要登记台账") == "（十）"


def test_a_county_s_own_project_list_is_asked_of_the_county(kb: KnowledgeBase):
    result = kb.ask("俺县今年有哪些农推项目")
    assert result.best is None and result.neighbours


def test_the_asker_s_post_further_back_is_no_neighbour(kb: KnowledgeBase):
    question = "我是县里派下来的驻村第一书记，村里的农推项目施工单位不用本地人，该找哪个部门协调？"
    result = kb.ask(question)
    assert not result.neighbours


def test_minnan_function_words_are_read_as_mandarin(kb: KnowledgeBase):
    text = kb.index.query("阮村的工程敢会使包予合作社").text
    assert "我们" in text and "包给" in text and "能" in text
