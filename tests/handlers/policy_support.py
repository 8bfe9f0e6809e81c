"""Helpers of the policy-answer tests."""

from __future__ import annotations

from handlers.policy.kb import KnowledgeBase


def best(kb: KnowledgeBase, question: str) -> str | None:
    """The clause a question is answered with, or None when it is not answered."""
    hit = kb.ask(question).best
    return hit.clause.number if hit else None
