"""Statements the hot path runs on every message, executed on the driver's cursor.

SQLAlchemy's execution layer (statement cache lookup, execution context, events, result
wrapping) costs ~50 µs a statement; the statement itself, on SQLite, ~4 µs. Each message
runs two fixed statements (who is the sender, the idempotency key), and every worker query
the rate-limit upsert (models/security.py), so those are compiled once per dialect with
SQLAlchemy and then handed to the DBAPI cursor directly.
A few read-then-write checks that every ledger write runs (the worker row locks, the ledger's
net days per date and per month) take a list of ids; `one_of(column, name)` binds the list as
one parameter (PostgreSQL: `= ANY(array)`, SQLite: `IN (SELECT value FROM json_each(…))`), so
the statement's text is the same for any length and PostgreSQL prepares it once. `typed=True`
converts the rows' values by their columns' types (dates, decimals), as SQLAlchemy would.
Everything else goes through SQLAlchemy as usual.

Errors come back as SQLAlchemy's own exceptions (`IntegrityError`, `OperationalError` …),
so callers handle them as they would from `Connection.execute`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Connection, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ClauseElement, ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault
from sqlalchemy.types import NullType, TypeDecorator, TypeEngine


class DirectStatement:
    """A Core statement compiled once per dialect, run on the DBAPI connection."""

    def __init__(self, statement: ClauseElement, *, typed: bool = False) -> None:
        self.statement = statement
        self.typed = typed
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = _Compiled(self.statement, dialect, self.typed)
            self._compiled[dialect.name] = compiled
        return compiled

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run with these parameters inside `conn`'s transaction; the rows, if any, as the
        driver returns them, or converted by their columns' types when `typed`."""
        compiled = self._for(conn.dialect)
        args = compiled.arguments(params)
        with self._cursor(conn, compiled) as cursor:
            cursor.execute(compiled.sql, args)
            if not compiled.returns_rows:
                return []
            return compiled.convert(cursor.fetchall(), cursor)

    def execute_many(
        self, conn: Connection, params: Sequence[Mapping[str, Any]]
    ) -> list[tuple[Any, ...]]:
        """Run once per parameter set, in order; the rows each returned (e.g. `RETURNING id`),
        in the same order. On psycopg one pipelined round trip, on SQLite a loop in-process."""
        compiled = self._for(conn.dialect)
        args = [compiled.arguments(p) for p in params]
        rows: list[tuple[Any, ...]] = []
        if not args:
            return rows
        with self._cursor(conn, compiled) as cursor:
            if conn.dialect.driver == "psycopg":
                cursor.executemany(compiled.sql, args, returning=compiled.returns_rows)
                while compiled.returns_rows:
                    rows.extend(cursor.fetchall())
                    if not cursor.nextset():
                        break
            else:
                for one in args:
                    cursor.execute(compiled.sql, one)
                    if compiled.returns_rows:
                        rows.extend(cursor.fetchall())
            return compiled.convert(rows, cursor)

    @staticmethod
    @contextmanager
    def _cursor(conn: Connection, compiled: _Compiled) -> Iterator[Any]:
        """The driver's cursor inside `conn`'s transaction; its errors as SQLAlchemy's."""
        dbapi_conn = conn.connection.driver_connection
        assert dbapi_conn is not None
        cursor = dbapi_conn.cursor()
        try:
            yield cursor
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
    def __init__(self, statement: ClauseElement, dialect: Dialect, typed: bool) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self.returns_rows = bool(compiled._result_columns)  # a SELECT, or RETURNING
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
        # the Python-side defaults of an INSERT's columns left out of `values()`, which
        # SQLAlchemy computes per execution (e.g. `created_at`); the parameters may override
        self.fill: dict[str, Any] = {}
        self.make: dict[str, Callable[[Any], Any]] = {}
        for column in getattr(compiled, "insert_prefetch", ()):
            default = column.default
            if isinstance(default, ScalarElementColumnDefault):
                self.fill[column.key] = default.arg
            elif isinstance(default, CallableColumnDefault):
                self.make[column.key] = default.arg
        self.dialect = dialect
        self.types = [c.type for c in getattr(statement, "selected_columns", ())] if typed else []
        self._results: list[Callable[[Any], Any] | None] | None = None

    def results(self, cursor: Any) -> list[Callable[[Any], Any] | None]:
        """The columns' result converters (as SQLAlchemy's), built from the first result's
        description: some depend on the type the driver reports. (psycopg builds the
        description afresh each time it is read: it is read once.)"""
        if self._results is None:
            self._results = [
                t.dialect_impl(self.dialect).result_processor(self.dialect, d[1])
                for t, d in zip(self.types, cursor.description, strict=False)
            ]
            if not any(self._results):
                self._results = []
        return self._results

    def convert(self, rows: list[Any], cursor: Any) -> list[tuple[Any, ...]]:
        """`rows` with each value converted by its column's type (when typed)."""
        results = self.results(cursor) if rows and self.types else None
        if not results:
            return list(rows)
        return [
            tuple(v if f is None or v is None else f(v) for f, v in zip(results, row, strict=True))
            for row in rows
        ]

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {**self.defaults, **self.fill, **params}
        for name, make in self.make.items():
            if name not in params:
                values[name] = make(None)  # SQLAlchemy's wrapper of a default takes a context
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


# -- a list bound as one parameter ------------------------------------------------------------


class _ListParam(TypeDecorator[list[Any]]):
    """A list of values as one bound parameter: an array on PostgreSQL, JSON text on SQLite."""

    impl = NullType  # no cast of its own: `one_of` writes the one the column needs
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        items = list(value)
        if dialect.name == "sqlite":  # read back by json_each(); dates as SQLite stores them
            return json.dumps([v.isoformat() if isinstance(v, date) else v for v in items])
        return items


class one_of(ColumnElement[bool]):  # noqa: N801 - reads like the SQL it stands for
    """`column IN (the list bound as `name`)`, with one statement text for any list length."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column: ColumnElement[Any] | QueryableAttribute[Any], name: str) -> None:
        self.column = column.expression if isinstance(column, QueryableAttribute) else column
        self.param = bindparam(name, type_=_ListParam())

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(one_of, "postgresql")
def _one_of_postgresql(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    item: TypeEngine[Any] = element.column.type
    cast = compiler.dialect.type_compiler_instance.process(item)
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(CAST({compiler.process(element.param, **kw)} AS {cast}[]))"


@compiles(one_of, "sqlite")
def _one_of_sqlite(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.param, **kw)}))"


def flushed_connection(session: Session) -> Connection:
    """`connection_of(session)` once the session's pending writes are flushed: a direct
    statement then sees them, as a query through the session would (autoflush)."""
    session.flush()
    return connection_of(session)
