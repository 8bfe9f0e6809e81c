"""Replies to policy questions: clause and section, best sentence, the clause, related clauses.

Every reply fits WeCom's 2048-byte text limit: the quoted clause is cut at a sentence boundary
and points to `全文 （一）` when the whole would not fit; `全文` itself pages long clauses.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.policy import text as tx
from handlers.policy.kb import KnowledgeBase
from handlers.policy.loader import Clause, Document
from handlers.policy.matcher import Hit, Result
from handlers.policy.neighbours import HOTLINE as NEIGHBOUR_HOTLINE

MAX_BYTES = 2048
EXAMPLES = (
    "农推项目劳务报酬比例有什么要求？",
    "竣工验收时要核查哪些台账？",
    "公益性岗位优先安排哪些人？",
)

# SPEC §4: every reply to a worker about unpaid wages names the 12333 hotline.
HOTLINE = "没有按时足额拿到工钱，可以拨打劳动保障监察投诉电话 12333 反映。"
_NOT_PAID = re.compile(
    r"没发|未发|不发|欠发|晚发|迟发|没给|不给|没收到|未收到|拿不到|没拿到|没到账|未到账|拖欠|扣"
    r"|欠(了|着|俺|我|咱|下)"
)
_WAGES = re.compile(r"工资|工钱|薪|劳务费|报酬|钱|工费")


def about_unpaid_wages(question: str) -> bool:
    """Whether a question is about wages not (fully) paid: 工钱没发, 拖欠工资, 欠薪 …"""
    text = tx.normalize(question)
    return "欠薪" in text or bool(_NOT_PAID.search(text) and _WAGES.search(text))


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def clause_ref(kb: KnowledgeBase, clause: Clause) -> str:
    """How a user names a clause in `全文`: the number, plus the document when there are several."""
    if kb.several and clause.document != kb.documents[0].title:
        return f"{clause.ref} {clause.document}"
    return clause.ref


def label(clause: Clause) -> str:
    """【（一）持续扩大实施范围】一、稳步扩大实施规模"""
    section = f" {clause.section}" if clause.section else ""
    return f"【{clause.heading}】{section}"


def not_found(too_short: bool = False, unpaid: bool = False) -> str:
    """The refusal; a question of single characters (钱) is asked to say more."""
    ask = "问题太短，请说得具体一些" if too_short else "可以换个说法"
    lines = [f"没有找到相关条款。{ask}，或这样问："]
    lines += [f"· {q}" for q in EXAMPLES]
    if unpaid:
        lines.append(HOTLINE)
    lines.append("发送“帮助”查看全部命令。")
    return "\n".join(lines)


ASK_HEAD = "您是不是想问："
ASK_TAIL = "回复数字（如 1）查看那一条，或换个说法再问。"
_CHOICE = re.compile(r"^(\d)\. (\S+) [^《]*(?:《(.+)》)?$")


def neighbour_refusal(kb: KnowledgeBase, result: Result, unpaid: bool = False) -> str:
    """A question about another programme: this policy does not cover it; who does."""
    titles = "、".join(f"《{d.title}》" for d in kb.documents)
    lines = [f"这份政策没有讲{n.label}，这类事请问{n.ask}。" for n in result.neighbours]
    lines.append(f"也可以拨打 {NEIGHBOUR_HOTLINE}。")
    lines.append(
        f"这里能回答的是{titles}，讲以工代赈项目的劳务报酬、项目清单、发包、培训、公益性岗位"
        f"和监督等，例如：{EXAMPLES[0]}"
    )
    if unpaid:
        lines.append(HOTLINE)
    return "\n".join(lines)


def unstated_text(kb: KnowledgeBase, result: Result, unpaid: bool = False) -> str:
    """A question that demands what no clause states (a sum, an age, a phone number): say
    so and where to ask; point at the clauses nearest the question, quote none."""
    lines = [f"这份政策没有讲{u.label}，这类事请问{u.ask}。" for u in result.unstated]
    lines.append(f"也可以拨打 {NEIGHBOUR_HOTLINE}。")
    if result.pointed:
        lines.append(_pointing(kb, result.pointed))
    if unpaid:
        lines.append(HOTLINE)
    return "\n".join(lines)


def pointed_refusal(kb: KnowledgeBase, result: Result, unpaid: bool = False) -> str:
    """Read in the domain, yet asked the way questions the policy does not answer are: no
    clause is quoted, the nearest are named."""
    lines = ["政策里没有找到直接回答这个问题的条款。", _pointing(kb, result.pointed)]
    lines += _reading(result)
    if unpaid:
        lines.append(HOTLINE)
    lines.append("可以换个说法再问，发送“帮助”查看全部命令。")
    return "\n".join(lines)


def _reading(result: Result) -> list[str]:
    """How the question's slips and abbreviations were read (（按“招标”理解）), if any."""
    return ["（按" + "、".join(f"“{t}”" for t in result.fixes) + "理解）"] if result.fixes else []


def _pointing(kb: KnowledgeBase, hits: tuple[Hit, ...]) -> str:
    refs = "；".join(f"{h.clause.ref} {h.clause.title}" for h in hits)
    return f"政策里相近的条款：{refs}（回复“全文 {clause_ref(kb, hits[0].clause)}”查看）"


def ask_back_text(kb: KnowledgeBase, result: Result) -> str:
    """In the domain but unsure: the closest clauses as numbered choices."""
    lines = [ASK_HEAD]
    for n, hit in enumerate(result.choices, 1):
        clause = hit.clause
        doc = f"《{clause.document}》" if clause.document != kb.documents[0].title else ""
        lines.append(f"{n}. {clause.ref} {clause.title}{doc}")
    lines.append(ASK_TAIL)
    if about_unpaid_wages(result.question):
        lines.append(HOTLINE)
    return "\n".join(lines)


def parse_choices(reply: str) -> list[tuple[str, str]]:
    """(clause ref, document title or "") per choice of an ask-back reply; [] for other text."""
    if not reply.startswith(ASK_HEAD):
        return []
    return [(m[2], m[3] or "") for line in reply.splitlines() if (m := _CHOICE.match(line))]


def answer_clause(kb: KnowledgeBase, clause: Clause, question: str = "") -> str:
    """The reply for a clause the user picked (its first sentence as the point)."""
    body = [s for s in tx.sentences(clause.text) if s]
    point = body[1] if clause.title and len(body) > 1 else (body[0] if body else "")
    hit = Hit(clause, 0.0, 1.0, point)
    return answer_text(kb, Result(question, (hit,), True))


def answer_text(kb: KnowledgeBase, result: Result) -> str:
    """The reply to a question (a refusal with examples when nothing is good enough)."""
    best = result.best
    unpaid = about_unpaid_wages(result.question)
    if result.neighbours:
        return neighbour_refusal(kb, result, unpaid)
    if result.unstated:
        return unstated_text(kb, result, unpaid)
    if best is None and result.ask_back:
        return ask_back_text(kb, result)
    if best is None and result.pointed:
        return pointed_refusal(kb, result, unpaid)
    if best is None:
        return not_found(result.too_short, unpaid)
    shown = [best, result.hits[1]] if result.tie else [best]
    head: list[str] = _reading(result)
    head.append("这两条都相关：" if result.tie else "")
    for hit in shown:
        head += [label(hit.clause), f"要点：{hit.sentence}"]
    if unpaid:
        head.append(HOTLINE)
    tail: list[str] = []
    related = [h for h in result.related if h not in shown][:3]
    if related:
        tail.append("相关条款：" + "；".join(h.clause.heading for h in related))
    documents = {h.clause.document for h in shown}
    tail.append("出自：" + "、".join(f"《{d}》" for d in sorted(documents)))
    budget = MAX_BYTES - _size("\n".join(x for x in head + tail if x)) - 2 * len(shown)
    quotes = _quotes(kb, [h.clause for h in shown], budget)
    return "\n".join(x for x in head + quotes + tail if x)


def _quotes(kb: KnowledgeBase, clauses: list[Clause], budget: int) -> list[str]:
    """The clauses' text, each cut to its share of `budget` bytes at a sentence boundary."""
    out = []
    share = budget // len(clauses)
    for clause in clauses:
        text = "原文：" + clause.full_text
        if _size(text) > share:
            more = f"……（回复“全文 {clause_ref(kb, clause)}”看全文）"
            text = _cut(text, share - _size(more)) + more
        out.append(text)
    return out


def _cut(text: str, limit: int) -> str:
    """The longest run of whole sentences within `limit` bytes (characters if none fits)."""
    out = ""
    for sentence in tx.sentences(text):
        if _size(out + sentence) > limit:
            break
        out += sentence
    return out or _prefix(text, limit)


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` bytes."""
    return text.encode("utf-8")[: max(limit, 0)].decode("utf-8", "ignore")


def clause_pages(kb: KnowledgeBase, doc: Document, clause: Clause) -> list[str]:
    """A whole clause for `全文`, split into pages of at most 2048 bytes at sentence ends."""
    head = f"{label(clause)}\n《{doc.title}》\n"
    more = "\n（未完，回复“全文 " + clause_ref(kb, clause) + " {n}”看第{n}段）"
    limit = MAX_BYTES - _size(head) - _size(more.format(n=99))
    units: list[str] = []
    for sentence in tx.sentences(clause.full_text):
        while _size(sentence) > limit:  # an absurdly long sentence: cut by bytes
            piece = _prefix(sentence, limit)
            units.append(piece)
            sentence = sentence[len(piece) :]
        units.append(sentence)
    pages = [""]
    for unit in units:
        if pages[-1] and _size(pages[-1] + unit) > limit:
            pages.append("")
        pages[-1] += unit
    return [
        head + body + (more.format(n=n + 1) if n < len(pages) else "")
        for n, body in enumerate(pages, 1)
    ]


def as_json(kb: KnowledgeBase, result: Result) -> dict[str, Any]:
    """SPEC §7's `yigong ask --json` object."""
    best = result.best
    related: list[str] = []
    if best is not None:
        related = [_ref_in(best, h) for h in result.related]
    elif result.ask_back:  # the choices offered
        related = [_ref_in(result.choices[0], h) for h in result.choices]
    elif result.pointed:  # the clauses a refusal names
        related = [_ref_in(result.pointed[0], h) for h in result.pointed]
    return {
        "question": result.question,
        "clause": best.clause.ref if best else None,
        "section": best.clause.section if best else None,
        "document": best.clause.document if best else None,
        "score": round(best.score, 3) if best else 0.0,
        "answer": answer_text(kb, result),
        "related": related,
        # the questions people asked whose vote was weighed (examples.py): why, in their words
        "examples": [
            {
                "question": ex.question,
                "clause": "/".join(ex.clauses) or None,
                "similarity": round(sim, 3),
            }
            for ex, sim in kb.index.voters(result)
        ],
    }


def _ref_in(best: Hit, hit: Hit) -> str:
    if hit.clause.document == best.clause.document:
        return hit.clause.ref
    return f"《{hit.clause.document}》{hit.clause.ref}"
