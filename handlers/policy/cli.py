"""`yigong ask` and `yigong policy add|list|remove`: policy Q&A and its documents from a shell."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from handlers.policy.answer import answer_text, as_json
from handlers.policy.kb import (
    KnowledgeBase,
    builtin_document,
    builtin_kb,
    builtin_sha256,
    knowledge_base,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

err = Console(stderr=True)
policy_app = typer.Typer(help="政策文件（问答的知识库）/ policy documents", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.add_typer(policy_app, name="policy")


def ask(
    question: Annotated[str | None, typer.Argument(help="问题；不写则从标准输入每行读一个")] = None,
    as_json_lines: Annotated[
        bool, typer.Option("--json", help="每个问题输出一行 JSON / one JSON object per question")
    ] = False,
) -> None:
    """政策问答 / answer policy questions, e.g. yigong ask "农推项目劳务报酬比例有什么要求？"."""
    kb = _kb_for_ask()
    batch = question is None
    for q in _questions(question):
        result = kb.ask(q)
        if as_json_lines:
            typer.echo(json.dumps(as_json(kb, result), ensure_ascii=False))
        else:
            typer.echo(
                (f"问：{q}\n" if batch else "") + answer_text(kb, result) + ("\n" if batch else "")
            )
        sys.stdout.flush()


def _questions(question: str | None) -> Iterator[str]:
    if question is not None:
        yield question
        return
    if sys.stdin.isatty():
        err.print("每行输入一个问题，Ctrl-D 结束。")
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def _kb_for_ask() -> KnowledgeBase:
    """Stored documents when the database has them; else the built-in policy, no file created."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.settings import get_settings
    from models.session import make_engine, make_sessionmaker

    try:
        url = get_settings().database_url
    except Exception:  # a broken configuration must not stop offline questions
        return builtin_kb()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).exists():
            return builtin_kb()
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return knowledge_base(session)
    except SQLAlchemyError as exc:
        err.print(f"[yellow]数据库不可用，只用内置政策回答：{exc.__class__.__name__}[/yellow]")
        return builtin_kb()
    finally:
        engine.dispose()


def _factory() -> sessionmaker[Session]:
    from sqlalchemy import inspect

    from bot.cli_core import _settings
    from models.policy import PolicyDocument
    from models.session import make_engine, make_sessionmaker

    engine = make_engine(_settings().database_url)
    if not inspect(engine).has_table(PolicyDocument.__tablename__):
        err.print("[red]数据库还没有政策文件表：请先运行 yigong db upgrade[/red]")
        raise typer.Exit(1)
    return make_sessionmaker(engine)


@policy_app.command("add")
def add(
    file: Annotated[
        Path, typer.Argument(help=".txt 或 .docx，条款以（一）（二）…编号", exists=True)
    ],
    name: Annotated[str, typer.Option(help="文件名称（默认取文件标题）")] = "",
    replace: Annotated[
        bool, typer.Option(help="替换同名文件 / replace a document of that name")
    ] = False,
) -> None:
    """添加政策文件 / add a policy document (plain text or .docx)."""
    from sqlalchemy import select

    from handlers.policy.loader import PolicyFormatError, parse_text, read_text
    from models import AuditLog, PolicyDocument
    from models.session import transaction

    try:
        content = read_text(file)
        doc = parse_text(content, name=name.strip(), source=file.name)
    except PolicyFormatError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
    builtin = builtin_document()
    if doc.name == builtin.name or sha == builtin_sha256():
        err.print(f"[red]《{builtin.title}》已内置，不必添加。[/red]")
        raise typer.Exit(1)
    with transaction(_factory()) as session:
        old = session.scalar(select(PolicyDocument).where(PolicyDocument.name == doc.name))
        if old is not None and not replace:
            err.print(
                f"[red]已有名为“{doc.name}”的文件；加 --replace 替换，或用 --name 另起名称。[/red]"
            )
            raise typer.Exit(1)
        if old is not None:
            session.delete(old)
            session.flush()
        same = session.scalar(select(PolicyDocument.name).where(PolicyDocument.sha256 == sha))
        if same is not None:
            err.print(f"[red]同样内容已添加为“{same}”。[/red]")
            raise typer.Exit(1)
        session.add(
            PolicyDocument(
                name=doc.name,
                title=doc.title,
                source=file.name,
                content=content,
                sha256=sha,
                clause_count=len(doc.clauses),
                added_by="cli",
            )
        )
        action = "policy.replace" if old is not None else "policy.add"
        session.add(AuditLog(actor="cli", channel="cli", action=action, subject=doc.name[:200]))
    sections = list(dict.fromkeys(c.section for c in doc.clauses if c.section))
    typer.echo(f"已添加《{doc.title}》（名称：{doc.name}）：{len(doc.clauses)} 条")
    if sections:
        typer.echo("章节：" + "；".join(sections))
    typer.echo(f'试试：yigong ask "{doc.clauses[0].title or doc.title}"')


@policy_app.command("list")
def list_documents() -> None:
    """列出政策文件 / list the policy documents answers come from."""
    from sqlalchemy import select

    from models import PolicyDocument

    builtin = builtin_document()
    typer.echo(f"内置  《{builtin.title}》  {len(builtin.clauses)} 条")
    with _factory()() as session:
        rows = session.scalars(select(PolicyDocument).order_by(PolicyDocument.id)).all()
    for row in rows:
        when = row.added_at.astimezone().strftime("%Y-%m-%d")
        typer.echo(f"{row.id:>4}  《{row.title}》  {row.clause_count} 条  名称：{row.name}  {when}")
    if not rows:
        typer.echo("（还没有添加其他文件：yigong policy add 文件.docx）")


@policy_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="文件名称（见 yigong policy list）")]) -> None:
    """删除添加过的政策文件 / remove an added policy document."""
    from sqlalchemy import select

    from models import AuditLog, PolicyDocument
    from models.session import transaction

    with transaction(_factory()) as session:
        row = session.scalar(select(PolicyDocument).where(PolicyDocument.name == name))
        if row is None:
            err.print(f"[red]没有名为“{name}”的文件。yigong policy list 查看全部。[/red]")
            raise typer.Exit(1)
        session.delete(row)
        session.add(
            AuditLog(actor="cli", channel="cli", action="policy.remove", subject=name[:200])
        )
    typer.echo(f"已删除“{name}”。")
