"""All-or-nothing imports of the ledger kinds (work, wages, training) with a per-row report.

Rows are validated with the same parser and checks as chat batches, resolved against the
database in a few batched queries, and written in multi-row INSERTs only if every row is
good. A row identical to an entry already recorded is skipped, so a file imported twice
changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from bot.context import Principal
from bot.errors import UserError
from bot.settings import Settings
from domain.access import allowed_project_codes
from domain.entries import (
    TrainingLine,
    WageLine,
    WorkLine,
    check_daily_wage,
    check_ledger_date,
    check_method,
    check_mode,
    check_wages_owed,
    split_trainings,
    split_wages,
    split_work,
    write_trainings,
    write_wages,
    write_work,
)
from domain.parsing import (
    check_id_number,
    parse_amount,
    parse_date,
    parse_days,
    parse_hours,
    parse_period,
    period_of,
)
from handlers.tabular.readers import Table
from models import Project, ProjectWorker, Worker
from models.privacy import personal_data

Progress = Callable[[int], None]
CHUNK = 5000
SHOWN_PROBLEMS = 30


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    written: int = 0
    skipped: int = 0
    updated: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the file: title rows, unused columns

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, row: int, message: str) -> None:
        self.problems.append((row, message))

    def text(self, name: str = "") -> str:
        label = f"{name}（{self.kind}）" if name else self.kind
        if not self.ok:
            lines = [
                f"导入 {label} 失败：{len(self.problems)} 处问题，没有写入任何数据。请改正后重新导入："
            ]
            lines += [f"第{r}行：{m}" if r else m for r, m in self.problems[:SHOWN_PROBLEMS]]
            if len(self.problems) > SHOWN_PROBLEMS:
                lines.append(f"……另有 {len(self.problems) - SHOWN_PROBLEMS} 处问题未列出。")
            return "\n".join(lines + [f"说明：{n}" for n in self.notes])
        parts = [f"新写入 {self.written} 行"]
        if self.updated:
            parts.append(f"更新 {self.updated} 行")
        if self.skipped:
            parts.append(f"{self.skipped} 行已存在、未重复写入")
        lines = [f"导入 {label} 成功：共 {self.rows} 行，" + "，".join(parts) + "。"]
        lines += [f"说明：{n}" for n in self.notes]
        lines += [f"提醒 第{r}行：{m}" for r, m in self.warnings[:SHOWN_PROBLEMS]]
        return "\n".join(lines)


@dataclass
class ImportContext:
    session: Session
    settings: Settings
    actor: Principal | None  # None: an operator at the command line (no scope limit)
    channel: str
    today: date
    progress: Progress | None = None

    @property
    def actor_id(self) -> str:
        return self.actor.userid if self.actor else "cli"

    def tick(self, n: int) -> None:
        if self.progress is not None:
            self.progress(n)


def _checked_id(text: str, seen: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """(normalized ID, error). `seen` remembers this file's answers (a file names each worker
    many times) and goes when the import ends: no clear ID numbers outlive it."""
    known = seen.get(text)
    if known is None:
        try:
            known = check_id_number(text)[0], ""
        except UserError as err:
            known = "", err.message
        seen[text] = known
    return known


def check(report: ImportReport, row: int, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except UserError as err:
        report.add(row, err.message)
        return None


def resolve(
    ic: ImportContext, table: Table, report: ImportReport
) -> dict[int, tuple[Project, int]]:
    """Row number → (project, worker id), for every row whose project and worker are good."""
    codes = {v["项目编号"].strip().upper() for _, v in table.rows}
    projects = {
        p.code: p for p in ic.session.scalars(select(Project).where(Project.code.in_(codes)))
    }
    allowed = (
        set(projects) if ic.actor is None else allowed_project_codes(ic.session, ic.actor, codes)
    )
    pd = personal_data(ic.settings.effective_data_key)
    hashes: dict[int, str] = {}
    hash_of: dict[str, str] = {}
    checked: dict[str, tuple[str, str]] = {}
    for n, v in table.rows:
        code = v["项目编号"].strip().upper()
        if not code:
            report.add(n, "缺少项目编号")
        elif code not in projects:
            report.add(n, f"没有项目 {code}")
        elif code not in allowed:
            report.add(n, f"您无权操作项目 {code}")
        number, error = _checked_id(v["身份证号"], checked)
        if error:
            report.add(n, error)
        elif code in allowed:
            h = hash_of.get(number)
            if h is None:
                h = hash_of[number] = pd.lookup_hash(number)
            hashes[n] = h
    workers: dict[str, int] = {}
    distinct = list(set(hashes.values()))
    for i in range(0, len(distinct), CHUNK):
        stmt: Select[Any, Any] = select(Worker.id_hash, Worker.id).where(
            Worker.id_hash.in_(distinct[i : i + CHUNK])
        )
        for h, wid in ic.session.execute(stmt):
            workers[h] = wid
    pairs = {(projects[_code(table, n)].id, workers[h]) for n, h in hashes.items() if h in workers}
    linked: set[tuple[int, int]] = set()
    pair_list = list(pairs)
    for i in range(0, len(pair_list), CHUNK):
        stmt = select(ProjectWorker.project_id, ProjectWorker.worker_id).where(
            tuple_(ProjectWorker.project_id, ProjectWorker.worker_id).in_(pair_list[i : i + CHUNK])
        )
        linked.update((p, w) for p, w in ic.session.execute(stmt))
    out: dict[int, tuple[Project, int]] = {}
    for n, h in hashes.items():
        project = projects[_code(table, n)]
        wid = workers.get(h)
        if wid is None or (project.id, wid) not in linked:
            report.add(n, f"该身份证号的人员未在项目 {project.code} 登记，请先导入 workers 表")
        else:
            out[n] = (project, wid)
    return out


def _code(table: Table, n: int) -> str:
    return table_row(table, n)["项目编号"].strip().upper()


def table_row(table: Table, n: int) -> dict[str, str]:
    index: dict[int, dict[str, str]] | None = getattr(table, "_index", None)
    if index is None:
        index = dict(table.rows)
        table._index = index  # type: ignore[attr-defined]
    return index[n]


def import_work(ic: ImportContext, table: Table, report: ImportReport) -> None:
    who = resolve(ic, table, report)
    lines: list[WorkLine] = []
    for i, (n, v) in enumerate(table.rows):
        if i % 1000 == 0:
            ic.tick(min(1000, len(table.rows) - i))
        day = check(report, n, parse_date, v["日期"], ic.today)
        days = check(report, n, parse_days, v["天数"])
        fen = check(report, n, parse_amount, v["日薪(元)"])
        wage = check(report, n, check_daily_wage, fen, ic.settings) if fen is not None else None
        if n not in who or day is None or days is None or wage is None:
            continue
        project, wid = who[n]
        if check(report, n, check_ledger_date, day, ic.today, project, "务工日期") is None:
            continue
        lines.append(WorkLine(str(n), project, wid, day, days, wage))
    new, same, dups = split_work(ic.session, lines)
    for where, problem in dups:
        report.add(int(where), problem)
    report.skipped = len(same)
    if report.ok:
        for i in range(0, len(new), CHUNK):
            report.written += len(
                write_work(ic.session, new[i : i + CHUNK], ic.actor_id, ic.channel, False)
            )


def import_wages(ic: ImportContext, table: Table, report: ImportReport) -> None:
    who = resolve(ic, table, report)
    lines: list[WageLine] = []
    for n, v in table.rows:
        period = check(report, n, parse_period, v["期间"], ic.today)
        fen = check(report, n, parse_amount, v["金额(元)"])
        if fen == 0:
            report.add(n, "金额必须大于0")
        paid_on = check(report, n, parse_date, v["发放日期"], ic.today)
        method = check(report, n, check_method, v["方式"], ic.settings)
        if period and period > period_of(ic.today):
            report.add(n, f"期间 {period} 还没到")
            continue
        if n not in who or not (period and fen and paid_on and method):
            continue
        project, wid = who[n]
        if check(report, n, check_ledger_date, paid_on, ic.today, project, "发放日期") is None:
            continue
        voucher = v.get("凭证号", "")[:64]
        lines.append(WageLine(str(n), project, wid, period, fen, paid_on, method, voucher))
    new, same = split_wages(ic.session, lines)
    for where, problem in check_wages_owed(ic.session, new):
        report.add(int(where), problem)
    report.skipped = len(same)
    if report.ok:
        report.written = len(write_wages(ic.session, new, ic.actor_id, ic.channel, False))


def import_training(ic: ImportContext, table: Table, report: ImportReport) -> None:
    who = resolve(ic, table, report)
    lines: list[TrainingLine] = []
    for n, v in table.rows:
        day = check(report, n, parse_date, v["日期"], ic.today)
        topic = v["内容"].strip()
        if not topic:
            report.add(n, "缺少培训内容")
        mode = check(report, n, check_mode, v["方式"])
        hours = check(report, n, parse_hours, v["学时"])
        if n not in who or not (day and topic and mode and hours):
            continue
        project, wid = who[n]
        if check(report, n, check_ledger_date, day, ic.today, project, "培训日期") is None:
            continue
        lines.append(TrainingLine(str(n), project, wid, day, topic[:100], mode, hours))
    new, same = split_trainings(ic.session, lines)
    report.skipped = len(same)
    if report.ok:
        report.written = len(write_trainings(ic.session, new, ic.actor_id, ic.channel, False))


def run_import(ic: ImportContext, kind: str, table: Table) -> ImportReport:
    """Validate and write a table of `kind`; on any problem nothing is written."""
    from handlers.tabular import import_people

    kinds: dict[str, Callable[[ImportContext, Table, ImportReport], None]] = {
        "work": import_work,
        "wages": import_wages,
        "training": import_training,
        "projects": import_people.import_projects,
        "contacts": import_people.import_contacts,
        "workers": import_people.import_workers,
    }
    report = ImportReport(kind, rows=len(table.rows))
    if not table.rows:
        report.add(0, "文件中没有数据行")
        return report
    savepoint = ic.session.begin_nested()
    kinds[kind](ic, table, report)
    if report.ok:
        savepoint.commit()
    else:
        savepoint.rollback()
        report.written = report.updated = 0
    return report


def resolve_codes(ic: ImportContext, codes: set[str]) -> dict[str, Project]:
    """The projects among `codes` that exist and the actor may act on."""
    found = {p.code: p for p in ic.session.scalars(select(Project).where(Project.code.in_(codes)))}
    if ic.actor is None:
        return found
    allowed = allowed_project_codes(ic.session, ic.actor, set(found))
    return {c: p for c, p in found.items() if c in allowed}


def _import_attendance(
    ic: ImportContext, name: str, data: bytes, options: dict[str, str]
) -> ImportReport:
    from handlers.tabular.grid import import_grid

    return import_grid(ic, name, data, options)


def _import_bank_result(
    ic: ImportContext, name: str, data: bytes, options: dict[str, str]
) -> ImportReport:
    from handlers.payroll.bank_result import import_bank_result

    return import_bank_result(ic, name, data, options)


# Kinds read as a grid rather than as a table of the columns of `KINDS` (columns.GRID_KINDS).
GRID_IMPORTERS: dict[str, Callable[[ImportContext, str, bytes, dict[str, str]], ImportReport]] = {
    "attendance": _import_attendance,
    "bank-result": _import_bank_result,
}


def import_bytes(
    session: Session,
    settings: Settings,
    kind: str,
    name: str,
    data: bytes,
    *,
    actor: Principal | None,
    channel: str,
    today: date,
    progress: Progress | None = None,
    options: dict[str, str] | None = None,
) -> ImportReport:
    """Read, validate and (if every row is good) write a file; audited either way.

    `options` are what the file may not say itself (an attendance grid's 项目, 期间, 日薪)."""
    from handlers.tabular.readers import read_table
    from models import AuditLog

    ic = ImportContext(session, settings, actor, channel, today, progress)
    if kind in GRID_IMPORTERS:
        report = GRID_IMPORTERS[kind](ic, name, data, options or {})
    else:
        table = read_table(name, data, kind)
        report = run_import(ic, kind, table)
        report.notes = table.notes()
    session.add(
        AuditLog(
            actor=ic.actor_id,
            channel=channel,
            action="import" if report.ok else "import.rejected",
            subject=kind,
            detail={
                "file": name[:100],
                "rows": report.rows,
                "written": report.written,
                "problems": len(report.problems),
            },
        )
    )
    session.flush()
    return report
