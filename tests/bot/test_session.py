"""make_engine: PostgreSQL connections give up after a few seconds (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from models.session import make_engine


class _Stop(Exception):
    pass


def connect_params(url: str, **kwargs: Any) -> dict[str, Any]:
    """The keyword arguments psycopg.connect would receive; nothing is dialled."""
    engine = make_engine(url, **kwargs)
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(_dialect: Any, _rec: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        seen.update(cparams)
        raise _Stop

    with pytest.raises(_Stop):
        engine.connect()
    engine.dispose()
    return seen


def test_postgresql_has_a_connect_timeout() -> None:
    assert connect_params("postgresql+psycopg://u@db.invalid/x")["connect_timeout"] == 5


def test_the_url_and_the_caller_can_set_their_own() -> None:
    url = "postgresql+psycopg://u@db.invalid/x?connect_timeout=30"
    assert connect_params(url)["connect_timeout"] == "30"
    params = connect_params(
        "postgresql+psycopg://u@db.invalid/x",
        connect_args={"connect_timeout": 1, "application_name": "t"},
    )
    assert params["connect_timeout"] == 1 and params["application_name"] == "t"


def test_database_errors_do_not_carry_personal_data(engine: Any) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    with pytest.raises(SQLAlchemyError) as err, engine.connect() as conn:
        conn.execute(
            text("INSERT INTO no_such_table (name, id_number) VALUES (:n, :i)"),
            {"n": "张三", "i": "142329198503121233"},
        )
    assert "张三" not in str(err.value) and "142329198503121233" not in str(err.value)


def test_sqlite_writers_of_one_process_queue_instead_of_failing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # No busy timeout at all: two overlapping transactions would fail with "database is
    # locked" at once, unless the process queues its writers itself.
    import threading
    import time

    from sqlalchemy import text

    engine = make_engine(
        f"sqlite:///{tmp_path / 'w.db'}",
        connect_args={"check_same_thread": False, "timeout": 0},
    )
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                time.sleep(0.05)  # hold the transaction while the others arrive
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 6
    engine.dispose()
