"""Issue 16, seventh pass: what an official asks of a procedure that this 意见 leaves to other
rules (its document number, time limits, penalties, certificates and qualification grades,
thresholds of money, shares and growth rates other than the 15%, named sources of funds, one
project's start date, an app) is refused honestly; a long story is read for what it asks; the
abstract nouns that frame a question weigh little. Questions written for these tests."""

from __future__ import annotations

import pytest

from handlers.policy.answer import answer_text
from handlers.policy.kb import KnowledgeBase
from handlers.policy.loader import parse_text
from handlers.policy.query import ASPECT_NOUNS, _asked_from
from handlers.policy.text import normalize
from tests.handlers.policy_support import best


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("推广以工代赈这份意见的发文字号是什么", "文号"),
        ("农推清单报到省里之后几个工作日能批复", "时限"),
        ("定点联系单位的工作进展成效多少天之内要报给上级对口部门", "时限"),
        ("项目清单动态调整的申请截止日期是哪天", "时限"),
        ("劳务报酬发放台账不真实的，对施工单位怎么处罚", "罚则"),
        ("没按时足额发劳务报酬，项目业主单位会不会被扣减专项资金", "罚则"),
        ("参加以工代训的群众结业后能拿到什么等级证", "证书"),
        ("参加完以工代训的群众能拿什么上岗证", "证书"),
        ("村级劳务合作社发包的合同金额有没有限额，限额是多少", "钱数"),
        ("重推项目数量每年要比上年增加百分之多少", "比例"),
        ("资产折股量化分红的时候村集体的持股比例定多少", "比例"),
        ("以工代赈专项资金项目能不能用地方政府专项债券配套", "资金来源"),
        ("社会资本能参与农推项目建设吗", "资金来源"),
        ("以工代赈那个修村道的项目什么时候开工", "进度"),
        ("劳务报酬发放能在哪个小程序上查", "软件"),
    ],
)
def test_an_official_procedure_the_policy_leaves_to_other_rules_is_refused(
    kb: KnowledgeBase, question: str, kind: str
):
    result = kb.ask(question)
    assert result.best is None and not result.ask_back, question
    assert kind in [u.key for u in result.unstated], question
    reply = answer_text(kb, result)
    assert reply.startswith("这份政策没有讲") and "原文：" not in reply, reply


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # what the policy does state, asked in the same official words
        ("农推项目劳务报酬发放比例不低于多少", "（一）"),
        ("成效评价结果作为什么的参考", "（十二）"),
        ("发改部门多久调度一次项目", "（十二）"),
        ("工钱多久发一次谁定的", "（十）"),
        ("培训完了会把我们推荐给别的项目业主吗", "（七）"),
        ("施工单位要不要和务工群众签劳务用工协议", "（十）"),
    ],
)
def test_what_the_policy_does_state_is_still_answered(kb: KnowledgeBase, question, clause):
    assert best(kb, question) == clause


def test_a_document_that_states_a_time_limit_answers_it(kb: KnowledgeBase):
    text = (
        "以工代赈项目审批细则\n一、审批\n"
        "（一）审批时限。可行性研究报告（代初步设计）自受理之日起10个工作日内办结。\n"
    )
    doc = parse_text(text, name="审批细则")
    kb2 = KnowledgeBase.of([*kb.documents, doc])
    result = kb2.ask("可行性研究报告代初设多少个工作日内办结")
    assert result.best is not None and result.best.clause.section.startswith("一、审批")
    assert not result.unstated


def test_a_source_of_funds_is_no_typo_of_a_policy_term(kb: KnowledgeBase):
    # 专项债资金 is one character more than 专项资金, but 专项债 is a word of its own
    result = kb.ask("专项债资金可以拿来给干活的群众发劳务报酬吗")
    assert "专项资金" not in result.fixes
    assert [u.key for u in result.unstated] == ["资金来源"]


def test_the_asking_phrase_of_a_story_is_found():
    story = normalize("我前年在广东电子厂上班 今年回村了 听说修渠的活优先给本村人 是真的不")
    asked = _asked_from(story)
    assert story[asked:].startswith("听说修渠的活")
    assert _asked_from(normalize("工钱多久发一回")) == 0  # no story: all of it is asked


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # a story whose opening words name nothing of the policy, then the question; each was
        # refused before the story counted less
        ("俺男人在深圳送外卖 俺在家带两个娃 听说项目上干活能学技术 是真的不", "（七）"),
        # 工厂 is a neighbour (招聘), named here only in the story
        ("我在浙江工厂干了五年流水线 今年过年回来不想走了 修好的路以后谁来管护", "（九）"),
    ],
)
def test_a_story_is_read_for_what_it_asks(kb: KnowledgeBase, question: str, clause: str):
    assert best(kb, question) == clause


def test_a_neighbour_asked_about_after_a_story_is_still_refused(kb: KnowledgeBase):
    result = kb.ask("我在村里修了三年路 今年腰不好干不动了 想问问能不能办低保")
    assert result.best is None and result.neighbours


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("务工期间有没有学技能的机会", "（七）"),
        ("成效评价的对象都有哪些", "（十二）"),
        ("后期管护公益岗有啥讲究", "（九）"),
    ],
)
def test_the_aspect_a_question_asks_about_weighs_little(kb: KnowledgeBase, question, clause):
    assert {"机会", "对象", "讲究"} <= ASPECT_NOUNS
    assert best(kb, question) == clause


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("老板说干完活年底一块结工钱 中不中", "（十）"),
        ("工钱能不能一次性结清，还是得按月发", "（十）"),
        ("村委会能不能当这个农推项目的业主", "（五）"),
        ("以工代训嘎哈用的", "（七）"),
        ("村里新修的桥坏了 谁来修", "（九）"),
    ],
)
def test_spoken_ways_of_saying_a_clause(kb: KnowledgeBase, question: str, clause: str):
    assert best(kb, question) == clause
