"""Issue 16, twelfth pass: near-domain traps — questions in the policy's words that ask what an
意见 on a way of working never states (a fee rate, a reimbursement, a budget step, what money
may buy, who may hold a post, a procurement method, a quality standard, a scoring rule …), and
other offices' matters said as people say them. The questions were written for these tests,
not taken from a question set."""

from __future__ import annotations

import pytest

from handlers.policy.kb import KnowledgeBase
from handlers.policy.loader import parse_text
from handlers.policy.unstated import KINDS, demanded, stated_kinds
from tests.handlers.policy_support import best

# the kinds this pass added; the built-in policy states none of them
NEW_KINDS = [
    "收费",
    "报销",
    "财务",
    "用途",
    "任职",
    "班组",
    "计酬",
    "人数",
    "次数",
    "审批细节",
    "采购",
    "质量标准",
    "责任",
    "举报",
    "注册",
    "评分",
    "他文",
    "地址",
    "姓名",
    "解聘",
    "体检",
    "书籍",
]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("设计费按工程造价的几个点收", "收费"),
        ("报名上工地要先交押金不", "收费"),
        ("参加技能培训收不收报名费", "收费"),
        ("跑项目的油钱能不能报", "报销"),
        ("定点联系单位有没有专门的工作经费", "报销"),
        ("农推项目的工程款多久拨付一次", "财务"),
        ("以工代赈项目能不能先垫资后结算", "财务"),
        ("项目干完了钱没花完要退回去吗", "财务"),
        ("以工代赈资金能不能拿来给村里买辆车", "用途"),
        ("衔接资金有没有负面清单", "用途"),
        ("事业单位编外人员能当联系人吗", "任职"),
        ("村主任能不能自己承包村里的以工代赈工程", "任职"),
        ("谁来当工地上的带班", "班组"),
        ("大工班长比小工多拿多少", "班组"),
        ("跟着师傅学手艺那段时间给不给工钱", "计酬"),
        ("请病假那几天有没有工钱", "计酬"),
        ("一个项目最少要招多少本地人干活", "人数"),
        ("一户人家能去几个人干活", "人数"),
        ("理事会成员要几个人", "人数"),
        ("定点联系人一个季度最少来几回", "次数"),
        ("修路要占林地怎么办手续", "审批细节"),
        ("项目要不要办施工许可证", "审批细节"),
        ("设计变更要报哪里审批", "审批细节"),
        ("竞争性谈判和询价有啥区别", "采购"),
        ("评标专家从哪里抽", "采购"),
        ("排水沟验收的技术规范是啥", "质量标准"),
        ("村道路面要修多宽", "质量标准"),
        ("工程质量出了问题谁负责", "责任"),
        ("发现包工头虚报工钱向哪里检举", "举报"),
        ("怎么举报村干部吃拿卡要", "举报"),
        ("合作社章程怎么写", "注册"),
        ("成立劳务公司要准备哪些材料", "注册"),
        ("考核排名靠后的县会怎样", "评分"),
        ("成效评价满分多少分", "评分"),
        ("今年政府工作报告里以工代赈怎么说的", "他文"),
        ("劳动合同法对临时用工有啥规定", "他文"),
        ("县以工代赈办在哪栋楼办公", "地址"),
        ("县发改局分管以工代赈的领导是谁", "姓名"),
        ("公益岗干得不好会被辞退吗", "解聘"),
        ("上工地要体检吗", "体检"),
        ("有没有讲以工代赈的书推荐几本", "书籍"),
    ],
)
def test_demands_an_opinion_of_this_kind_never_states_are_refused(
    kb: KnowledgeBase, question: str, kind: str
):
    result = kb.ask(question)
    assert result.best is None, question
    assert kind in {u.key for u in result.unstated}, question


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("项目清单几月份下达", "时限"),  # the month of a yearly step
        ("公益性岗位合同签几年", "时长"),  # a post's term
        ("项目工期一般多长", "时长"),
        ("资产收益按什么比例分给脱贫户", "比例"),  # how a return is shared out
        ("中央预算内以工代赈资金劳务报酬比例不低于多少", "比例"),  # the 15% is 农推's
        ("劳务报酬比例达不到会怎么样", "罚则"),  # what failing costs
        ("施工单位弄虚作假会不会被通报", "罚则"),
        ("修村道一天能给一百五不", "钱数"),  # a sum said and asked yes-or-no
        ("照15%算每个人能领多少钱", "钱数"),  # a sum per head, though a share is named
    ],
)
def test_widened_kinds_hear_more_ways_of_asking(kb: KnowledgeBase, question: str, kind: str):
    result = kb.ask(question)
    assert result.best is None, question
    assert kind in {u.key for u in result.unstated}, question


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # near those demands, in what the clauses do state
        ("培训的经费从哪里出", "（七）"),
        ("各类培训资金能不能统筹起来用", "（七）"),
        ("工程款里发给群众的钱占几成", "（一）"),  # the wages' share, not a payment step
        ("农推项目的劳务报酬至少占财政资金的多少", "（一）"),
        ("村委会能不能当项目业主", "（五）"),  # who may be the owner is stated
        ("支书可不可以带头把村民组织起来干活", "（六）"),
        ("施工单位要跟务工群众签用工协议吗", "（十）"),
        ("项目发包要在哪里公示", "（十）"),
        ("边干边学的以工代训是什么意思", "（七）"),
        ("用地、环评和规划的手续可以少跑点吗", "（四）"),  # simplified, not how each is done
        ("定点联系单位要常态化联系项目吗", "（十一）"),  # whether, not how often
        ("一年要调度几次", "（十二）"),
        ("谁来给以工代赈打分", "（十二）"),  # who scores, not the scoring rules
        ("两类综合赈济模式由哪几部分组成", "（八）"),  # parts, no headcount
        ("发现工钱台账作假怎么办", "（十）"),
        ("怎么防止项目里有人贪污", "（十）"),
    ],
)
def test_questions_near_the_new_kinds_are_still_answered(
    kb: KnowledgeBase, question: str, clause: str
):
    result = kb.ask(question)
    assert not result.unstated, question
    assert best(kb, question) == clause, question


@pytest.mark.parametrize(
    "question",
    [
        "给私人老板修围墙被欠钱咋办",  # work for a private person
        "工地上包吃包住吗",
        "一天干几个钟头",
        "在工地摔断了胳膊找谁",
        "养鱼一年能挣多少",
        "俺家吃低保 去工地干活挣的钱会不会算进收入",  # the programme's own rule
    ],
)
def test_other_offices_matters_as_people_say_them_are_neighbours(kb: KnowledgeBase, question: str):
    result = kb.ask(question)
    assert result.best is None and result.neighbours, question


def test_the_built_in_policy_states_none_of_the_new_kinds(kb: KnowledgeBase):
    stated = stated_kinds(c.text for c in kb.index.clauses)
    assert not stated & set(NEW_KINDS)
    assert set(NEW_KINDS) <= {k.key for k in KINDS}
    # 行政审批 holds 政审 but states no background check
    assert [u.key for u in demanded("上工地要政审吗", stated)] == ["体检"]


def test_a_document_that_states_the_fee_rate_answers_it():
    text = (
        "监理取费办法\n一、费率\n（一）监理费。以工代赈项目监理费按建安工程费的百分之二费率计取。\n"
        "（二）设计费。设计费由项目业主单位支付。\n"
    )
    kb = KnowledgeBase.of([parse_text(text, name="监理取费办法")])
    result = kb.ask("以工代赈工程的监理费用啥费率")
    assert not result.unstated
    assert result.best is not None and result.best.clause.number == "（一）"


@pytest.mark.parametrize(
    "question",
    [
        "综合赈济模式分成哪几块",  # parts, not 几块钱
        "干了一个月被扣了好几百 这合规不",  # a sum told, not asked
        "一个项目的工钱起码得占多少",  # 起码 is 至少: the share
        "用工协议里要不要写清楚一天给多少钱",  # what the contract writes: （十）
        "工钱一天给多少由谁定",  # who sets it: （十）
    ],
)
def test_a_sum_told_or_its_setting_asked_is_no_sum_demand(question: str):
    assert "钱数" not in {u.key for u in demanded(question, frozenset())}
