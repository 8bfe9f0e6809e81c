"""The hot path's statements on the driver: same rows, same types, same errors as SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, insert, literal, select
from sqlalchemy.exc import IntegrityError

from models import InboundMessage
from models.direct import DirectStatement

INSERT = DirectStatement(insert(InboundMessage.__table__))  # type: ignore[arg-type]
BY_USER = DirectStatement(
    select(InboundMessage.key, literal(7).label("seven")).where(
        InboundMessage.user_id == bindparam("user")
    )
)


def _row(key: str, when: datetime) -> dict[str, object]:
    return {
        "key": key,
        "user_id": "u1",
        "received_at": when,
        "reply_text": "好",
        "response_body": "",
    }


def test_a_row_written_on_the_driver_reads_back_through_the_orm(engine: Engine) -> None:
    when = datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        assert INSERT.execute(conn, _row("m-1", when)) == []
    with engine.connect() as conn:
        stored = conn.execute(select(InboundMessage.received_at, InboundMessage.reply_text)).one()
    # the column's own type converted the aware time, as an ORM insert would have
    assert stored == (when, "好")


def test_literals_and_placeholders_are_filled_in(engine: Engine) -> None:
    with engine.begin() as conn:
        INSERT.execute(conn, _row("m-2", datetime(2026, 1, 2, tzinfo=UTC)))
        rows = BY_USER.execute(conn, {"user": "u1"})
        assert BY_USER.execute(conn, {"user": "u2"}) == []
    assert [tuple(row) for row in rows] == [("m-2", 7)]


def test_a_duplicate_key_is_sqlalchemys_integrity_error_without_parameters(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        INSERT.execute(conn, _row("m-3", datetime(2026, 1, 2, tzinfo=UTC)))
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        INSERT.execute(conn, _row("m-3", datetime(2026, 1, 3, tzinfo=UTC)))
    assert "u1" not in str(caught.value)  # names and IDs never reach an error message
    with engine.connect() as conn:  # the failed transaction kept nothing
        assert conn.execute(select(InboundMessage.received_at)).scalar_one() == datetime(
            2026, 1, 2, tzinfo=UTC
        )
