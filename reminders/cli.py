"""`yigong reminders run|preview --at ISO`: replay any moment's reminders from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.settings import Settings

console = Console()
app = typer.Typer(help="催办提醒 / reminders (SPEC §6)", no_args_is_help=True)

AtOption = Annotated[
    str | None,
    typer.Option("--at", help="时刻（ISO，默认现在，北京时间）/ moment, e.g. 2026-12-16T09:00"),
]


def _moment(at: str | None, tz: tzinfo) -> datetime:
    if not at:
        return datetime.now(tz)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError as exc:
        console.print(f"[red]时刻格式不对：{at}。示例：2026-12-16T09:00[/red]")
        raise typer.Exit(2) from exc
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def _factory() -> tuple[Settings, sessionmaker[Session]]:
    from bot.cli_core import _settings
    from models.session import make_engine, make_sessionmaker

    settings = _settings()
    return settings, make_sessionmaker(make_engine(settings.database_url))


@app.command("run")
def run(
    at: AtOption = None,
    send: Annotated[bool, typer.Option(help="排队后立即发送 / drain the outbox afterwards")] = True,
) -> None:
    """按该时刻运行全部提醒规则并发送 / run every rule as of the moment and send what is owed."""
    from sqlalchemy.exc import OperationalError

    from bot.outbox import drain
    from bot.sender import build_sender
    from reminders.catalog import RENDERERS
    from reminders.schedule import run_once

    settings, factory = _factory()
    now = _moment(at, settings.tz)
    busy = "另一个进程（或副本）正在运行提醒，本次没有运行，也没有发送；请等它结束后再运行。"
    try:
        outcome = run_once(factory, now, force=True)
    except OperationalError as exc:  # SQLite: the other run kept the write lock past the timeout
        if "locked" not in str(exc).lower():
            raise
        console.print(f"[yellow]{busy}[/yellow]")
        raise typer.Exit(3) from None
    if not outcome.ran or outcome.result is None:  # PostgreSQL: the reminder lock is taken
        console.print(f"[yellow]{busy}[/yellow]")
        raise typer.Exit(3)
    result = outcome.result
    console.print(
        f"{now:%Y-%m-%d %H:%M} 新排队 {len(result.queued)} 条（应发 {len(result.owed)} 条，其余此前已排队）"
    )
    for rule_name, n in sorted(result.by_rule().items()):
        console.print(f"  {rule_name}: {n}")
    if result.skipped_rules:
        console.print(f"  休息日，未运行：{', '.join(result.skipped_rules)}")
    if send:
        sender = build_sender(settings, factory, renderers=RENDERERS)
        stats = drain(
            factory, sender, now=max(now.astimezone(UTC), datetime.now(UTC)), limit=10_000
        )
        console.print(
            f"发送：已发 {stats.sent}，沙箱记录 {stats.recorded}，待重试 {stats.retried}，"
            f"失败 {stats.failed}，限流顺延 {stats.postponed}"
        )


@app.command("preview")
def preview(at: AtOption = None) -> None:
    """只显示该时刻会发送的提醒，不写入、不发送 / print what would be sent, send nothing."""
    from reminders.catalog import RULES
    from reminders.engine import run_rules

    settings, factory = _factory()
    now = _moment(at, settings.tz)
    with factory() as session:
        session.begin()
        try:
            result = run_rules(session, now, RULES)
        finally:
            session.rollback()
    console.print(
        f"{now:%Y-%m-%d %H:%M}：将发送 {len(result.queued)} 条（应发 {len(result.owed)} 条，其余已发过）"
    )
    for o in result.queued:
        console.print(f"\n[bold]{o.rule}[/bold] → {o.recipient}  ({o.dedup_key}) [{o.msgtype}]")
        body = o.text or (o.payload or {}).get("filename", "")
        console.print(body, markup=False, highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="reminders")
