"""The DB-backed limiter behind binding locks and query limits: fixed windows, local days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from models.security import clear, count, hit, prune, window_start
from tests.conftest import at

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def test_day_windows_start_at_local_midnight() -> None:
    assert window_start(at("2026-11-16T00:05"), DAY) == at("2026-11-16T00:00")
    assert window_start(at("2026-11-16T23:59"), DAY) == at("2026-11-16T00:00")
    assert window_start(at("2026-11-16T07:59"), DAY).astimezone(UTC) == datetime(
        2026, 11, 15, 16, 0, tzinfo=UTC
    )
    assert window_start(at("2026-11-16T09:42"), HOUR) == at("2026-11-16T09:00")


def test_hit_counts_up_to_the_limit_per_key_and_window(session: Session) -> None:
    now = at("2026-11-16T09:00")
    assert [hit(session, "k", DAY, 3, now=now) for _ in range(4)] == [True, True, True, False]
    assert count(session, "k", DAY, now=now + timedelta(hours=14)) == 4  # same local day
    assert count(session, "other", DAY, now=now) == 0
    assert hit(session, "k", DAY, 3, now=at("2026-11-17T00:01"))  # a new day
    clear(session, "k")
    assert count(session, "k", DAY, now=now) == 0
    hit(session, "old", DAY, 3, now=now - timedelta(days=3))
    assert prune(session, now - timedelta(days=1)) == 1
    session.commit()


def test_handlers_count_on_redis_when_it_is_configured() -> None:
    from types import SimpleNamespace

    from handlers.worker_self import limiter
    from models import security

    shared = object()
    with_redis = SimpleNamespace(services=SimpleNamespace(redis=SimpleNamespace(limiter=shared)))
    assert limiter(with_redis) is shared  # type: ignore[arg-type]
    assert limiter(SimpleNamespace(services=None)) is security  # type: ignore[arg-type]
