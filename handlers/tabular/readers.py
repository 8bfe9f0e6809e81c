"""Read a table from .xlsx or .csv (UTF-8 with or without BOM, or GBK) into rows of text."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.errors import UserError
from handlers.tabular.columns import HEADER_ALIASES, KINDS, OPTIONAL
from handlers.tabular.xlsx_fast import MAX_COLUMNS, check_zip, excel_serial_date, too_wide


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as shown in Excel, values)


def cell_text(value: object) -> str:
    """A cell as text: dates ISO, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK
    except UnicodeDecodeError:
        raise UserError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码") from None


MAX_ROWS = 200_000  # data rows of one file; a province's year is split across files


def _capped(rows: Iterator[list[object]]) -> Iterator[list[object]]:
    """Every reader's rows, refused past MAX_COLUMNS filled columns or MAX_ROWS rows."""
    for n, row in enumerate(rows, start=1):
        if n > MAX_ROWS + 50:  # header and title rows on top
            raise UserError(
                f"文件超过 {MAX_ROWS} 行，没有导入。请按月份或项目拆分成几个文件后分别发送。"
            )
        if len(row) > MAX_COLUMNS:
            while row and row[-1] in (None, ""):
                row.pop()
            if len(row) > MAX_COLUMNS:
                raise UserError(too_wide())
        yield row


def _csv_rows(data: bytes) -> Iterator[list[object]]:
    # newline="": rows end at \r\n, \n or a lone \r (old Mac Excel's "CSV (Macintosh)")
    reader = csv.reader(io.StringIO(decode_csv(data), newline=""))
    try:
        yield from reader
    except csv.Error:
        raise UserError(
            f"CSV 第{reader.line_num}行格式不对（引号不成对，或换行符异常）。"
            "请在 Excel 或 WPS 中打开后另存为“CSV UTF-8（逗号分隔）”再发送，或直接发送 .xlsx 文件。"
        ) from None


def _xlsx_rows(name: str, data: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    from handlers.tabular.xlsx_fast import iter_rows

    check_zip(data)  # the caps hold for openpyxl too
    fast: Iterator[list[object]] | None = iter_rows(data)
    try:
        first = next(fast, None)  # type: ignore[arg-type]
    except UserError:
        raise
    except Exception:  # an unusual file: openpyxl knows more of the format
        fast = None
    if fast is not None:
        if first is not None:
            yield first
        try:
            yield from fast
        except UserError:
            raise
        except Exception:
            raise UserError(
                f"{name} 的内容有损坏，没有导入。请在 Excel 中打开后另存为 .xlsx 再发送。"
            ) from None
        return
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise UserError(f"无法打开 {name}：不是有效的 Excel（.xlsx）文件") from None
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            yield list(row)
    except UserError:
        raise
    except Exception:
        raise UserError(f"无法读取 {name}：不是有效的 Excel（.xlsx）文件") from None
    finally:
        wb.close()


def _raw_rows(name: str, data: bytes) -> Iterator[list[object]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        yield from _capped(_csv_rows(data))
    elif suffix in (".xlsx", ".xlsm"):
        yield from _capped(_xlsx_rows(name, data))
    elif suffix == ".xls":
        raise UserError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再发送")
    else:
        raise UserError(f"不支持的文件类型“{suffix or name}”，请发送 .xlsx 或 .csv 文件")


def _header(text: object) -> str:
    h = unicodedata.normalize("NFKC", cell_text(text)).replace(" ", "")
    return HEADER_ALIASES.get(h, h)


def read_table(name: str, data: bytes, kind: str) -> Table:
    """Rows of a file of `kind`; unknown or missing columns are refused up front."""
    rows = _raw_rows(name, data)
    headers: list[str] = []
    header_row = 0
    for header_row, raw in enumerate(rows, start=1):  # noqa: B007 - used after the loop
        if any(cell_text(c) for c in raw):
            headers = [_header(c) for c in raw]
            break
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise UserError(f"{name} 是空的：第一行应为表头（{'、'.join(KINDS[kind])}）")
    known = set(KINDS[kind])
    unknown = [h or "(空)" for h in headers if h not in known]
    missing = [h for h in KINDS[kind] if h not in headers and h not in OPTIONAL[kind]]
    problems = []
    if unknown:
        problems.append("不认识的列：" + "、".join(unknown))
    if missing:
        problems.append("缺少的列：" + "、".join(missing))
    if problems:
        raise UserError("；".join(problems) + f"。{kind} 表的列为：{'、'.join(KINDS[kind])}")
    out: list[tuple[int, dict[str, str]]] = []
    width = len(headers)
    # A number in a date column is an Excel date serial (the fast reader skips styles).
    date_cols = [
        i for i, h in enumerate(headers) if "日期" in h and Path(name).suffix.lower() != ".csv"
    ]
    for n, raw in enumerate(rows, start=header_row + 1):
        values = [cell_text(c) for c in raw[:width]]
        if not any(values):
            continue
        values += [""] * (width - len(values))
        for i in date_cols:
            if values[i][:1].isdigit() and "-" not in values[i]:
                values[i] = excel_serial_date(values[i])
        out.append((n, dict(zip(headers, values, strict=True))))
    return Table(headers, out)


def guess_kind(name: str, data: bytes) -> str:
    """Which kind a file is, from its header row (for files sent in chat)."""
    for raw in _raw_rows(name, data):
        if any(cell_text(c) for c in raw):
            headers = {_header(c) for c in raw if cell_text(c)}
            break
    else:
        raise UserError(f"{name} 是空的")
    for kind, cols in KINDS.items():
        required = set(cols) - OPTIONAL[kind]
        if required <= headers <= set(cols):
            return kind
    kinds = "；".join(f"{k}：{'、'.join(c)}" for k, c in KINDS.items())
    raise UserError(f"看不出 {name} 是哪种台账：表头应与以下之一完全一致——{kinds}")
