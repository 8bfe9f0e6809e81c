"""File messages: an Excel/CSV ledger sent by a liaison or admin, imported in the background."""

from __future__ import annotations

from bot.router import Router

router = Router("files")
