"""Reads a year's holidays and 调休 workdays: the State Council notice as text, or a table.

Two forms are accepted (docs/REMINDERS.md):
- the notice itself, pasted as plain text: "二、春节：2月6日（农历除夕）至13日放假调休，共8天。
  2月7日（周日）、2月20日（周六）上班。" — the year comes from its title
  ("关于2027年部分节假日安排的通知") or from `--year`;
- a table (.csv/.xlsx, or text lines): 日期, 类型 (休/班), 名称; a 日期 may be a range
  `2027-02-06~2027-02-13`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bot.text import normalize

MAX_SPAN = 15  # days one holiday range may cover; longer is a typo
_REST = {"休", "假", "放假", "休息", "节假日", "假日", "holiday", "off"}
_WORK = {"班", "上班", "补班", "调休上班", "工作日", "workday", "work"}
_YEAR = re.compile(r"(\d{4})\s*年\s*(?:部分)?\s*节假日")
_SECTION = re.compile(r"(?:^|\n|。)\s*[一二三四五六七八九十]+\s*[、.．]\s*([^：:\n]{1,12})[：:]")
_MD = r"(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*[（(][^）)]*[）)])?"
_RANGE = re.compile(_MD + r"(?:\s*(?:至|到|-|~|—|－)\s*" + _MD + r")?")
_ISO = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


class NoticeError(ValueError):
    """The file cannot be read as a holiday notice; the message lists every problem."""


@dataclass
class Notice:
    days: dict[date, tuple[bool, str]] = field(default_factory=dict)  # day → (workday, name)
    problems: list[str] = field(default_factory=list)

    def put(self, day: date, workday: bool, name: str, where: str) -> None:
        old = self.days.get(day)
        if old is not None and old[0] != workday:
            self.problems.append(f"{where}：{day} 既写为放假又写为上班")
            return
        self.days[day] = (workday, name)

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.days})


def read_notice(path: Path, year: int | None = None) -> Notice:
    """Parse a file into days; raises NoticeError listing every problem, nothing partial."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
        notice = _from_rows(rows)
    else:
        raw = path.read_bytes()
        text = _decode(raw)
        if suffix == ".csv" or _looks_tabular(text):
            notice = _from_rows(list(csv.reader(io.StringIO(text))) if suffix == ".csv" else
                                [re.split(r"[\s,，\t]+", ln.strip(), maxsplit=2)
                                 for ln in text.splitlines()])  # fmt: skip
        else:
            notice = parse_notice_text(text, year)
    if not notice.days and not notice.problems:
        notice.problems.append("文件中没有找到任何放假或上班日期")
    if notice.problems:
        raise NoticeError("\n".join(notice.problems))
    return notice


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise NoticeError("文件编码无法识别，请另存为 UTF-8 文本")


def _looks_tabular(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and sum(bool(_ISO.match(ln.strip())) for ln in lines) >= len(lines) // 2 + 1


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise NoticeError(f"无法读取 Excel 文件：{type(exc).__name__}") from exc
    out: list[list[str]] = []
    for row in wb.worksheets[0].iter_rows(values_only=True):
        out.append(["" if v is None else (f"{v:%Y-%m-%d}" if isinstance(v, date) else str(v))
                    for v in row])  # fmt: skip
    wb.close()
    return out


def _parse_iso(text: str) -> date | None:
    m = _ISO.fullmatch(normalize(text).strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _from_rows(rows: list[list[str]]) -> Notice:
    notice = Notice()
    for i, row in enumerate(rows, start=1):
        cells = [normalize(c).strip() for c in row]
        if not any(cells):
            continue
        if i == 1 and not _ISO.match(cells[0]):
            continue  # a header row (日期, 类型, 名称)
        where = f"第 {i} 行"
        if len(cells) < 2:
            notice.problems.append(f"{where}：应为“日期 类型 名称”，如 2027-02-06 休 春节")
            continue
        first, _, last = cells[0].replace("至", "~").partition("~")
        start, end = _parse_iso(first), _parse_iso(last) if last else _parse_iso(first)
        if start is None or end is None:
            notice.problems.append(f"{where}：日期“{cells[0]}”看不懂，写成 2027-02-06")
            continue
        kind = cells[1]
        if kind in _REST:
            workday = False
        elif kind in _WORK:
            workday = True
        else:
            notice.problems.append(f"{where}：类型“{kind}”应为“休”或“班”")
            continue
        _put_range(notice, start, end, workday, cells[2] if len(cells) > 2 else "", where)
    return notice


def _put_range(
    notice: Notice, start: date, end: date, workday: bool, name: str, where: str
) -> None:
    if end < start or (end - start).days >= MAX_SPAN:
        notice.problems.append(f"{where}：日期范围 {start}~{end} 不合理")
        return
    day = start
    while day <= end:
        notice.put(day, workday, name, where)
        day += timedelta(days=1)


def parse_notice_text(text: str, year: int | None = None) -> Notice:
    """The notice's own words: each section names a holiday, its days off and its 上班 days."""
    text = normalize(text)
    notice = Notice()
    if year is None:
        m = _YEAR.search(text)
        if not m:
            notice.problems.append(
                "没有找到年份：通知标题应含“2027年部分节假日安排”，或用 --year 指定"
            )
            return notice
        year = int(m.group(1))
    sections = list(_SECTION.finditer(text))
    if not sections:
        notice.problems.append("没有找到“一、元旦：……”这样的分节，请粘贴通知正文")
        return notice
    for k, sec in enumerate(sections):
        name = sec.group(1).strip()
        body = text[sec.end() : sections[k + 1].start() if k + 1 < len(sections) else len(text)]
        _parse_section(notice, year, name, body)
    return notice


def _day(year: int, month: int, dom: int, name: str, notice: Notice) -> date | None:
    # 元旦's days off can start in the December before (e.g. 12月31日至1月2日)
    y = year - 1 if month == 12 and name.startswith("元旦") else year
    try:
        return date(y, month, dom)
    except ValueError:
        notice.problems.append(f"{name}：{month}月{dom}日 不是有效日期")
        return None


def _parse_section(notice: Notice, year: int, name: str, body: str) -> None:
    for sentence in re.split(r"[。；;\n]", body):
        if not sentence.strip():
            continue
        rest_at = sentence.find("放假")
        work_at = sentence.find("上班")
        if rest_at >= 0:
            _holidays_in(notice, year, name, sentence[:rest_at])
        if work_at >= 0:
            head = sentence[rest_at + 2 : work_at] if 0 <= rest_at < work_at else sentence[:work_at]
            _workdays_in(notice, year, name, head)


def _holidays_in(notice: Notice, year: int, name: str, clause: str) -> None:
    matches = list(_RANGE.finditer(clause))
    if not matches:
        return
    m = matches[-1]  # the dates right before 放假
    month = int(m.group(1)) if m.group(1) else None
    if month is None:
        notice.problems.append(f"{name}：“{clause.strip()}”没有写月份")
        return
    start = _day(year, month, int(m.group(2)), name, notice)
    if m.group(4):
        end_month = int(m.group(3)) if m.group(3) else month
        end = _day(year, end_month, int(m.group(4)), name, notice)
        if end_month < month:  # 12月31日至1月2日
            end = date(year, end_month, int(m.group(4))) if end else None
    else:
        end = start
    if start and end:
        _put_range(notice, start, end, False, name, name)


def _workdays_in(notice: Notice, year: int, name: str, clause: str) -> None:
    month: int | None = None
    for m in re.finditer(_MD, clause):
        if m.group(1):
            month = int(m.group(1))
        if month is None:
            notice.problems.append(f"{name}：上班日“{clause.strip()}”没有写月份")
            return
        day = _day(year, month, int(m.group(2)), name, notice)
        if day:
            notice.put(day, True, f"{name}调休上班", name)
