"""Cells written to a spreadsheet are data, never formulas (CSV/formula injection).

A 村 of `=HYPERLINK(...)` or a 凭证号 of `=cmd|' /C calc'!A0` typed by one user must not become
a live formula in the file another user opens. Every writer of .xlsx or .csv goes through
`csv_cell` / `xlsx_row` (exports, reports, new kinds): text that begins with = + - @, a tab,
CR or LF (or their full-width forms) is written as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet could read this value as a formula or a command."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A value for csv.writer: dates as ISO text, formula-like text behind a quote (')."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if looks_like_formula(value):
        return "'" + value
    return value


def xlsx_row(ws: Any, row: Iterable[Any]) -> list[Any]:
    """A row for openpyxl's `append`: formula-like text as a string cell, shown as typed.

    openpyxl stores any text that starts with "=" as a formula; a string cell with Excel's
    quote prefix is displayed as the text and never evaluated.
    """
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value in row:
        if looks_like_formula(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            out.append(cell)
        else:
            out.append(value)
    return out


__all__ = ["FORMULA_STARTS", "csv_cell", "looks_like_formula", "xlsx_row"]
