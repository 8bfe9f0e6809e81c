"""SQLite's write-ahead log goes into the database in the background, never inside a commit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from models.session import WalCheckpointer, make_engine


def test_commits_leave_the_log_to_the_background_checkpoint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
    for i in range(600):  # ~2,400 pages: past SQLite's own 1,000-page trigger twice
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": f"{i:04d}" * 1000})
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0

    checkpointer = WalCheckpointer(url)
    frames, copied = checkpointer.run() or (0, -1)
    assert frames > 1500  # no commit copied the log back (it would have started over at 1,000)
    assert copied == frames  # all of it now, with the pool's connections still open
    with engine.connect() as conn:  # and the rows are all there
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 600
    checkpointer.close()
    engine.dispose()


def test_nothing_to_checkpoint_on_postgresql_or_in_memory() -> None:
    assert WalCheckpointer("postgresql+psycopg://postgres@127.0.0.1/test").run() is None
    assert WalCheckpointer("sqlite:///:memory:").run() is None


def test_without_waiting_another_process_writing_is_said_at_once(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    from models.session import BUSY_TIMEOUT, WriterBusy, without_waiting

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)  # another process
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(WriterBusy), without_waiting(), engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES ('never')"))
    other.execute("COMMIT")
    with engine.begin() as conn:  # the connection waits again as usual, and works
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT * 1000
        conn.execute(text("INSERT INTO t VALUES ('later')"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == ["later"]
    other.close()
    engine.dispose()
