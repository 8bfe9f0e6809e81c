"""What a named term means: the clause that introduces it.

A policy names its own terms in quotation marks — “重推”“农推” (以下简称), “力工”变“技工”,
“省负总责、部门协同、市县抓落实”, “培训+上岗”. They come back in many clauses (农推 in nine),
so word weights rank every clause that uses them alike; the question 农推是个啥 (啥叫重推,
重推农推到底啥意思) wants the clause that introduced it. The terms are read from the
documents' own text, so an added document's named terms work the same way.

A question asks for a definition when a named term (or a part of a listed one: 省负总责) stands
right before 是啥 / 啥意思 / 指什么 / 是什么的简称 …, only filler between (项目, 到底, 这个词,
and the other named terms: 重推和农推分别指什么), or right after 啥叫 / 什么是 / 何为.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_QUOTED = re.compile(r"“([^”]{2,40})”")
# what may stand between the term and the asking words: filler, never a topic of its own
# (each piece read one way only, and never given back: no backtracking over long filler)
_FILLER = (
    r"(?:\s|[、，,“”\"']|和|与|跟|及|还有|这(?:两|俩)?个?(?:词|字|简称|说法|提法)?|项目|"
    r"到底|究竟|具体|又|都|分别|说的|讲的|所说|所谓|里|的)*+"
)
_ASKS_AFTER = (
    r"(?:是(?:个)?(?:啥|什么|么子|哪样|撒子|啥子|咩)|啥|什么|么子)(?:子)?(?:意思|东西|玩意儿?|概念|说法)?"
    r"|(?:是)?(?:啥|什么|么子|啥子|哪样|咩)(?:意思|意义|含义)"
    r"|指的?(?:是)?(?:啥|什么|哪些|哪两)"
    r"|是?(?:什么|啥)的?(?:简称|缩写)|咋回事|怎么回事|何意|系咩|係咩|是何"
)
_ASKS_BEFORE = r"(?:啥叫|什么叫|啥子叫|么子叫|什么是|啥是|何为|何谓|咩叫|乜嘢叫)"
# … and then the question ends (是什么时候, 是什么标准 ask something else)
_ENDS = r"(?=$|[\s，,。.？?！!；;…~]|[啊呀哦嘛呢嘞哈吗哟咯噻撒啦哇嗷呗喃]|" + _ASKS_BEFORE + ")"


def named_terms(texts: Iterable[tuple[int, str]]) -> dict[str, int]:
    """term -> the clause (index) that first writes it in quotation marks; a quoted list
    (省负总责、部门协同、市县抓落实) is named by its parts too."""
    out: dict[str, int] = {}
    for ci, text in texts:
        for m in _QUOTED.finditer(text):
            phrase = m[1]
            for term in (phrase, *re.split(r"[、，,]", phrase)):
                if len(term) >= 2:
                    out.setdefault(term, ci)
    return out


class Definitions:
    """The named terms of some clauses and the question frames that ask what they mean."""

    def __init__(self, terms: dict[str, int]) -> None:
        self.terms = terms
        if terms:
            names = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
            term = f"(?P<term>{names})"
            self._after = re.compile(f"{term}{_FILLER}(?:{_ASKS_AFTER}){_ENDS}")
            self._before = re.compile(f"(?:{_ASKS_BEFORE}){_FILLER}{term}{_FILLER}{_ENDS}")

    def asked(self, text: str) -> tuple[int, str] | None:
        """The clause introducing the term whose meaning a normalised question asks, and the
        term, if any."""
        if not self.terms:
            return None
        m = self._after.search(text) or self._before.search(text)
        return (self.terms[m["term"]], m["term"]) if m else None
