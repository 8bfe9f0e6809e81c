"""Read a table from .xlsx or .csv (UTF-8 with or without BOM, or GBK) into rows of text."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.errors import UserError
from handlers.tabular.columns import GRID_KINDS, HEADER_ALIASES, KINDS, OPTIONAL
from handlers.tabular.xlsx_fast import MAX_COLUMNS, check_zip, excel_serial_date, too_wide


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as shown in Excel, values)
    # What was read past, for the report: title rows above the header, unused columns.
    title: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        out = []
        if self.title:
            out.append("跳过表头上方的标题行：" + "；".join(t[:40] for t in self.title))
        if self.ignored:
            out.append("以下列不属于此表，已忽略：" + "、".join(self.ignored))
        return out


HEADER_SCAN_ROWS = 10  # title rows (表名, 填报单位, 日期…) a header may sit below
IGNORED_ALWAYS = {"序号", "编号", "行号", "No", "NO", "no"}


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


def iter_raw_rows(name: str, data: bytes) -> Iterator[list[object]]:
    """Every row of the first sheet (or the CSV), cells as stored; for grid readers."""
    return _raw_rows(name, data)


def _find_header(
    rows: Iterator[list[object]], known: Iterable[str]
) -> tuple[int, list[str], list[str]]:
    """(header row number, headers, title rows above it): the first of the top rows that
    names at least two known columns; else minus the number of the first non-empty row."""
    known = set(known)
    seen: list[tuple[int, list[object]]] = []
    for n, raw in enumerate(rows, start=1):
        if not any(cell_text(c) for c in raw):
            continue
        headers = [_header(c) for c in raw]
        if len(known.intersection(headers)) >= 2:
            title = [" ".join(cell_text(c) for c in r if cell_text(c)) for _, r in seen]
            return n, headers, title
        seen.append((n, raw))
        if len(seen) >= HEADER_SCAN_ROWS:
            break
    if not seen:
        return 0, [], []
    n, raw = seen[0]
    return -n, [_header(c) for c in raw], []  # negative: not found, the caller rewinds


def read_table(name: str, data: bytes, kind: str) -> Table:
    """Rows of a file of `kind`: title rows, 序号 and unused columns are skipped and reported;
    missing columns are refused up front."""
    rows = _raw_rows(name, data)
    header_row, headers, title = _find_header(rows, KINDS[kind])
    if header_row < 0:  # no row named two known columns: the first row is the header
        header_row = -header_row
        rows = _raw_rows(name, data)
        for _ in range(header_row):
            next(rows, None)
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise UserError(f"{name} 是空的：第一行应为表头（{'、'.join(KINDS[kind])}）")
    known = set(KINDS[kind])
    ignored = [h or f"第{i + 1}列(无表头)" for i, h in enumerate(headers) if h not in known]
    missing = [h for h in KINDS[kind] if h not in headers and h not in OPTIONAL[kind]]
    if missing:
        raise UserError(
            "缺少的列：" + "、".join(missing) + f"。{kind} 表的列为：{'、'.join(KINDS[kind])}"
        )
    repeated = sorted({h for h in headers if h in known and headers.count(h) > 1})
    if repeated:
        raise UserError("重复的列：" + "、".join(repeated) + "，请只保留一列")
    out: list[tuple[int, dict[str, str]]] = []
    width = len(headers)
    keep = [i for i, h in enumerate(headers) if h in known]
    # A number in a date column is an Excel date serial (the fast reader skips styles).
    date_cols = [
        i for i, h in enumerate(headers) if "日期" in h and Path(name).suffix.lower() != ".csv"
    ]
    for n, raw in enumerate(rows, start=header_row + 1):
        values = [cell_text(c) for c in raw[:width]]
        values += [""] * (width - len(values))
        if not any(values[i] for i in keep):
            continue
        for i in date_cols:
            if values[i][:1].isdigit() and "-" not in values[i]:
                values[i] = excel_serial_date(values[i])
        out.append((n, {headers[i]: values[i] for i in keep}))
    shown = [h for h in ignored if h not in IGNORED_ALWAYS]
    return Table(
        [headers[i] for i in keep], out, title, shown + [h for h in ignored if h in IGNORED_ALWAYS]
    )


def guess_kind(name: str, data: bytes) -> str:
    """Which kind a file is, from its header row (for files sent in chat)."""
    every = {c for cols in KINDS.values() for c in cols}
    header_row, found, _ = _find_header(_raw_rows(name, data), every)
    if header_row == 0:
        raise UserError(f"{name} 是空的")
    headers = {h for h in found if h}
    fits = []
    for kind, cols in KINDS.items():
        required = set(cols) - OPTIONAL[kind]
        if required <= headers:
            fits.append((len(headers - set(cols)), -len(required), kind))
    if fits:  # the kind that leaves the fewest columns unused
        return min(fits)[2]
    from handlers.payroll.bank_result import looks_like_result
    from handlers.tabular.grid import looks_like_grid

    if looks_like_grid(name, data):
        return "attendance"
    if looks_like_result(name, data):
        return "bank-result"
    kinds = "；".join(f"{k}：{'、'.join(c)}" for k, c in KINDS.items())
    grids = "；".join(GRID_KINDS.values())
    raise UserError(
        f"看不出 {name} 是哪种台账：表头应包含以下之一的各列（可多出其他列）——{kinds}；或者 {grids}"
    )
