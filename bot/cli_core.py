"""Core commands: serve, chat, db upgrade."""

from __future__ import annotations

import sys
import time
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from bot.settings import Settings, get_settings

console = Console()
db_app = typer.Typer(help="数据库迁移 / database migrations", no_args_is_help=True)


def _settings() -> Settings:
    try:
        settings = get_settings()
    except Exception as exc:  # ConfigError: each line names the variable at fault
        console.print(f"[red]配置错误 / configuration error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    from models.project import configure_floors

    configure_floors(special=settings.special_min_share)
    return settings


def _upgrade(url: str, revision: str = "head") -> None:
    """Migrate, or say which database could not be reached and exit 1 (no traceback)."""
    from models.migrate import DatabaseUnavailable, upgrade

    try:
        upgrade(url, revision)
    except DatabaseUnavailable as exc:
        console.print(f"[red]数据库不可用 / database unavailable:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def serve(
    host: Annotated[str, typer.Option(help="监听地址 / bind address")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
    workers: Annotated[int, typer.Option(help="进程数 / worker processes")] = 1,
    log_format: Annotated[str, typer.Option(help="日志格式 json|text / log format")] = "json",
) -> None:
    """启动机器人（回调服务 + 定时提醒）/ run the bot (callback server + scheduler)."""
    import os
    import tempfile

    import uvicorn

    from bot.observability import uvicorn_log_config

    os.environ["YIGONG_LOG_FORMAT"] = log_format  # read again by each worker process
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Workers share /metrics through files; set before any worker imports prometheus_client.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="yigong-metrics-")
    settings = _settings()
    _upgrade(settings.database_url)
    if settings.sandbox:
        console.print(
            "[yellow]沙箱模式 / sandbox mode[/yellow]：未配置企业微信凭据，消息只记录不发送。"
        )
        console.print(
            f"  回调 URL : http://{host if host != '0.0.0.0' else '127.0.0.1'}:{port}/wecom/callback"
        )
        console.print(f"  Token    : {settings.token}")
        console.print(f"  AESKey   : {settings.aes_key}")
        console.print(f"  CorpID   : {settings.corp_id}")
        console.print("  试试：yigong chat --user demo-admin")
    uvicorn.run(
        "bot.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=10,  # SIGTERM: stop accepting, finish in-flight callbacks
        log_level="info",
        log_config=uvicorn_log_config(log_format),
        access_log=False,  # the middleware logs requests, without query strings
    )


def chat(
    user: Annotated[str | None, typer.Option("--user", help="企业微信 userid")] = None,
    kf: Annotated[
        str | None,
        typer.Option(
            "--kf", help="以微信客服客户的身份 / as a 微信客服 customer (external_userid)"
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="经由运行中的服务（加密回调）/ via a running server")
    ] = None,
) -> None:
    """在终端里和机器人对话 / talk to the bot from a terminal.

    回车发送；行尾加 \\ 续行输入多行消息。从管道读入时，空行分隔消息。
    """
    if (user is None) == (kf is None):
        console.print("[red]请二选一：--user USERID 或 --kf EXTERNAL_USERID[/red]")
        raise typer.Exit(2)
    if kf is not None and (url or not kf.strip() or len(kf) > 60 or ":" in kf):
        console.print(
            "[red]--kf 需要一个 external_userid（不含冒号，最长60字符），且不能与 --url 同用[/red]"
        )
        raise typer.Exit(2)
    settings = _settings()
    from bot.chat import ChatSession

    session = ChatSession(settings, user or "", url=url, kf=kf)
    user = session.user
    interactive = sys.stdin.isatty()
    if interactive:
        console.print(f"以 {user} 的身份对话。发送“帮助”查看命令，Ctrl-D 退出。")
    for message in _messages(interactive):
        for line in session.send(message):
            # soft_wrap: lines as WeCom shows them (piped output is not cut at 80 columns)
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if interactive:
            console.print()


def _messages(interactive: bool):  # type: ignore[no-untyped-def]
    buf: list[str] = []
    prompt = "> " if interactive else ""
    while True:
        try:
            line = input(prompt) if interactive else sys.stdin.readline()
        except EOFError:
            line = None
        if line is None or (not interactive and line == ""):
            if buf:
                yield "\n".join(buf)
            return
        line = line.rstrip("\n")
        if interactive:
            if line.endswith("\\"):
                buf.append(line[:-1])
                prompt = ". "
                continue
            buf.append(line)
            prompt = "> "
        elif line.strip():
            buf.append(line)
            continue
        if any(x.strip() for x in buf):
            yield "\n".join(buf)
        buf = []


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """应用数据库迁移 / apply migrations."""
    settings = _settings()
    t0 = time.perf_counter()
    _upgrade(settings.database_url, revision)
    console.print(f"数据库已升级到 {revision}（{time.perf_counter() - t0:.1f} 秒）")


@db_app.command("revision", hidden=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration (developers)."""
    from models.migrate import revision

    revision(_settings().database_url, message)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(chat)
    app.add_typer(db_app, name="db")


def new_msg_id() -> str:
    return str(uuid.uuid4().int >> 64)
