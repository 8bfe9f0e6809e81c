"""Helpers of the policy-answer tests."""

from __future__ import annotations

import functools

from handlers.policy.examples import shipped_bank, source_of
from handlers.policy.kb import KnowledgeBase, builtin_document


def best(kb: KnowledgeBase, question: str) -> str | None:
    """The clause a question is answered with, or None when it is not answered."""
    hit = kb.ask(question).best
    return hit.clause.number if hit else None


@functools.cache
def kb_without(name: str) -> KnowledgeBase:
    """The built-in knowledge base less the examples of one question set (tests/data name):
    a set is measured by the others, as if its questions had never been seen."""
    return KnowledgeBase.of([builtin_document()], shipped_bank().without(source_of(name)))
