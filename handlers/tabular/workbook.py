"""Writing .xlsx exports; the wage ledger gets one filing sheet per period with signatures."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from handlers.tabular.safe_cells import xlsx_row

FILING_HEADERS = [
    "序号",
    "项目编号",
    "姓名",
    "身份证号",
    "出勤天数",
    "日薪(元)",
    "应发(元)",
    "实发金额(元)",
    "发放日期",
    "发放方式",
    "凭证号",
    "本人签字",
]


def sheet_bytes(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """One sheet as .xlsx bytes (a file message): the same writer as the exports."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for row in rows:
        ws.append(xlsx_row(ws, row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(
    path: Path, kind: str, headers: list[str], rows: list[list[Any]], exporter: Any = None
) -> None:
    """First sheet: the import columns (re-importable). Wages: a filing sheet per period after it."""
    wb = Workbook(write_only=True)
    main = wb.create_sheet(kind)
    main.append(headers)
    for row in rows:
        main.append(xlsx_row(main, row))
    if exporter is not None:
        _wage_sheets(wb, rows, exporter)
    wb.save(path)


def _wage_sheets(wb: Workbook, rows: list[list[Any]], exporter: Any) -> None:
    names = exporter.worker_names()
    figures = exporter.work_figures()  # 出勤天数, 日薪, 应发: a shortfall shows beside 实发
    by_period: dict[str, list[list[Any]]] = defaultdict(list)
    for code, number, period, amount, paid_on, method, voucher in rows:
        by_period[period].append(
            [code, names.get((code, number), ""), number, amount, paid_on, method, voucher]
        )
    for period in sorted(by_period):
        ws = wb.create_sheet(f"{period}发放台账")
        ws.append([f"劳务报酬发放台账（{period}）"])
        ws.append(FILING_HEADERS)
        total = owed_total = Decimal(0)
        shown: set[tuple[str, str]] = set()
        for i, (code, name, number, amount, paid_on, method, voucher) in enumerate(
            sorted(by_period[period], key=lambda r: (r[0], r[4])), start=1
        ):
            # A worker paid twice in a period: the attendance and 应发 on the first line only.
            first = (code, number) not in shown
            shown.add((code, number))
            days, wage, owed = figures.get((code, number, period), (0, "", Decimal(0)))
            if not first:
                days, wage, owed = "", "", ""
            else:
                owed_total += owed
            ws.append(
                xlsx_row(
                    ws,
                    [i, code, name, number, days, wage, owed, amount, paid_on, method, voucher, ""],
                )
            )
            total += amount
        ws.append(
            [
                "合计",
                "",
                f"{len(by_period[period])} 笔",
                "",
                "",
                "",
                owed_total,
                total,
                "",
                "",
                "",
                "",
            ]
        )
        ws.append(
            ["制表人：", "", "", "审核人：", "", "", "", "施工单位（盖章）：", "", "", "", ""]
        )
