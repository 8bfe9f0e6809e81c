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
