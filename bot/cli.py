"""The `yigong` command line: serve, chat, db, and the commands each capability registers."""

from __future__ import annotations

import importlib
import sys

import typer

# Commands that read or write the database: the schema is brought up to date first, so that
# a newcomer can run `yigong demo` or `yigong chat` before ever starting the server.
NEEDS_SCHEMA = frozenset(
    {"chat", "demo", "import", "export", "reminders", "policy", "calendar", "kf"}
)

# Modules that add commands: each defines `register(app: typer.Typer) -> None`.
CLI_MODULES = [
    "bot.cli_core",
    "bot.ops_cli",
    "handlers.ledger_cli",
    "reminders.cli",
    "handlers.calendar_cli",
    "handlers.policy.cli",
    "handlers.kf_cli",
]


# A command that must start fast (scripts pipe questions into `yigong ask`) loads only its module.
FAST_COMMANDS = {"ask": "handlers.policy.cli"}


def build_cli(only: str | None = None) -> typer.Typer:
    """A fresh command tree with every module's commands (no import-time registration).

    `only` names a command of FAST_COMMANDS: then just its module is loaded.
    """
    app = typer.Typer(
        help="以工代赈助手 (yigong-bot): 企业微信机器人。WeCom bot for 以工代赈 projects.",
        no_args_is_help=True,
        add_completion=False,
    )

    @app.callback()
    def _prepare(ctx: typer.Context) -> None:
        if ctx.invoked_subcommand in NEEDS_SCHEMA and "--help" not in sys.argv:
            from bot.cli_core import _settings, _upgrade

            _upgrade(_settings().database_url)  # a clear message, not a traceback, when down

    modules = [FAST_COMMANDS[only]] if only in FAST_COMMANDS else CLI_MODULES
    for name in modules:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    build_cli(sys.argv[1] if len(sys.argv) > 1 else None)()
