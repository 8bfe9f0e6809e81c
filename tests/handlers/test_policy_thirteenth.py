"""Issue 16, thirteenth pass: details the clauses leave out — a quantity asked by the shape of
the question (how many days or hours, which month, how often, what share) that the clause
naming the topic writes none of. The questions were written for these tests, not taken from a
question set."""

from __future__ import annotations

import pytest

from handlers.policy.kb import KnowledgeBase
from handlers.policy.loader import parse_text
from handlers.policy.text import normalize
from handlers.policy.unstated import MEASURES, measure_kinds, measures_asked
from tests.handlers.policy_support import best


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # days, years, hours, the month: no clause writes a number of any
        ("村务公开栏上的发包公告得贴满多少天", "量:时长"),
        ("以工代训一期要练多少个学时", "量:时长"),
        ("当上生态护林员以后最长能当几年", "量:时长"),
        ("生态护林员一年要巡山多少天", "量:时长"),
        ("可研报告报上去以后多久能批下来", "量:时长"),
        ("重推项目清单每年几月份能出", "量:时长"),
        # how often, where the clause names the thing and no rate
        ("协调机制的成员单位多长时间碰一次头", "量:频次"),
        ("项目理事会多久开一回会", "量:频次"),
        # 常态化 is no rate (fourteenth pass): how often a liaison comes is not written
        ("定点联系单位隔多长时间到项目上看一次", "量:频次"),
        # a share of something other than the wages (（一）'s 15%)
        ("乡建公司接活能提几个点的利润", "量:比例"),
        ("公益性岗位里脱贫户要占多大比例", "量:比例"),
    ],
)
def test_a_quantity_the_answering_clause_does_not_write_is_refused(
    kb: KnowledgeBase, question: str, kind: str
):
    result = kb.ask(question)
    assert result.best is None, question
    assert kind in {u.key for u in result.unstated}, question


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # the quantities the policy does write: the 15% share, 按季度, 按年度 lists, the
        # pay period (周期) the contractor sets, 常态化 contacts
        ("农推项目里工钱起码要占财政资金几成", "（一）"),
        ("劳务报酬发放比例最低是百分之几", "（一）"),
        ("发改局多长时间调度一回项目进展", "（十二）"),
        ("一年调度项目几次", "（十二）"),
        ("县级农推清单多久定一次", "（三）"),
        ("施工队多久给我们结一次工钱", "（十）"),
        # a number in a story, not asked
        ("前前后后跑了几个月手续。审批能不能合并成一次？", "（四）"),
        # what kinds, not how many
        ("综合赈济模式有哪几类", "（八）"),
    ],
)
def test_the_quantities_the_policy_writes_are_still_answered(
    kb: KnowledgeBase, question: str, clause: str
):
    result = kb.ask(question)
    assert not result.unstated, question
    assert best(kb, question) == clause, question


def test_which_clause_writes_which_quantity(kb: KnowledgeBase):
    by_number = {c.number: measure_kinds(normalize(c.full_text)) for c in kb.index.clauses}
    assert {m.key for m in MEASURES} == {"量:时长", "量:频次", "量:比例"}
    assert "量:比例" in by_number["（一）"]  # 15%
    assert "量:频次" in by_number["（十二）"] and "量:频次" in by_number["（三）"]
    assert not any("量:时长" in kinds for kinds in by_number.values())
    assert not by_number["（九）"] and not by_number["（七）"]


@pytest.mark.parametrize(
    "question",
    [
        "工钱几天一发",  # a rate, not a number of days
        "我没念过几年书能去培训不",  # 几年书: no duration asked
        "前几天来的那个人是干啥的",  # 前几天: a time told
        "干了好几个月了",  # 好几: many, not asked
    ],
)
def test_a_number_told_is_no_duration_asked(question: str):
    assert "量:时长" not in {m.key for m in measures_asked(normalize(question))}


def test_a_document_that_writes_the_days_answers_them():
    text = (
        "项目公示办法\n一、公示\n（一）公示期限。以工代赈项目发包公示期不少于7天。\n"
        "（二）公示地点。公示在村务公开栏张贴。\n"
    )
    kb = KnowledgeBase.of([parse_text(text, name="项目公示办法")])
    question = "发包公示要贴多少天"
    assert not kb.ask(question).unstated
    assert best(kb, question) == "（一）"
