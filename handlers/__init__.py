"""Conversation capabilities, one module each; `build_router` wires them in order."""

from __future__ import annotations

import importlib

from bot.router import Router

# Each module defines `router = Router(...)`. Order matters only for fallbacks and help order.
MODULES = [
    "handlers.help",
    "handlers.ledger.projects",
    "handlers.ledger.workers",
    "handlers.ledger.work",
    "handlers.ledger.wages",
    "handlers.ledger.training",
    "handlers.ledger.posts",
    "handlers.ledger.reversal",
    "handlers.ledger.summary",
    "handlers.files",
    "handlers.worker_self",
    "handlers.binding",
    "handlers.complaints",
    "handlers.kf_channel",
    "handlers.quarterly",
    "handlers.reminder_admin",
    "handlers.policy",  # last: its fallback answers every text that is no command
]


def build_router() -> Router:
    root = Router("root")
    for name in MODULES:
        root.include(importlib.import_module(name).router)
    return root
