"""The 考勤表 grid: one row a worker, one column a day (1–31), marks √ / 1 / 0.5 / 半 / blank.

Real sheets carry a title row or two (which also say the month, often the project and the
daily wage), merged header cells, a 序号 column and columns we do not use (性别, 银行卡号,
备注…): those are read past and listed in the report. Every marked day becomes a per-date
work line checked and written exactly like a chat 记工 (`split_work`, `write_work`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bot.errors import UserError
from domain.access import allowed_project_codes, projects_in_scope
from domain.entries import (
    WorkLine,
    check_daily_wage,
    check_ledger_date,
    split_work,
    write_work,
)
from domain.entries_months import days_in_month
from domain.parsing import check_id_number, normalize_name, parse_amount, parse_period
from handlers.ledger.attendance import GRID_MARKS, grid_mark
from handlers.tabular.importer import CHUNK, ImportContext, ImportReport
from handlers.tabular.readers import cell_text, iter_raw_rows
from models import Project, ProjectWorker, Worker
from models.privacy import personal_data

SCAN_ROWS = 12
MIN_DAY_COLUMNS = 10
_LABELS = {
    "姓名": ("姓名", "名字", "人员姓名", "务工人员", "务工人员姓名", "工人姓名", "户名"),
    "身份证号": ("身份证号", "身份证", "身份证号码", "公民身份号码", "证件号码"),
    "日薪": ("日薪", "日薪(元)", "日工资", "日工资(元)", "工价", "单价", "单价(元)", "日薪标准"),
    "项目编号": ("项目编号",),
    "合计": (
        "合计",
        "出勤天数",
        "合计天数",
        "出勤合计",
        "天数合计",
        "实际出勤",
        "出勤(天)",
        "合计(天)",
    ),
}
_LABEL_OF = {alias: key for key, aliases in _LABELS.items() for alias in aliases}
_DAY = re.compile(r"^(?:\d{1,2}[月./-])?(\d{1,2})(?:日|号)?$")  # 1, 1日, 1号, 11月1日, 11.1
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-(\d{2})$")
_WEEKDAYS = (
    set("一二三四五六日天")
    | {f"周{c}" for c in "一二三四五六日天"}
    | {f"星期{c}" for c in "一二三四五六日天"}
)
_STOP = (
    "合计",
    "小计",
    "总计",
    "制表",
    "审核",
    "负责人",
    "说明",
    "备注",
    "注：",
    "注:",
    "签字",
    "记工员",
)
_MONTH_IN_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_MONTH_ISO = re.compile(r"(\d{4})[-./](\d{1,2})(?![\d])")
_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月(?!\s*\d)")  # 11月 / 11月份, not 11月5日
_WAGE_IN_TEXT = re.compile(r"(?:日薪|日工资|工价|单价)(?:标准)?\s*[:：为]?\s*(\d+(?:\.\d+)?)\s*元")
_CODE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{3,}")


def _label(text: object) -> str:
    s = unicodedata.normalize("NFKC", cell_text(text)).replace(" ", "").replace("\n", "")
    return s


def _day_of(cell: object) -> int | None:
    s = _label(cell)
    m = _DAY.match(s) or _ISO_DAY.match(s)
    if m and 1 <= int(m.group(1)) <= 31:
        return int(m.group(1))
    return None


@dataclass
class Grid:
    title: str
    day_row: int  # row number (1-based) of the day numbers
    days: dict[int, int]  # column → day of month
    columns: dict[str, int]  # 姓名/身份证号/日薪/项目编号/合计 → column
    ignored: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def find_grid(raw: list[list[object]], min_days: int = MIN_DAY_COLUMNS) -> Grid | None:
    """The grid's layout from the top rows, or None when no row holds the days of a month."""
    for i, row in enumerate(raw[:SCAN_ROWS]):
        days: dict[int, int] = {}
        for c, cell in enumerate(row):
            d = _day_of(cell)
            if d is not None and d not in days.values():
                days[c] = d
        ordered = [days[c] for c in sorted(days)]
        if len(days) < min_days or ordered != sorted(ordered):
            continue
        # The header may span rows above the day numbers (merged cells): 姓名 sits there.
        top = i
        while top > max(0, i - 3) and not any(_LABEL_OF.get(_label(c)) == "姓名" for c in raw[top]):
            top -= 1
        labels: dict[int, str] = {}
        for r in range(top, i + 1):
            for c, cell in enumerate(raw[r]):
                text = _label(cell)
                if c not in days and text and c not in labels:
                    labels[c] = text
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for c in sorted(labels):
            key = _LABEL_OF.get(labels[c])
            if key and key not in columns:
                columns[key] = c
            elif c < min(days) or c > max(days):
                ignored.append(labels[c])
        if "姓名" not in columns:
            continue
        title = (
            " ".join(cell_text(c) for r in raw[:top] for c in r if cell_text(c))
            + " "
            # header cells over the day columns ("11月出勤情况", merged) often name the month
            + " ".join(_label(cell) for r in raw[top:i] for cell in r if _label(cell))
        )
        return Grid(title.strip(), i + 1, days, columns, ignored)
    return None


def looks_like_grid(name: str, data: bytes) -> bool:
    rows = []
    for row in iter_raw_rows(name, data):
        rows.append(row)
        if len(rows) >= SCAN_ROWS:
            break
    return find_grid(rows) is not None


def _period_from(text: str, today: date) -> str | None:
    """`2026年11月`, `2026-11`, or a bare `11月` (the latest such month not after today)."""
    m = _MONTH_IN_TEXT.search(text) or _MONTH_ISO.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    bare = _MONTH_ONLY.search(text)
    if bare and 1 <= int(bare.group(1)) <= 12:
        return parse_period(f"{int(bare.group(1))}月", today)
    return None


def _projects_in_title(ic: ImportContext, title: str) -> list[Project]:
    tokens = {t.upper() for t in _CODE_TOKEN.findall(title)}
    found = (
        list(ic.session.scalars(select(Project).where(Project.code.in_(tokens)))) if tokens else []
    )
    if not found:  # the project's name in the title, among the projects the actor may act on
        scope = select(Project) if ic.actor is None else projects_in_scope(ic.actor)
        found = [p for p in ic.session.scalars(scope) if p.name and p.name in title]
    return found


def import_grid(ic: ImportContext, name: str, data: bytes, options: dict[str, str]) -> ImportReport:
    """Read a 考勤表 and write its marked days; all or nothing, every problem reported."""
    return import_grid_rows(ic, list(iter_raw_rows(name, data)), name, options)


def import_grid_rows(
    ic: ImportContext,
    raw: list[list[object]],
    name: str,
    options: dict[str, str],
    min_days: int = MIN_DAY_COLUMNS,
) -> ImportReport:
    """The grid import on rows already read (a file, or cells pasted in chat)."""
    grid = find_grid(raw, min_days)
    report = ImportReport("attendance")
    if grid is None:
        raise UserError(
            f"{name} 看不出是考勤表：表头应有“姓名”一列和 1、2、3……31 日各一列（日期写在同一行）"
        )
    report.notes += [f"已忽略的列：{'、'.join(grid.ignored)}"] if grid.ignored else []
    cols = grid.columns
    body: list[tuple[int, list[str]]] = []
    width = max(max(grid.days), *cols.values()) + 1
    for n, row in enumerate(raw[grid.day_row :], start=grid.day_row + 1):
        values = [cell_text(c) for c in row[:width]]
        values += [""] * (width - len(values))
        who = values[cols["姓名"]].replace(" ", "")
        marks = [values[c] for c in grid.days]
        if not who and not any(marks):
            continue
        if not who and all(m in _WEEKDAYS for m in marks if m):
            continue  # the weekday row under the day numbers
        if who.startswith(_STOP) or (not who and values[0].startswith(_STOP)):
            continue
        if not who:
            report.add(n, "有考勤记号但没有姓名")
            continue
        body.append((n, values))
    report.rows = len(body)
    # The month, the project and the daily wage: from the options, else from the sheet.
    period = None
    if options.get("期间"):
        period = check_opt(report, parse_period, options["期间"], ic.today)
    else:
        period = _period_from(grid.title, ic.today) or _period_from(name, ic.today)
        if period is None:
            report.add(0, "看不出考勤月份：请在标题中写明“2026年11月”，或导入时指定期间")
    projects: dict[str, Project] = {}
    default_project: Project | None = None
    if options.get("项目"):
        found = ic.session.scalar(
            select(Project).where(Project.code == options["项目"].strip().upper())
        )
        if found is None:
            report.add(0, f"没有项目 {options['项目']}")
        default_project = found
    elif "项目编号" not in cols:
        inside = _projects_in_title(ic, grid.title + " " + name)
        if len(inside) == 1:
            default_project = inside[0]
        else:
            report.add(
                0,
                "看不出是哪个项目：请在标题中写明项目编号（如 NT-2026-001），加一列“项目编号”，或导入时指定项目",
            )
    codes = {default_project.code} if default_project else set()
    if "项目编号" in cols:
        codes |= {
            v[cols["项目编号"]].strip().upper() for _, v in body if v[cols["项目编号"]].strip()
        }
    if codes:
        projects = {
            p.code: p for p in ic.session.scalars(select(Project).where(Project.code.in_(codes)))
        }
        allowed = (
            set(projects)
            if ic.actor is None
            else allowed_project_codes(ic.session, ic.actor, set(projects))
        )
        for code in sorted(codes):
            if code not in projects:
                report.add(0, f"没有项目 {code}")
            elif code not in allowed:
                report.add(0, f"您无权操作项目 {code}")
                projects.pop(code)
    default_wage = None
    wage_text = options.get("日薪") or ("" if "日薪" in cols else _wage_from(grid.title))
    if wage_text:
        fen = check_opt(report, parse_amount, wage_text)
        default_wage = check_opt(report, check_daily_wage, fen, ic.settings) if fen else None
    elif "日薪" not in cols:
        report.add(0, "没有日薪：请加一列“日薪”，在标题中写“日薪150元”，或导入时指定日薪")
    if not report.ok and (period is None or not projects):
        return report
    who_of = _resolve_workers(ic, report, body, cols, projects, default_project)
    cap = days_in_month(period) if period else 31
    lines: list[WorkLine] = []
    for n, values in body:
        project = _row_project(values, cols, projects, default_project)
        wage = default_wage
        if "日薪" in cols and values[cols["日薪"]]:
            fen = check_opt(report, parse_amount, values[cols["日薪"]], row=n)
            wage = check_opt(report, check_daily_wage, fen, ic.settings, row=n) if fen else None
        elif wage is None:
            report.add(n, "没有日薪")
        total = Decimal(0)
        marked: list[tuple[date, Decimal]] = []
        for c, day in grid.days.items():
            mark = values[c]
            days = grid_mark(mark)
            if days is None:
                report.add(n, f"{day}日“{mark}”看不懂（{GRID_MARKS}）")
                continue
            if not days:
                continue
            if day > cap:
                report.add(n, f"{period} 没有 {day} 日，但记了“{mark}”")
                continue
            assert period is not None
            marked.append((date(int(period[:4]), int(period[5:7]), day), days))
            total += days
        if "合计" in cols and values[cols["合计"]]:
            try:
                stated = Decimal(values[cols["合计"]].rstrip("天"))
            except Exception:
                stated = None
            if stated is not None and stated != total:
                report.warnings.append(
                    (
                        n,
                        f"合计栏写 {stated.normalize():f}天，按每日记号合计为 {total.normalize():f}天，以每日记号为准",
                    )
                )
        wid = who_of.get(n)
        if wid is None or project is None or wage is None or period is None:
            continue
        for day_date, days in marked:
            if (
                check_opt(report, check_ledger_date, day_date, ic.today, project, "务工日期", row=n)
                is None
            ):
                break
            lines.append(WorkLine(str(n), project, wid, day_date, days, wage))
        ic.tick(1)
    report.rows = len(lines)  # one ledger line per day worked: "共 N 行" counts those
    new, same, dups = split_work(ic.session, lines)
    for where, problem in dups:
        report.add(int(where), problem)
    report.skipped = len(same)
    if report.ok:
        for i in range(0, len(new), CHUNK):
            report.written += len(
                write_work(ic.session, new[i : i + CHUNK], ic.actor_id, ic.channel, False)
            )
    report.notes.insert(
        0,
        f"考勤月份 {period}，{len(body)} 人，共 {len(lines)} 个出勤日（每个出勤日记一条务工台账）",
    )
    return report


def _wage_from(title: str) -> str:
    m = _WAGE_IN_TEXT.search(title)
    return m.group(1) if m else ""


def _row_project(
    values: list[str], cols: dict[str, int], projects: dict[str, Project], default: Project | None
) -> Project | None:
    if "项目编号" in cols and values[cols["项目编号"]].strip():
        return projects.get(values[cols["项目编号"]].strip().upper())
    return default


def _resolve_workers(
    ic: ImportContext,
    report: ImportReport,
    body: list[tuple[int, list[str]]],
    cols: dict[str, int],
    projects: dict[str, Project],
    default: Project | None,
) -> dict[int, int]:
    """Row → worker id: by ID number when the sheet has one, else by the name in the project."""
    pd = personal_data(ic.settings.effective_data_key)
    roster: dict[int, list[tuple[int, str, str]]] = {}
    ids = [p.id for p in projects.values()]
    if ids:
        stmt = (
            select(ProjectWorker.project_id, Worker.id, Worker.name, Worker.id_hash)
            .join(Worker, Worker.id == ProjectWorker.worker_id)
            .where(ProjectWorker.project_id.in_(ids))
        )
        for pid, wid, wname, h in ic.session.execute(stmt):
            roster.setdefault(pid, []).append((wid, wname, h))
    by_name = {pid: _group(r) for pid, r in roster.items()}
    by_hash = {pid: {h: wid for wid, _, h in r} for pid, r in roster.items()}
    out: dict[int, int] = {}
    seen: dict[tuple[int, int], int] = {}
    for n, values in body:
        project = _row_project(values, cols, projects, default)
        if project is None:
            if "项目编号" in cols and not values[cols["项目编号"]].strip() and default is None:
                report.add(n, "缺少项目编号")
            continue
        name = normalize_name(values[cols["姓名"]])
        number = values[cols["身份证号"]].strip() if "身份证号" in cols else ""
        if number:
            try:
                checked = check_id_number(number)[0]
            except UserError as err:
                report.add(n, err.message)
                continue
            hit = by_hash.get(project.id, {}).get(pd.lookup_hash(checked))
            if hit is None:
                report.add(
                    n,
                    f"{name}（该身份证号）未在项目 {project.code} 登记，请先登记工人或导入 workers 表",
                )
                continue
        else:
            found = by_name.get(project.id, {}).get(name, [])
            if len(found) != 1:
                report.add(
                    n,
                    f"项目 {project.code} 没有登记名为“{name}”的人员，请先登记工人"
                    if not found
                    else f"项目 {project.code} 有{len(found)}位“{name}”，请在表中加“身份证号”列",
                )
                continue
            hit = found[0]
        wid = hit
        if (project.id, wid) in seen:
            report.add(n, f"与第{seen[(project.id, wid)]}行是同一人，请合并为一行")
            continue
        seen[(project.id, wid)] = n
        out[n] = wid
    return out


def _group(roster: list[tuple[int, str, str]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for wid, wname, _ in roster:
        out.setdefault(wname, []).append(wid)
    return out


def check_opt(report: ImportReport, fn, *args, row: int = 0):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except UserError as err:
        report.add(row, err.message)
        return None
