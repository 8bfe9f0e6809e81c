"""导出 from WeCom: the ledgers as file messages (placeholder, filled below)."""

from __future__ import annotations

from bot.router import Router

router = Router("exports")
