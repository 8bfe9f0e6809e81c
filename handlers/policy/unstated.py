"""What a question demands that the policy never states: a concrete figure or a procedure.

Near-domain questions use the policy's own words but ask for what no clause writes — how much a
day's work pays in our county, the age limit, the reporting hotline, the system's password, the
date the policy came out, which firm to hire, cash or card. BM25 finds the clause that shares
the words (（十） writes 劳务报酬发放标准, （九） 公益性岗位) and would quote it as if it answered.

Each kind of demand below is a pattern over the question (what is asked for) and a pattern over
a clause's text (what stating it looks like: a sum in 元, an age in 岁, a phone number …). A kind
that no clause of the knowledge base states is answered honestly — “这份政策没有讲…” and where to
ask — with the closest clause only pointed at. A kind some clause states (an added document
that sets 每人每天 120 元) is matched as usual. The one figure the built-in policy writes is a
share (劳务报酬 ≥ 15% of the funds), so a question about a share (占, 比例, 最低, 几成 …) is no
demand for a sum. The kinds come from what a policy text of this sort can and cannot hold,
never from a question set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Unstated:
    """A kind of fact: what the question asks, what a clause stating it writes, who knows."""

    key: str
    label: str  # 这份政策没有讲{label}
    ask: str  # 这类事请问{ask}
    asks: re.Pattern[str]  # over the normalised question
    states: re.Pattern[str]  # over a clause's normalised text
    unless: re.Pattern[str] | None = None  # the question asks something else after all


_STOP = r"[^，。,.？?！!；;]"  # within one phrase of the question
_UNIT = r"(天|日|个月|月|年|季度|亩|户|人|个人|公里|米|小时|方|平|平方|场|期)"
# how people name a sum of money they get or pay
_MONEY_NOUNS = (
    r"(工资|工钱|薪水|薪资|薪酬|工价|日薪|月薪|补助|补贴|津贴|误工费|生活费|分红|红利|奖金|"
    r"资金|经费|投资|专项资金|衔接资金|注册资金|注册资本|保证金|押金|罚款|收入"
    # a fee of any kind (监理费, 管理费, 设计费), but 劳务费 is the policy's 劳务报酬
    r"|(?<!劳务)费用?)"
)
# a share of the funds (the policy's 15%), not a sum
# (最低 and 至少 say a share only when no sum is asked right after them: 一天最低给多少钱 is a
# sum), nor is a question about recording what was paid (记账, 台账: the ledger is ruled on)
_SHARE = re.compile(
    r"占|比例|比列|比重|百分|%|几成|一成|成半|不低于|不少于|不得低于"
    r"|(最低|最少|至少)(?![^，。,.？?！!；;]{0,6}(多少钱|几块|多少块|多少元))"
    r"|记账|台账|记录|登记|备查|记下"
)

KINDS: tuple[Unstated, ...] = (
    Unstated(
        "钱数",
        "具体的钱数（工钱、补助、分红、资金每天每月每年多少）",
        "项目业主单位、施工单位或县发展改革部门（以工代赈办）",
        re.compile(
            r"(多少|几)个?(块|元|万|千|百|毛|亿)|多少钱|几个钱(?![不吗没啊])|几块钱"
            rf"|(一|每){_UNIT}{_STOP}{{0,8}}(多少|几)(?!次|回|趟|个|天|月|年|成)"
            rf"|{_MONEY_NOUNS}{_STOP}{{0,6}}(多少|几)(?!次|回|趟|个|天|月|年|成)"
            rf"|多少{_STOP}{{0,8}}{_MONEY_NOUNS}"
        ),
        re.compile(r"\d\s*(元|块|万元|千元|百元)|[一二三四五六七八九十百千万]+元"),
        unless=_SHARE,
    ),
    Unstated(
        "年龄",
        "务工的年龄限制",
        "项目施工单位或县人力资源和社会保障局（人社局）",
        re.compile(
            r"多大岁数|多大年纪|多大年龄|几岁|年龄(限制|上限|下限|要求|规定|界限|多大)"
            r"|(\d{2}|[二三四五六七八九]十[一二三四五六七八九多]?|[二三四五六七八九]十来)周?岁"
            # 俺都六十八了还能干不: one's age said without 岁
            r"|(今年|都|已经|快)(\d{2}|[四五六七八九]十[一二三四五六七八九]?)了"
        ),
        re.compile(r"\d+\s*周?岁|年龄|岁数"),
    ),
    Unstated(
        "电话",
        "电话号码和联系方式",
        "县发展改革部门（以工代赈办）或乡镇政府",
        re.compile(r"电话|热线|号码|手机号|联系方式|微信号|邮箱"),
        re.compile(r"电话|热线|\d{7,}"),
    ),
    Unstated(
        "密码",
        "系统的账号和密码",
        "本单位的系统管理员或县发展改革部门（以工代赈办）",
        re.compile(r"密码|账号|帐号|用户名|登录|登陆|验证码"),
        re.compile(r"密码|账号|帐号|登录"),
    ),
    Unstated(
        "日期",
        "文件出台和施行的日期",
        "县发展改革部门（以工代赈办）",
        re.compile(
            r"哪一年|哪年|几几年|啥年|什么年份|(出台|发布|印发|实施|施行|实行|生效|下发|出来)"
            r"的?(时间|日期)|什么时候.{0,3}(出台|发布|印发|实施|施行|实行|生效|下发|有的|出来的)"
            r"|有效期|几月几号|几月几日"
        ),
        re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|有效期|自印发之日"),
    ),
    Unstated(
        "机构",
        "具体请哪家机构",
        "项目业主单位或县发展改革部门（以工代赈办）",
        re.compile(
            r"(哪家|哪个|什么|啥)(会计师)?(事务所|律所|律师事务所|银行|医院|保险公司|审计机构"
            r"|造价公司|中介|检测机构)"
        ),
        re.compile(r"事务所|银行|医院|保险公司|检测机构"),
    ),
    Unstated(
        "现金",
        "工钱用现金发还是打到卡上",
        "项目施工单位或县人力资源和社会保障局（人社局）",
        re.compile(
            r"现金|打到卡|打卡上|打进卡|打在卡|卡里|卡上|银行卡|存折|转账|微信|支付宝|一卡通"
        ),
        re.compile(r"现金|银行卡|转账|账户|一卡通|代发"),
    ),
    Unstated(
        "下载",
        "其他文件的原文和下载",
        "省、县发展改革部门的网站或县发展改革部门（以工代赈办）",
        re.compile(r"下载|(办法|法|条例|通知|细则)的?(原文|全文)"),
        re.compile(r"下载|网址|网站.{0,6}(查阅|下载)"),
    ),
)


def stated_kinds(texts: Iterable[str]) -> frozenset[str]:
    """The kinds some text (a clause) states."""
    texts = list(texts)
    return frozenset(k.key for k in KINDS if any(k.states.search(t) for t in texts))


def demanded(text: str, stated: frozenset[str]) -> tuple[Unstated, ...]:
    """The kinds a normalised question asks for that no clause states."""
    return tuple(
        k
        for k in KINDS
        if k.key not in stated
        and k.asks.search(text)
        and not (k.unless is not None and k.unless.search(text))
    )
