"""`yigong calendar import FILE` and `yigong calendar status`: the holiday data reminders use."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
app = typer.Typer(help="节假日安排 / China's holiday calendar", no_args_is_help=True)

COVERAGE_DAYS = 60  # doctor and the admins' notice look this far ahead


@app.command("import")
def import_cmd(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="通知正文 .txt，或 .csv/.xlsx")
    ],
    year: Annotated[int | None, typer.Option("--year", help="通知正文没有写年份时指定")] = None,
    user: Annotated[str, typer.Option("--user", help="记录在审计日志中的操作人")] = "cli",
) -> None:
    """导入国务院节假日安排（放假日与调休上班日），覆盖该年已导入的数据。"""
    from bot.cli_core import _settings
    from handlers.calendar_notice import NoticeError, read_notice
    from models import AuditLog
    from models.calendar_store import replace_years, sync
    from models.session import make_engine, make_sessionmaker

    try:
        notice = read_notice(file, year)
    except NoticeError as err:
        console.print(f"[red]没有导入，文件有问题：[/red]\n{err}")
        raise typer.Exit(1) from None
    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.database_url))
    now = datetime.now(settings.tz)
    with factory() as session, session.begin():
        years = replace_years(session, notice.days, actor=user, now=now)
        rest = sum(not w for w, _ in notice.days.values())
        session.add(
            AuditLog(
                actor=user,
                channel="cli",
                action="calendar.import",
                subject=",".join(map(str, years)),
                detail={"file": file.name, "holidays": rest, "workdays": len(notice.days) - rest},
            )
        )
    with factory() as session:
        sync(session, force=True)
    console.print(
        f"已导入 {'、'.join(f'{y}年' for y in years)}节假日安排：放假 {rest} 天，"
        f"调休上班 {len(notice.days) - rest} 天。所有副本在一分钟内生效。"
    )
    for d, (workday, name) in sorted(notice.days.items()):
        if workday:
            console.print(f"  {d:%Y-%m-%d} 上班（{name}）")


@app.command("status")
def status() -> None:
    """显示今后 60 天用的是官方数据、导入的通知还是推算。"""
    ok, lines = coverage_report()
    for line in lines:
        console.print(line)
    raise typer.Exit(0 if ok else 1)


def coverage_report(today: date | None = None) -> tuple[bool, list[str]]:
    from bot.cli_core import _settings
    from models.calendar import SOURCE_LABELS, source_of, uncovered_days
    from models.calendar_store import sync
    from models.session import make_engine, make_sessionmaker

    settings = _settings()
    today = today or datetime.now(settings.tz).date()
    factory = make_sessionmaker(make_engine(settings.database_url))
    with factory() as session:
        sync(session, force=True)
    years = sorted({today.year, (today + timedelta(days=COVERAGE_DAYS)).year})
    lines = [f"{y}年：{SOURCE_LABELS[source_of(date(y, 1, 1))]}" for y in years]
    gap = uncovered_days(today, COVERAGE_DAYS)
    if gap:
        lines.append(
            f"{gap[0]:%Y-%m-%d} 起的日期只有推算，请尽快导入国务院通知：yigong calendar import 通知.txt"
        )
    return not gap, lines


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="calendar")
