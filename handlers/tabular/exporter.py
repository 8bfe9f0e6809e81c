"""Exports of every kind, in the import columns; wages also in the layout a county files.

Ledger exports list the entries in force (an entry and its reversal both drop out). ID
numbers and phones are in full only for an admin or an operator at the command line;
every export is written to the audit log.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.context import Principal
from bot.errors import UserError
from bot.settings import Settings
from domain.access import projects_in_scope
from handlers.tabular.columns import EXPORT_ONLY, KINDS
from handlers.tabular.safe_cells import csv_cell
from models import (
    AuditLog,
    Contact,
    Project,
    ProjectLiaison,
    ProjectWorker,
    PublicPost,
    Region,
    Training,
    WagePayment,
    Worker,
    WorkRecord,
)
from models.money import fen_to_yuan
from models.people import PriorityGroup, split_groups
from models.privacy import mask_phone, personal_data


@dataclass
class Exporter:
    session: Session
    settings: Settings
    actor: Principal | None  # None: operator at the command line
    project_code: str | None = None

    @property
    def full_ids(self) -> bool:
        return self.actor is None or self.actor.is_admin

    def project_ids(self) -> Select[int]:
        stmt = (
            select(Project.id)
            if self.actor is None
            else projects_in_scope(self.actor).with_only_columns(Project.id)
        )
        if self.project_code:
            stmt = stmt.where(Project.code == self.project_code.strip().upper())
        return stmt

    def check_project(self) -> None:
        if self.project_code and self.session.scalar(self.project_ids()) is None:
            raise UserError(f"没有项目 {self.project_code}，或您无权导出该项目")

    # -- personal data ---------------------------------------------------------------------
    def _people(self, worker_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
        """worker id → (name, ID number, phone), full or masked as this export allows."""
        pd = personal_data(self.settings.effective_data_key)
        out: dict[int, tuple[str, str, str]] = {}
        ids = list(set(worker_ids))
        for i in range(0, len(ids), 5000):
            for w in self.session.scalars(select(Worker).where(Worker.id.in_(ids[i : i + 5000]))):
                if self.full_ids:
                    phone = pd.decrypt(w.phone_cipher) if w.phone_cipher else ""
                    out[w.id] = (w.name, pd.decrypt(w.id_cipher), phone)
                else:
                    out[w.id] = (w.name, w.id_masked, w.phone_masked or "")
        return out

    def worker_names(self) -> dict[tuple[str, str], str]:
        """(project code, ID as exported) → name, for the filing sheets."""
        stmt = (
            select(ProjectWorker.worker_id, Project.code)
            .join(Project, Project.id == ProjectWorker.project_id)
            .where(ProjectWorker.project_id.in_(self.project_ids()))
        )
        pairs = list(self.session.execute(stmt))
        people = self._people(w for w, _ in pairs)
        return {(code, people[w][1]): people[w][0] for w, code in pairs}

    def work_figures(self) -> dict[tuple[str, str, str], tuple[Decimal | int, str, Decimal]]:
        """(project code, ID as exported, period) → (days, daily wage(s), 应发 yuan), net."""
        stmt = (
            select(
                Project.code,
                WorkRecord.worker_id,
                WorkRecord.period,
                WorkRecord.daily_wage_fen,
                func.sum(WorkRecord.days),
                func.sum(WorkRecord.due_fen),
            )
            .join(Project, Project.id == WorkRecord.project_id)
            .where(WorkRecord.project_id.in_(self.project_ids()))
            .group_by(
                Project.code, WorkRecord.worker_id, WorkRecord.period, WorkRecord.daily_wage_fen
            )
            .having(func.sum(WorkRecord.days) > 0)
        )
        raw = list(self.session.execute(stmt))
        people = self._people(w for _, w, _, _, _, _ in raw)
        acc: dict[tuple[str, str, str], tuple[Decimal, list[int], int]] = {}
        for code, wid, period, wage, days, due in raw:
            key = (code, people[wid][1], period)
            d, wages, owed = acc.get(key, (Decimal(0), [], 0))
            acc[key] = (d + Decimal(days), [*wages, int(wage)], owed + int(due))
        return {
            k: (_num(d), "/".join(f"{w / 100:g}" for w in sorted(ws)), fen_to_yuan(owed))
            for k, (d, ws, owed) in acc.items()
        }

    # -- rows per kind -----------------------------------------------------------------------
    def rows(self, kind: str) -> Iterator[list[Any]]:
        return cast("Iterator[list[Any]]", getattr(self, f"_rows_{kind}")())

    def _in_force(self, model: Any) -> Select[Any]:
        return (
            select(model, Project.code)
            .join(Project, Project.id == model.project_id)
            .where(
                model.project_id.in_(self.project_ids()),
                model.in_force(),
            )
            .order_by(model.id)
        )

    def _ledger(self, model: Any) -> tuple[list[tuple[Any, str]], dict[int, tuple[str, str, str]]]:
        entries = [(e, code) for e, code in self.session.execute(self._in_force(model))]
        return entries, self._people(e.worker_id for e, _ in entries)

    def _rows_work(self) -> Iterator[list[Any]]:
        entries, people = self._ledger(WorkRecord)
        for e, code in entries:
            yield [
                code,
                people[e.worker_id][1],
                e.work_date,
                _num(e.days),
                fen_to_yuan(e.daily_wage_fen),
            ]

    def _rows_wages(self) -> Iterator[list[Any]]:
        entries, people = self._ledger(WagePayment)
        for e, code in entries:
            yield [
                code,
                people[e.worker_id][1],
                e.period,
                fen_to_yuan(e.amount_fen),
                e.paid_on,
                e.method,
                e.voucher,
            ]

    def _rows_training(self) -> Iterator[list[Any]]:
        entries, people = self._ledger(Training)
        for e, code in entries:
            yield [code, people[e.worker_id][1], e.train_date, e.topic, e.mode, _num(e.hours)]

    def _rows_workers(self) -> Iterator[list[Any]]:
        stmt = (
            select(ProjectWorker.worker_id, Project.code)
            .join(Project, Project.id == ProjectWorker.project_id)
            .where(ProjectWorker.project_id.in_(self.project_ids()))
            .order_by(Project.code, ProjectWorker.id)
        )
        pairs = list(self.session.execute(stmt))
        people = self._people(w for w, _ in pairs)
        workers = {
            w.id: w
            for w in self.session.scalars(
                select(Worker).where(Worker.id.in_({w for w, _ in pairs}))
            )
        }
        for wid, code in pairs:
            name, number, phone = people[wid]
            w = workers[wid]
            groups = split_groups(w.priority_group)
            poor = "是" if PriorityGroup.POVERTY_ALLEVIATED in groups else "否"
            yield [
                code,
                name,
                number,
                phone,
                w.village,
                poor,
                w.wecom_userid or "",
                "、".join(groups),
                w.account_type or "",
                w.account_masked or "",  # full numbers only in the bank's 代发 file
                w.bank,
            ]

    def _rows_posts(self) -> Iterator[list[Any]]:
        entries, people = self._ledger(PublicPost)
        groups = dict(
            self.session.execute(
                select(Worker.id, Worker.priority_group).where(
                    Worker.id.in_({e.worker_id for e, _ in entries})
                )
            ).all()
        )
        for e, code in entries:
            name, number, _ = people[e.worker_id]
            yield [
                code, number, name, e.post_type, e.post_category or "（其他）",
                fen_to_yuan(e.monthly_pay_fen), e.start_date, e.end_date or "",
                "、".join(split_groups(groups.get(e.worker_id, ""))) or "无",
            ]  # fmt: skip

    def _rows_projects(self) -> Iterator[list[Any]]:
        stmt = select(Project).where(Project.id.in_(self.project_ids())).order_by(Project.code)
        for p in self.session.scalars(stmt):
            r = p.region
            yield [
                p.code,
                p.name,
                p.category,
                p.list_level,
                r.province,
                r.city,
                r.county,
                p.owner_unit,
                p.contractor,
                p.labour_org,
                fen_to_yuan(p.fiscal_funds_fen),
                fen_to_yuan(p.planned_labour_fen),
                "是" if p.uses_xianjie else "否",
                p.relief_model,
                p.pay_day,
                p.start_date or "",
                p.planned_end_date or "",
                f"{p.min_labour_share:.2%}" if p.min_labour_share is not None else "",
                p.list_year or "",
            ]

    def _rows_contacts(self) -> Iterator[list[Any]]:
        codes: dict[int, list[str]] = defaultdict(list)
        stmt = (
            select(ProjectLiaison.contact_id, Project.code)
            .join(Project, Project.id == ProjectLiaison.project_id)
            .where(Project.id.in_(self.project_ids()))
        )
        for cid, code in self.session.execute(stmt):
            codes[cid].append(code)
        contacts = select(Contact).order_by(Contact.userid)
        if self.actor is not None:
            # an admin: contacts of the region and the liaisons of its projects; a liaison:
            # the liaisons of their own projects (themself included), nobody else
            cond = Contact.id.in_(list(codes)) | (Contact.userid == self.actor.userid)
            if self.actor.is_admin and self.actor.scope is not None:
                from domain.access import region_filter

                scoped = select(Contact.id).join(Region, Region.id == Contact.region_id)
                cond = cond | Contact.id.in_(scoped.where(region_filter(self.actor.scope)))
            contacts = contacts.where(cond)
        labels = {"admin": "管理员", "liaison": "联系人"}
        for c in self.session.scalars(contacts):
            r = c.region
            yield [
                c.userid,
                c.name,
                labels.get(c.role, c.role),
                c.unit,
                r.province if r else "",
                r.city if r else "",
                r.county if r else "",
                "、".join(sorted(codes[c.id])),
                self._contact_phone(c),
            ]

    def _contact_phone(self, c: Contact) -> str:
        """The complaint phone a county publishes; masked unless the export shows full IDs."""
        if not c.phone_cipher:
            return ""
        phone = personal_data(self.settings.effective_data_key).decrypt(c.phone_cipher)
        return phone if self.full_ids else mask_phone(phone)


def _num(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value


def export_kind(
    session: Session,
    settings: Settings,
    kind: str,
    path: Path,
    *,
    actor: Principal | None,
    project_code: str | None = None,
    channel: str = "cli",
) -> int:
    """Write `kind` to `path` (.xlsx or .csv); returns the number of data rows."""
    columns = KINDS.get(kind) or EXPORT_ONLY.get(kind)
    if columns is None:
        raise UserError(f"没有“{kind}”这种导出，可选：{'、'.join([*KINDS, *EXPORT_ONLY])}")
    if actor is not None and not actor.is_staff:
        raise UserError("只有管理员和项目联系人可以导出台账")
    exp = Exporter(session, settings, actor, project_code)
    exp.check_project()
    rows = list(exp.rows(kind))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows([[csv_cell(v) for v in row] for row in rows])
    elif suffix == ".xlsx":
        from handlers.tabular.workbook import write_xlsx

        write_xlsx(path, kind, columns, rows, exp if kind == "wages" else None)
    else:
        raise UserError("导出文件请用 .xlsx 或 .csv 结尾")
    session.add(
        AuditLog(
            actor=actor.userid if actor else "cli",
            channel=channel,
            action="export",
            subject=kind,
            detail={
                "project": project_code or "",
                "rows": len(rows),
                "full_ids": exp.full_ids,
                "file": path.name,
            },
        )
    )
    session.flush()
    return len(rows)
