"""The 考勤表 grid imported as a file message, through the CLI path and the shared readers."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.jobs import run_pending
from handlers.tabular.importer import import_bytes
from handlers.tabular.readers import guess_kind
from models import OutboxMessage, WorkRecord
from tests.handlers.ledger_fixtures import LIAISON
from tests.payroll.fixtures import Crew, scalar, seed_crew, total_days


class FakeMedia:
    def __init__(self, files: dict[str, tuple[str, bytes]]) -> None:
        self.files = files

    def download_media(self, media_id: str) -> tuple[str, bytes]:
        return self.files[media_id]


@pytest.fixture
def crew(session: Session, settings) -> Crew:  # type: ignore[no-untyped-def]
    return seed_crew(session, settings, size=6)


def grid_xlsx(
    crew: Crew, marks: dict[str, list[str]], *, title: bool = True, with_id: bool = False
) -> bytes:
    """A county-style sheet: two title rows, a two-row merged header, a weekday row, a 合计."""
    year, month = int(crew.period[:4]), int(crew.period[5:])
    ndays = (crew.last - crew.first).days + 1
    wb = Workbook()
    ws = wb.active
    extra = ["身份证号"] if with_id else []
    lead = ["序号", "姓名", *extra, "性别", "银行卡号"]
    width = len(lead) + 31 + 2
    if title:
        ws.append([f"东关村道路硬化项目（NT-2026-001）{year}年{month}月务工人员考勤表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.append(["施工单位：五台县建安公司", None, None, None, "日薪标准：150元"])
    ws.append([*lead, f"{month}月出勤情况", *[None] * 30, "出勤天数", "备注"])
    top = ws.max_row
    ws.append([None] * len(lead) + list(range(1, 32)) + [None, None])
    for c in range(1, len(lead) + 1):  # 序号, 姓名… span both header rows
        ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
    ws.merge_cells(
        start_row=top, start_column=len(lead) + 1, end_row=top, end_column=len(lead) + 31
    )
    ws.append(
        [None] * len(lead)
        + ["一二三四五六日"[(crew.first + timedelta(days=i)).weekday()] for i in range(31)]
    )
    for i, (name, row) in enumerate(marks.items(), start=1):
        total = sum(1 if m in ("√", "1") else 0.5 if m in ("半", "0.5") else 0 for m in row)
        ident = [crew.seed.ids[name]] if with_id else []
        ws.append(
            [
                i,
                name,
                *ident,
                "男",
                "6222020200112233445",
                *row[:ndays],
                *[None] * (31 - ndays),
                total,
                "",
            ]
        )
    ws.append(["合计", None])
    ws.append(["制表人：李联络", None, None, "审核：王科长"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def month_marks(crew: Crew, pattern: str | list[str]) -> list[str]:
    ndays = (crew.last - crew.first).days + 1
    return [pattern[i % len(pattern)] for i in range(ndays)]


def test_grid_sheet_as_file_message(wecom, services, session, crew):
    marks = {
        crew.names[0]: month_marks(crew, list("√√√√√  ")),
        crew.names[1]: month_marks(crew, ["1", "半", "", "√"]),
        crew.names[2]: month_marks(crew, ["0.5"]),
    }
    data = grid_xlsx(crew, marks)
    assert guess_kind("考勤.xlsx", data) == "attendance"
    services.wecom = FakeMedia({"g1": ("11月考勤.xlsx", data)})
    r = wecom.file(LIAISON, "g1", "11月考勤.xlsx")
    assert "正在后台校验导入" in r.text
    assert run_pending(services.session_factory, services) == 1
    texts = [m.payload.get("content", "") for m in session.scalars(select(OutboxMessage))]
    session.rollback()
    report = "\n".join(texts)
    expected = sum(
        1 if m in ("√", "1") else 0.5 if m in ("半", "0.5") else 0
        for row in marks.values()
        for m in row
    )
    marked = sum(1 for row in marks.values() for m in row if m.strip())
    assert f"新写入 {marked} 行" in report, report
    for col in ("序号", "性别", "银行卡号", "备注"):
        assert col in report  # reported as ignored
    assert "6222020200112233445" not in report
    assert total_days(session, WorkRecord) == expected
    wages = scalar(session, select(func.sum(WorkRecord.due_fen)))
    assert wages == int(expected * 150 * 100)


def test_grid_problems_write_nothing(session, settings, crew):
    bad = month_marks(crew, "√")
    bad[3] = "?"
    marks = {
        crew.names[0]: month_marks(crew, "√"),
        "不认识": month_marks(crew, "√"),
        crew.names[1]: bad,
    }
    data = grid_xlsx(crew, marks, title=False)
    report = import_bytes(
        session,
        settings,
        "attendance",
        "kq.xlsx",
        data,
        actor=None,
        channel="cli",
        today=crew.seed.today,
    )
    text = report.text("kq.xlsx")
    assert not report.ok
    # the month comes from the merged header "N月出勤情况"; project and wage are nowhere
    assert "看不出考勤月份" not in text and "看不出是哪个项目" in text and "没有日薪" in text
    session.rollback()
    report = import_bytes(
        session,
        settings,
        "attendance",
        "kq.xlsx",
        data,
        actor=None,
        channel="cli",
        today=crew.seed.today,
        options={"项目": "NT-2026-001", "期间": crew.period, "日薪": "150"},
    )
    text = report.text("kq.xlsx")
    assert not report.ok and "“不认识”" in text and "4日“?”看不懂" in text, text
    assert "没有写入任何数据" in text
    session.rollback()
    assert total_days(session, WorkRecord) == 0


def test_grid_with_id_column_and_overlap_with_chat(wecom, session, settings, crew):
    name = crew.names[0]
    wecom.text(
        LIAISON, f"记工 项目：NT-2026-001 日期：{crew.first:%Y-%m-%d} 日薪：150\n{name} 0.5天"
    )
    data = grid_xlsx(crew, {name: month_marks(crew, "√")}, with_id=True)
    report = import_bytes(
        session,
        settings,
        "attendance",
        "kq.xlsx",
        data,
        actor=None,
        channel="cli",
        today=crew.seed.today,
    )
    assert not report.ok and "已记过工" in report.text(), report.text()
    session.rollback()
    assert total_days(session, WorkRecord) == 0.5


def test_grid_pasted_in_chat(wecom, session, crew):
    ndays = (crew.last - crew.first).days + 1
    header = "\t".join(["序号", "姓名", "性别", *map(str, range(1, ndays + 1))])
    rows = [
        "\t".join(["1", crew.names[0], "男", *(["√"] * ndays)]),
        "\t".join(["2", crew.names[1], "女", *(["半"] * 10 + [""] * (ndays - 10))]),
    ]
    r = wecom.text(
        LIAISON,
        f"考勤表 项目：NT-2026-001 期间：{crew.period} 日薪：150\n{header}\n" + "\n".join(rows),
    )
    assert f"新写入 {ndays + 10} 行" in r.text and "性别" in r.text, r.text
    assert total_days(session, WorkRecord) == ndays + 5
    spaced = wecom.text(
        LIAISON,
        f"考勤表 项目：NT-2026-001 期间：{crew.period} 日薪：150\n姓名 1 2 3\n{crew.names[2]} √ √",
    )
    assert "格数与表头不同" in spaced.text and "没有写入任何记录" in spaced.text
    assert total_days(session, WorkRecord) == ndays + 5


def test_short_grid_pasted_in_chat(wecom, session, crew):
    r = wecom.text(
        LIAISON,
        f"考勤表 项目：NT-2026-001 期间：{crew.period} 日薪：150\n姓名 1 2 3\n{crew.names[2]} √ 0 半",
    )
    assert "新写入 2 行" in r.text, r.text
    assert total_days(session, WorkRecord) == 1.5


def test_grid_with_month_day_headers(wecom, session, crew):
    m = crew.first.month
    header = "\t".join(["姓名", *(f"{m}月{d}日" for d in range(1, 4))])
    r = wecom.text(
        LIAISON,
        f"考勤表 项目：NT-2026-001 期间：{crew.period} 日薪：150\n{header}\n{crew.names[0]}\t√\t\t√",
    )
    assert "新写入 2 行" in r.text, r.text
