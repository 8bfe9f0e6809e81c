"""Every .xlsx the bot sends is serialised here, so that one guard (e.g. against formula
injection in cell text) applies to all of them in one place."""

from __future__ import annotations

import io

from openpyxl import Workbook


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes."""
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
