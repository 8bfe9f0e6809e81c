"""The hot path's statements on the driver: same rows, same types, same errors as SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from models import AuditLog, InboundMessage
from models.direct import DirectStatement, one_of

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


# -- a list as one parameter, typed rows, many parameter sets ---------------------------------

AUDIT = DirectStatement(
    insert(AuditLog.__table__)  # type: ignore[arg-type]
    .values(
        at=bindparam("at"), actor=bindparam("actor"), channel="chat", action=bindparam("action")
    )
    .returning(AuditLog.id)
)
BY_ACTORS = DirectStatement(
    select(AuditLog.actor, func.count(), func.max(AuditLog.at))
    .where(one_of(AuditLog.actor, "actors"), one_of(AuditLog.id, "ids"))
    .group_by(AuditLog.actor)
    .order_by(AuditLog.actor),
    typed=True,
)


def _audits(engine: Engine, actors: list[str]) -> list[int]:
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    with engine.begin() as conn:
        rows = AUDIT.execute_many(
            conn, [{"at": when, "actor": a, "action": f"a{i}"} for i, a in enumerate(actors)]
        )
    return [r[0] for r in rows]


def test_execute_many_returns_each_rows_ids_in_the_order_given(engine: Engine) -> None:
    actors = [f"u{n}" for n in (5, 1, 4, 2, 3)]
    ids = _audits(engine, actors)
    assert len(set(ids)) == 5
    with engine.connect() as conn:
        stored = dict(conn.execute(select(AuditLog.id, AuditLog.actor)).all())
    assert [stored[i] for i in ids] == actors  # the n-th id is the n-th row's


def test_one_of_matches_the_list_whatever_its_length(engine: Engine) -> None:
    ids = _audits(engine, ["甲", "乙", "乙", "丙"])
    with engine.connect() as conn:
        both = BY_ACTORS.execute(conn, {"actors": ["乙", "甲", "丁"], "ids": ids})
        one = BY_ACTORS.execute(conn, {"actors": ["丙"], "ids": ids[3:]})
        none = BY_ACTORS.execute(conn, {"actors": [], "ids": ids})
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    # typed: the aware time comes back as the column type gives it, as SQLAlchemy would
    assert both == [("乙", 2, when), ("甲", 1, when)]
    assert one == [("丙", 1, when)]
    assert none == []


def test_a_ledger_batch_reads_its_dates_and_days_back_typed(engine: Engine) -> None:
    """The ledger checks run on the driver: dates and half days come back as date/Decimal."""
    from datetime import date
    from decimal import Decimal

    from domain.entries import WorkLine, split_work, write_work
    from models import Project, Region, Worker
    from models.session import make_sessionmaker

    day = date(2026, 11, 20)
    with make_sessionmaker(engine)() as session, session.begin():
        region = Region(province="山西省", city="忻州市", county="五台县")
        session.add(region)
        session.flush()
        project = Project(code="NT-D-1", name="测试", category="农推", list_level="县",
                          region_id=region.id, fiscal_funds_fen=1, start_date=date(2026, 1, 1))  # fmt: skip
        workers = [Worker(name=f"工{i}", id_hash=f"h{i}", id_cipher="x", id_masked="x")
                   for i in range(3)]  # fmt: skip
        session.add_all([project, *workers])
        session.flush()
        lines = [WorkLine(f"第{i}行", project, w.id, day, Decimal("0.5"), 15000)
                 for i, w in enumerate(workers)]  # fmt: skip
        ids = write_work(session, lines, "liaison", "chat")
        assert len(set(ids)) == 3
        again = [*lines[:2], WorkLine("第9行", project, workers[2].id, day, Decimal("1"), 15000)]
        new, same, problems = split_work(session, again)
    assert new == [] and same == lines[:2]
    # the third worker already has half a day on that date: a different entry is refused
    assert [where for where, _ in problems] == ["第9行"]
    assert "已记过工（0.5天）" in problems[0][1]
