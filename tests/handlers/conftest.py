"""Fixtures shared by the handler tests."""

from __future__ import annotations

import pytest

from handlers.policy.kb import KnowledgeBase, builtin_kb


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """The built-in policy's knowledge base (built once per process)."""
    return builtin_kb()
