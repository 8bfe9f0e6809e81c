"""Operator commands: doctor, backup FILE, restore FILE.

SQLite is copied page by page with sqlite3's online backup API (safe while the bot runs);
PostgreSQL goes through pg_dump/pg_restore in the custom format (`-Fc`), which must be on PATH
and not older than the server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import URL, make_url

from bot.settings import Settings, get_settings

console = Console()
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:
        console.print(f"[red]配置错误 / configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("内存数据库无法备份 / in-memory database")
    return Path(database)


def libpq_url(url: str) -> str:
    """postgresql+psycopg://… → postgresql://… for pg_dump and pg_restore (no password)."""
    u = make_url(url)
    bare = URL.create("postgresql", u.username, None, u.host, u.port, u.database, u.query)
    return bare.render_as_string(hide_password=False)


def pg_env(url: str) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password in PGPASSWORD, never on the
    command line (where `ps` shows it to every user of the machine)."""
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _private_file(path: Path) -> None:
    """Create (or truncate) `path` readable by its owner only, before anything is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"找不到 {name}：安装 postgresql-client（与服务器同一大版本）")
    return path


def backup_database(url: str, target: Path) -> None:
    """Write a consistent copy of the database to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _private_file(target)  # a backup holds everything: mode 0600 from the first byte
    if url.startswith("sqlite"):
        source = sqlite3.connect(sqlite_path(url))
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        return
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
           "--file", str(target), "--dbname", libpq_url(url)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=3600, env=pg_env(url))
    os.chmod(target, 0o600)


def restore_database(url: str, source: Path) -> None:
    """Replace the database's contents with the backup in `source`."""
    with source.open("rb") as f:
        head = f.read(16)  # the magic only: a province's dump is gigabytes
    if url.startswith("sqlite"):
        if not head.startswith(SQLITE_MAGIC):
            raise ValueError("不是 SQLite 备份文件 / not an SQLite backup")
        src = sqlite3.connect(source)
        dest = sqlite3.connect(sqlite_path(url))
        try:
            src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    if not head.startswith(PGDUMP_MAGIC):
        raise ValueError("不是 pg_dump -Fc 备份文件 / not a pg_dump custom-format file")
    cmd = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
           "--single-transaction", "--exit-on-error", "--dbname", libpq_url(url), str(source)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=3600, env=pg_env(url))


def doctor(
    skip_wecom: Annotated[
        bool, typer.Option("--skip-wecom", help="不调用 gettoken / skip WeCom")
    ] = False,
) -> None:
    """检查配置、数据库、Redis 与企业微信连通性 / check the deployment and say what to fix."""
    from bot.doctor import FAIL, render, run_checks

    settings = _settings()
    checks = run_checks(settings, wecom=not skip_wecom)
    for line in render(checks):
        typer.echo(line)
    if any(c.status == FAIL for c in checks):
        raise typer.Exit(1)


def backup(file: Annotated[Path, typer.Argument(help="备份文件 / backup file")]) -> None:
    """备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump -Fc）/ back up the database."""
    settings = _settings()
    try:
        backup_database(settings.database_url, file)
    except subprocess.CalledProcessError as exc:
        console.print(f"[red]备份失败[/red]：{exc.stderr.decode(errors='replace').strip()}")
        raise typer.Exit(1) from exc
    except (OSError, ValueError, RuntimeError, sqlite3.Error) as exc:
        console.print(f"[red]备份失败[/red]：{exc}")
        raise typer.Exit(1) from exc
    console.print(f"已备份到 {file}（{file.stat().st_size / 1024:.0f} KiB）")


def restore(
    file: Annotated[
        Path, typer.Argument(help="备份文件 / backup file", exists=True, dir_okay=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", help="不再确认 / do not ask")] = False,
) -> None:
    """用备份替换数据库内容（先停止服务）/ replace the database with a backup (stop the bot first)."""
    settings = _settings()
    if not yes:
        typer.confirm(f"将用 {file} 覆盖当前数据库的全部数据，继续吗？", abort=True)
    try:
        restore_database(settings.database_url, file)
    except subprocess.CalledProcessError as exc:
        console.print(
            f"[red]恢复失败，数据库未改动[/red]：{exc.stderr.decode(errors='replace').strip()}"
        )
        raise typer.Exit(1) from exc
    except (OSError, ValueError, RuntimeError, sqlite3.Error) as exc:
        console.print(f"[red]恢复失败[/red]：{exc}")
        raise typer.Exit(1) from exc
    console.print("已恢复。若备份来自旧版本，请运行 yigong db upgrade。")


def register(app: typer.Typer) -> None:
    app.command()(doctor)
    app.command()(backup)
    app.command()(restore)
