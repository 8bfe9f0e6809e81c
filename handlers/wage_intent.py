"""Questions about one's own pay, in the asker's words, answered from their own ledger.

"我的工资几号发？", "钱到账了吗", "工资拖欠了怎么办": a small table of intents recognised by
keywords and patterns (not by listing questions). A bound worker gets days, owed, paid, due
date and overdue from the ledger, then 12333 when overdue; anyone else asking learns how to
bind. Questions about the rules ("劳务报酬比例有什么要求") stay policy questions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from bot.context import HandlerContext, Reply
from domain.access import BIND_EXAMPLE
from handlers.worker_self import day_text, hotline, throttle, wage_lines
from models import Project, Worker
from models.calendar import period_of, shift_period
from models.money import format_fen
from models.wages import balances

PAY = r"(?:工资|工钱|薪水|薪资|劳务费|劳务报酬|报酬|工费|血汗钱|钱)"
FIRST_PERSON = re.compile(r"[我俺咱]|本人|自己")
# Words of a question about the rules, not about one's own money.
POLICY = re.compile(
    r"比例|占比?|不低于|至少|最少|规定|政策|标准|条款|文件|清单|农推|重推|专项|资金|必须|要求"
    r"|哪里来|什么是|有哪些|谁定|发一次"
)
BARE_MONEY = re.compile(r"(?<![工血])钱")  # "钱" alone: 猪肉多少钱一斤 is not about pay


@dataclass(frozen=True)
class Intent:
    name: str
    pattern: re.Pattern[str]


INTENTS: tuple[Intent, ...] = (
    Intent(
        "unpaid",
        re.compile(
            r"拖欠|欠薪|欠[我俺咱]|不给(?:钱|工资)|没(?:给|发)(?:钱|工资)|克扣|扣.{0,2}工资"
        ),
    ),
    Intent(
        "when",
        re.compile(
            PAY
            + r".{0,8}(?:几号|哪天|哪一天|什么时候|啥时候|啥时|何时|多久|几时|多长时间|什么时间)"
            r"|(?:几号|哪天|什么时候|啥时候|何时|多久|几时)" + r".{0,6}" + PAY
        ),
    ),
    Intent(
        "status",
        re.compile(
            PAY
            + r".{0,10}(?:到账|到帐|到卡|打到|打过来|打了|发了|发没|发下来|收到|还没|没到|没发|算对)"
            r"|(?:到账|到帐|打到卡|发了|收到).{0,6}" + PAY
        ),
    ),
    Intent(
        "amount",
        re.compile(PAY + r".{0,6}(?:多少|几多|能拿|挣了)|(?:多少|挣了|能拿).{0,6}" + PAY),
    ),
)


def own_pay_intent(text: str) -> str | None:
    """The intent of a question about the asker's own pay, or None."""
    t = unicodedata.normalize("NFKC", text).strip()
    if len(t) > 60:  # a paragraph is not a quick question about one's pay
        return None
    if POLICY.search(t) and not FIRST_PERSON.search(t):
        return None
    for intent in INTENTS:
        if intent.pattern.search(t):
            if intent.name == "amount" and not FIRST_PERSON.search(t) and not _pay_word(t):
                return None  # "多少钱" without a pay word or "我" is a price, not a wage
            return intent.name
    return None


def _pay_word(text: str) -> bool:
    """A pay word other than a bare 钱."""
    return re.search(PAY, BARE_MONEY.sub("", text)) is not None


def answer_own_pay(text: str, ctx: HandlerContext) -> Reply | None:
    """The ledger's answer for a worker, how to bind for a guest; None to fall through."""
    intent = own_pay_intent(text)
    if intent is None:
        return None
    if ctx.user.worker_id is None:
        if ctx.user.is_staff:
            return None  # a liaison asking about wages means the rules
        return Reply(
            "查自己的工资要先绑定务工人员信息。请发送（换成您本人的姓名和身份证号）：\n"
            f"{BIND_EXAMPLE}\n绑定后直接问“我的工资几号发”“钱到账了吗”就能查到。"
            "想了解政策规定，可以问“劳务报酬发放有什么规定”。"
        )
    worker = ctx.session.get(Worker, ctx.user.worker_id)
    if worker is None:
        return None
    throttle(ctx)
    return Reply(_ledger_answer(ctx, worker, intent))


def _ledger_answer(ctx: HandlerContext, worker: Worker, intent: str) -> str:
    session, today = ctx.session, ctx.today
    rows = balances(session, worker_id=worker.id)
    codes = dict(session.execute(select(Project.id, Project.code)).all()) if rows else {}
    unpaid = sorted((b for b in rows if b.outstanding_fen > 0), key=lambda b: (b.due, b.period))
    late = [b for b in unpaid if b.is_overdue(today)]
    if unpaid:
        b = unpaid[0]
        lead = (
            f"{worker.name}，您在项目 {codes.get(b.project_id, '')} {b.period} 的工资还有"
            f"{format_fen(b.outstanding_fen)}没发，应于{day_text(b.due)}前发放"
        )
        lead += f"，已逾期{(today - b.due).days}天。" if b.is_overdue(today) else "，还没到期。"
        if len(unpaid) > 1:
            total = sum(x.outstanding_fen for x in unpaid)
            lead += f"合计还有{len(unpaid)}笔、{format_fen(total)}没发。"
    elif rows:
        lead = f"{worker.name}，台账上您的工资都已发清。"
    else:
        lead = f"{worker.name}，台账上还没有您的出工记录。如在工地干过活，请联系项目联系人登记。"
    found = wage_lines(session, worker, today)
    lines = [lead, "", "台账明细：", *found.lines] if found.lines else [lead]
    if late:
        lines += ["", hotline(late[0].period)]
    elif intent == "unpaid" or (intent == "status" and not unpaid and rows):
        last = shift_period(period_of(today), -1)
        lines += [
            "",
            f"如实际没有收到，可发送“未收到 期间：{last}”转给项目联系人，"
            "也可以拨打劳动保障监察投诉电话 12333。",
        ]
    return "\n".join(lines)
