"""Statements the hot path runs on every message, executed on the driver's cursor.

SQLAlchemy's execution layer (statement cache lookup, execution context, events, result
wrapping) costs ~50 µs a statement; the statement itself, on SQLite, ~4 µs. Each message
runs two fixed statements (who is the sender, the idempotency key), and every worker query
the rate-limit upsert (models/security.py), so those are compiled once per dialect with
SQLAlchemy and then handed to the DBAPI cursor directly.
Everything else goes through SQLAlchemy as usual.

Errors come back as SQLAlchemy's own exceptions (`IntegrityError`, `OperationalError` …),
so callers handle them as they would from `Connection.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class DirectStatement:
    """A Core statement compiled once per dialect, run on the DBAPI connection."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run with these parameters inside `conn`'s transaction; the rows, if any, as the
        driver returns them (no result types: keep to plain columns)."""
        compiled = self._for(conn.dialect)
        args = compiled.arguments(params)
        dbapi_conn = conn.connection.driver_connection
        assert dbapi_conn is not None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(compiled.sql, args)
            return list(cursor.fetchall()) if cursor.description else []
        except conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                compiled.sql,
                None,  # parameters are names and IDs: never in an error (SPEC §8)
                exc,
                conn.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                dialect=conn.dialect,
            ) from exc
        finally:
            cursor.close()


class _Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        # literal values written into the statement (e.g. `literal(1)`), by bind name
        self.defaults: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        self.order: list[str] | None = list(compiled.positiontup or []) or None
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {**self.defaults, **params}
        for name, processor in self.processors.items():
            values[name] = processor(values[name])
        if self.order is not None:
            return tuple(values[name] for name in self.order)
        return values


def connection_of(session: Session) -> Connection:
    """The connection a session works on: the one it is bound to (the dispatcher binds each
    message's session to its transaction's connection), else its own transaction's."""
    bind = session.get_bind()
    return bind if isinstance(bind, Connection) else session.connection()
