"""A streaming reader for the first sheet of an .xlsx: values only, several times faster than openpyxl.

Dates in .xlsx are numbers with a date style; rather than read styles, the caller turns
numbers in date columns into dates (`excel_serial_date`).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from typing import IO
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import iterparse as _std_iterparse

from defusedxml.ElementTree import fromstring

from bot.errors import UserError

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
EPOCH = date(1899, 12, 30)


def _iterparse(source: IO[bytes]) -> Iterator[tuple[str, Element]]:
    return _std_iterparse(source, events=("end",))


def excel_serial_date(text: str) -> str:
    """'46346' → '2026-11-20' (Excel's 1900 date system); anything else unchanged."""
    try:
        serial = float(text)
    except ValueError:
        return text
    if not 1 <= serial < 2958466:
        return text
    return (EPOCH + timedelta(days=int(serial))).isoformat()


def _first_sheet(zf: zipfile.ZipFile) -> str:
    book = fromstring(zf.read("xl/workbook.xml"))
    sheet = book.find(f"{NS}sheets/{NS}sheet")
    rid = sheet.get(f"{REL_NS}id") if sheet is not None else None
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            )
    return "xl/worksheets/sheet1.xml"


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    out: list[str] = []
    for _, el in _iterparse(zf.open("xl/sharedStrings.xml")):
        if el.tag == f"{NS}si":
            out.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
            el.clear()
    return out


def _col(ref: str) -> int:
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + (ord(ch.upper()) - 64)
            if n > MAX_COLUMNS:  # "AAAAAAA…" must not become a billion-cell row
                raise UserError(too_wide())
        else:
            break
    return n - 1


# Caps checked before anything is read: a 1.6 KB sheet can claim column "AAAAAAA…" and a
# 300 KB zip can unpack to gigabytes. Import files have a few dozen columns at most.
MAX_COLUMNS = 200
MAX_UNCOMPRESSED = 256 * 1024 * 1024  # every member of the .xlsx together, as unpacked
MAX_MEMBERS = 10_000


def too_wide() -> str:
    return (
        f"文件的列数超过 {MAX_COLUMNS} 列，不像导入模板，没有导入。请只保留模板中的列后重新发送。"
    )


def check_zip(data: bytes) -> zipfile.ZipFile:
    """The .xlsx as a zip, refused (UserError) when it would unpack past the caps.

    The sizes are those the zip declares; zipfile stops reading a member at its declared
    size (and fails its CRC check), so a member cannot unpack to more than it claims.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UserError("文件不是有效的 Excel（.xlsx）文件，没有导入。") from None
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED:
        raise UserError(
            f"文件解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)}MB，没有导入。"
            "请拆分成几个文件，或删除多余的工作表、图片后重新发送。"
        )
    return zf


def iter_rows(data: bytes) -> Iterator[list[object]]:
    """Rows of the first sheet as lists of str/None (numbers as their shortest text)."""
    zf = check_zip(data)
    strings = _shared_strings(zf)
    c_tag, v_tag, row_tag, is_tag, t_tag = f"{NS}c", f"{NS}v", f"{NS}row", f"{NS}is", f"{NS}t"
    row: list[object] = []
    with zf.open(_first_sheet(zf)) as fh:
        for _, el in _iterparse(fh):
            tag = el.tag
            if tag == c_tag:
                kind = el.get("t", "n")
                ref = el.get("r")
                idx = _col(ref) if ref else len(row)
                if kind == "inlineStr":
                    node = el.find(is_tag)
                    value: object = (
                        "".join(t.text or "" for t in node.iter(t_tag)) if node is not None else ""
                    )
                else:
                    v = el.find(v_tag)
                    text = v.text if v is not None else None
                    if text is None:
                        value = None
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind == "n" and text.endswith(".0"):
                        value = text[:-2]
                    elif kind == "b":
                        value = "是" if text == "1" else "否"
                    else:
                        value = text
                if idx >= len(row):
                    row.extend([None] * (idx - len(row)))
                    row.append(value)
                else:
                    row[idx] = value
                el.clear()
            elif tag == row_tag:
                yield row
                row = []
                el.clear()
