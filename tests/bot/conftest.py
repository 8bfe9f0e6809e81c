"""Fixtures for the transport tests (the fake WeCom comes from the root conftest's plugin)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker


@pytest.fixture
def db_factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The shared per-test database (SQLite file, or a private PostgreSQL database)."""
    return session_factory
