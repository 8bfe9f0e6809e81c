"""Helpers of the policy-answer tests."""

from __future__ import annotations

import functools
from pathlib import Path

from handlers.policy.examples import shipped_bank
from handlers.policy.kb import KnowledgeBase, builtin_document

DATA = Path(__file__).resolve().parent.parent / "data"


def best(kb: KnowledgeBase, question: str) -> str | None:
    """The clause a question is answered with, or None when it is not answered."""
    hit = kb.ask(question).best
    return hit.clause.number if hit else None


@functools.cache
def kb_without(name: str) -> KnowledgeBase:
    """The built-in knowledge base less the examples of one question set (tests/data name),
    its repeats of other sets' questions included: as if it had never been written."""
    return KnowledgeBase.of([builtin_document()], shipped_bank().without_set(DATA / name))
