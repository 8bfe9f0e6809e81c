"""The conversation side of policy questions (SPEC §5): the router, 全文, the fallback that
answers any text that is no command from the policy's clauses."""

from __future__ import annotations

import re
import unicodedata

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from handlers.policy.answer import answer_clause, answer_text, clause_pages, not_found
from handlers.policy.followup import last_choices, picked
from handlers.policy.kb import knowledge_base
from handlers.wage_intent import answer_own_pay

router = Router("policy")

_REF = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、)?(?:[(]?[一二三四五六七八九十\d]{1,3}[)]?|第.{1,3}条)$"
)
_FULL_TEXT = re.compile(r"^(?:全文|原文)\s*(?=[(])")


@router.command(
    "全文",
    aliases=("原文",),
    help="查看一条政策条款的全文（其他文字都按政策问题回答）",
    example="全文 （一）\n全文 （十） 2    （条款较长时看第2段）",
)
def show_clause(msg: Incoming, ctx: HandlerContext) -> Reply:
    return Reply(full_text(ctx, ctx.args))


@router.fallback()
def answer_question(msg: Incoming, ctx: HandlerContext) -> Reply:
    text = unicodedata.normalize("NFKC", msg.text).strip()
    if _FULL_TEXT.match(text):  # 全文（一） without a blank after the command word
        return Reply(full_text(ctx, _FULL_TEXT.sub("", text)))
    if not text:
        return Reply(not_found())
    own = answer_own_pay(text, ctx)  # "我的工资几号发": the asker's own ledger, not a clause
    if own is not None:
        return own
    kb = knowledge_base(ctx.session)
    number = picked(text)
    if number is not None:  # the answer to "您是不是想问：1. … 2. …"?
        choices = last_choices(ctx.session, msg.user_id)
        if 1 <= number <= len(choices):
            ref, document = choices[number - 1]
            found = kb.find(ref, document)
            if found:
                return Reply(answer_clause(kb, found[0][1]))
    return Reply(answer_text(kb, kb.ask(text)))


def full_text(ctx: HandlerContext, args: str) -> str:
    """`全文 （一） [文件名] [段号]`: a clause verbatim, paged within WeCom's 2048 bytes."""
    ref, page, hint = "", 1, []
    for token in unicodedata.normalize("NFKC", args).split():
        if not ref and _REF.match(token):
            ref = token
        elif ref and token.isdigit():
            page = int(token)
        else:
            hint.append(token.strip("《》"))
    if not ref:
        raise UserError("请写条款编号，例如：全文 （一）")
    kb = knowledge_base(ctx.session)
    found = kb.find(ref, " ".join(hint))
    if not found:
        numbers = "、".join(c.ref for c in kb.documents[0].clauses)
        raise UserError(f"没有找到条款 {ref}。可以查看的条款：{numbers}")
    doc, clause = found[0]
    pages = clause_pages(kb, doc, clause)
    if not 1 <= page <= len(pages):
        raise UserError(f"{clause.number}共 {len(pages)} 段。")
    text = pages[page - 1]
    others = [f"《{d.title}》" for d, _ in found[1:]]
    note = f"\n其他文件也有{clause.number}：" + "、".join(others) + "（在编号后加文件名）"
    if others and len((text + note).encode("utf-8")) <= 2048:
        text += note
    return text
