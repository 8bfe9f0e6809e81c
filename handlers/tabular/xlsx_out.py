"""Every .xlsx the bot sends is serialised here, so that one guard (against formula
injection in cell text) applies to all of them in one place."""

from __future__ import annotations

import io

from openpyxl import Workbook

from handlers.tabular.safe_cells import looks_like_formula


def defuse(wb: Workbook) -> None:
    """Text a user typed that a spreadsheet would run (`=HYPERLINK(…)`) becomes plain text.

    We write no formulas of our own, so every formula-like cell came from somebody's data.
    A write-only sheet cannot be read back: its writer passes each row through `xlsx_row`."""
    for ws in wb.worksheets:
        if not hasattr(ws, "iter_rows"):
            continue
        for row in ws.iter_rows():
            for cell in row:
                if looks_like_formula(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, defused."""
    defuse(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
