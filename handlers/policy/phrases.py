"""Spoken phrases that name a concept across words: 钱 … 发给 … 干活的 is wages, 哪个法 is the
law a clause cites. jieba cuts them apart, and each part alone (钱, 法) says too little; the
phrase as a whole says which idea is meant. Patterns are built from how people talk about
the idea, never from a question set.
"""

from __future__ import annotations

import re

# (pattern over the normalised question, concept key of handlers/policy/concepts.py)
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    # money handed to the people who work: wages, not project funds
    (re.compile(r"钱.{0,6}(发|给|到手|结|领|拿)|(发|给|结|领|拿|欠).{0,3}钱"), "发工钱"),
    # which office is in charge of it all: 发改局管还是…局管, 哪个部门牵头, 归谁管
    (re.compile(r"(哪个部门|哪个局|哪家|局|委)(来)?(管|牵头|主抓)|谁(来)?(牵头|挑头|主抓)|归谁管"), "牵头"),
    # which law, what regulation
    (re.compile(r"(哪个|哪部|哪条|啥|什么|按|依)(子)?(法|法律|法规)"), "法规"),
)


def phrase_concepts(text: str) -> list[str]:
    """The concept keys the question's phrases name."""
    return [key for pattern, key in PHRASES if pattern.search(text)]
