"""Fixtures shared by the handler tests."""

from __future__ import annotations

import pytest

from handlers.policy.examples import ExampleBank
from handlers.policy.kb import KnowledgeBase, builtin_document, builtin_kb


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """The built-in policy's knowledge base (built once per process), with the shipped
    example bank: what users get."""
    return builtin_kb()


@pytest.fixture(scope="module")
def matcher_kb() -> KnowledgeBase:
    """The built-in policy read by the matcher alone, without the example bank: for tests
    of how the matcher reads a question whose wording the bank holds (examples.py)."""
    return KnowledgeBase.of([builtin_document()], ExampleBank([]))
