"""Alembic, driven from code: `yigong db upgrade` and the tests use these."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

MIGRATIONS = Path(__file__).parent / "migrations"

# Session-level advisory lock held around migrations on PostgreSQL, so that replicas
# starting together migrate one after the other ("yigong" as a number).
MIGRATION_LOCK_KEY = int.from_bytes(b"yigong", "big")


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or opened; the message says what to check."""

    def __init__(self, url: str, exc: OperationalError) -> None:
        parts = make_url(url)
        reason = str(exc.orig or exc).strip().splitlines()[0]
        if parts.get_backend_name() == "sqlite":
            message = (
                f"无法打开 SQLite 数据库 {parts.database}：{reason}\n"
                "请检查：所在目录是否存在，运行用户是否有读写权限。"
            )
        else:
            where = f"{parts.host or 'localhost'}:{parts.port or '默认端口'}"
            message = (
                f"无法连接数据库 {where}（库 {parts.database}，用户 {parts.username}）：{reason}\n"
                "请检查：数据库是否已启动；DATABASE_URL 的主机、端口、用户名、密码、库名是否正确；"
                "防火墙或安全组是否放行该端口。"
            )
        super().__init__(message)


def _connect(engine: Engine, url: str) -> Connection:
    try:
        return engine.connect()
    except OperationalError as exc:
        raise DatabaseUnavailable(url, exc) from exc


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to `revision`; DatabaseUnavailable when the database cannot be reached."""
    from models.session import make_engine

    cfg = alembic_config(url)
    if not url.startswith("postgresql"):
        engine = make_engine(url)
        try:
            _connect(engine, url).close()  # the reachability check only
        finally:
            engine.dispose()
        command.upgrade(cfg, revision)
        return
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with _connect(engine, url) as conn:
            # Waits while another process migrates; then Alembic finds the schema current.
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()  # the lock outlives the transaction; Alembic begins its own
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
    finally:
        engine.dispose()  # closing the connection releases the lock on any error too


def revision(url: str, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
