"""`yigong import`, `yigong export` and `yigong demo`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

console = Console()


def _open(user: str | None):  # type: ignore[no-untyped-def]
    from bot.cli_core import _settings
    from domain.access import resolve_principal
    from models.session import make_engine, make_sessionmaker

    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.database_url))
    session = factory()
    actor = resolve_principal(session, user) if user else None
    session.rollback()  # end the lookup's read so that the command can begin its own transaction
    return settings, session, actor


def import_cmd(
    kind: Annotated[
        str,
        typer.Argument(
            help="projects, contacts, workers, work, wages, training, attendance（考勤表）, bank-result（代发回单）"
        ),
    ],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".xlsx 或 .csv")],
    user: Annotated[
        str | None, typer.Option("--user", help="以该 userid 的权限导入（默认：操作员，不限范围）")
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="考勤表/代发回单：项目编号（表中没写时）")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="考勤表/代发回单：月份，如 2026-11（表中没写时）")
    ] = None,
    wage: Annotated[
        str | None, typer.Option("--wage", help="考勤表：日薪（元，表中没写时）")
    ] = None,
) -> None:
    """导入台账文件（全部成功才写入）/ import a file, all or nothing."""
    from bot.errors import UserError
    from handlers.tabular.columns import IMPORT_KINDS, kind_of
    from handlers.tabular.importer import import_bytes

    k = kind_of(kind)
    if k is None or k not in IMPORT_KINDS:
        console.print(f"[red]没有“{kind}”这种导入[/red]，可选：{', '.join(IMPORT_KINDS)}")
        raise typer.Exit(2)
    settings, session, actor = _open(user)
    today = datetime.now(settings.tz).date()
    try:
        with session.begin(), Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"导入 {file.name}", total=None)
            report = import_bytes(
                session,
                settings,
                k,
                file.name,
                file.read_bytes(),
                actor=actor,
                channel="cli",
                today=today,
                progress=lambda n: bar.advance(task, n),
                options={
                    k: v for k, v in (("项目", project), ("期间", period), ("日薪", wage)) if v
                },
            )
    except UserError as err:
        console.print(f"[red]{err.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        session.close()
    console.print(report.text(file.name), markup=False, highlight=False)
    if not report.ok:
        raise typer.Exit(1)


def export_cmd(
    kind: Annotated[str, typer.Argument(help="projects, contacts, workers, work, wages, training")],
    file: Annotated[Path, typer.Argument(dir_okay=False, help=".xlsx 或 .csv")],
    project: Annotated[str | None, typer.Option("--project", help="只导出该项目")] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="以该 userid 的权限导出（非管理员身份证号脱敏）")
    ] = None,
) -> None:
    """导出台账（记入审计日志）/ export a ledger (audited)."""
    from bot.errors import UserError
    from handlers.tabular.columns import kind_of
    from handlers.tabular.exporter import export_kind

    settings, session, actor = _open(user)
    try:
        with session.begin():
            n = export_kind(
                session, settings, kind_of(kind) or kind, file, actor=actor, project_code=project
            )
    except UserError as err:
        console.print(f"[red]{err.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        session.close()
    console.print(f"已导出 {n} 行到 {file}（已记入审计日志）")


def demo_cmd() -> None:
    """载入演示县（两个项目、一个月台账），可重复运行 / load a demo county (idempotent)."""
    from handlers.demo import load_demo

    settings, session, _ = _open(None)
    with session.begin():
        summary = load_demo(session, settings)
    session.close()
    console.print(summary, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
    app.command("demo")(demo_cmd)
