"""`yigong kf link --project CODE`: the project's 微信客服 link and a printable QR code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from bot.cli_core import _settings, console

kf_app = typer.Typer(help="微信客服 / WeChat customer service", no_args_is_help=True)


@kf_app.command("link")
def link(
    project: Annotated[str, typer.Option("--project", help="项目编号 / project code")],
    out: Annotated[
        Path | None, typer.Option(help="二维码 PNG 文件 / QR code file (default kf-CODE.png)")
    ] = None,
) -> None:
    """生成项目的微信客服链接和二维码（贴在工地）/ the project's 客服 link and QR code."""
    from sqlalchemy import select

    from bot.errors import UserError
    from bot.kf import invite_link
    from bot.wiring import build_services
    from handlers.kf_channel import qr_png
    from models import Project
    from models.session import transaction

    services = build_services(_settings())
    try:
        with transaction(services.session_factory) as session:
            found = session.scalar(select(Project).where(Project.code == project.strip().upper()))
            if found is None:
                console.print(f"[red]没有找到项目 {escape(project)}[/red]")
                raise typer.Exit(1)
            session.expunge(found)
        try:
            url = invite_link(services, found)
        except UserError as err:
            console.print(f"[red]{escape(err.message)}[/red]")
            raise typer.Exit(1) from err
        except Exception as exc:  # WeCom refused or unreachable: say why, no traceback
            console.print(f"[red]生成链接失败 / failed:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from exc
        target = out or Path(f"kf-{found.code}.png")
        target.write_bytes(qr_png(url))
        console.print(f"项目 {found.code} {found.name} 的微信客服链接：")
        console.print(url, markup=False, highlight=False, soft_wrap=True)
        console.print(f"二维码已保存：{target}")
    finally:
        services.close()


def register(app: typer.Typer) -> None:
    app.add_typer(kf_app, name="kf")
