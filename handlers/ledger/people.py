"""Registering workers on projects, in batches: shared by 登记工人 and the workers import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.settings import Settings
from handlers.ledger.accounts import Account, account_columns
from handlers.parsing import normalize
from models import PriorityGroup, Project, ProjectWorker, Worker
from models.privacy import mask_id, mask_phone, personal_data

_GROUPS = {g.value: g for g in PriorityGroup} | {
    "脱贫户": PriorityGroup.POVERTY_ALLEVIATED,
    "脱贫": PriorityGroup.POVERTY_ALLEVIATED,
    "监测户": PriorityGroup.MONITORED,
    "搬迁户": PriorityGroup.RELOCATED,
    "易地搬迁户": PriorityGroup.RELOCATED,
    "返乡": PriorityGroup.RETURNED,
    "农民工": PriorityGroup.RETURNED,
    "低收入人口": PriorityGroup.LOW_INCOME,
    "低保": PriorityGroup.LOW_INCOME,
    "无": PriorityGroup.OTHER,
    "": PriorityGroup.OTHER,
}


def check_group(text: str) -> str:
    s = normalize(text)
    group = _GROUPS.get(s)
    if group is None:
        names = "、".join(g.value for g in PriorityGroup)
        raise UserError(f"人员类别“{s}”不认识，请写 {names} 之一")
    return str(group)


@dataclass
class WorkerInput:
    where: str
    project: Project
    name: str
    id_number: str
    phone: str = ""
    village: str = ""
    priority_group: str = PriorityGroup.OTHER
    wecom_userid: str = ""
    account: Account | None = None  # where wages go (bank card / 一卡通 / 社保卡)


@dataclass
class WorkerResult:
    input: WorkerInput
    worker: Worker
    created: bool
    added: bool


def register_workers(
    session: Session,
    settings: Settings,
    inputs: Sequence[WorkerInput],
    actor: str,
    channel: str,
) -> tuple[list[WorkerResult], list[tuple[str, str]]]:
    """Create workers and project links; (results, problems). Writes only when no problems."""
    pd = personal_data(settings.effective_data_key)
    hashes = {pd.lookup_hash(x.id_number) for x in inputs}
    known = {
        w.id_hash: w for w in session.scalars(select(Worker).where(Worker.id_hash.in_(hashes)))
    }
    userids = {x.wecom_userid for x in inputs if x.wecom_userid}
    bound: dict[str, str] = {}
    if userids:
        stmt = select(Worker.wecom_userid, Worker.id_hash).where(Worker.wecom_userid.in_(userids))
        bound = {str(u): h for u, h in session.execute(stmt)}
    problems: list[tuple[str, str]] = []
    planned: dict[str, Worker] = {}
    results: list[WorkerResult] = []
    for x in inputs:
        h = pd.lookup_hash(x.id_number)
        worker = known.get(h) or planned.get(h)
        if worker is not None and worker.name != x.name:
            problems.append(
                (
                    x.where,
                    f"身份证号 {mask_id(x.id_number)} 已登记为“{worker.name}”，与姓名“{x.name}”不符",
                )
            )
            continue
        if x.wecom_userid:
            owner = bound.get(x.wecom_userid)
            if owner is not None and owner != h:
                problems.append((x.where, f"企业微信账号 {x.wecom_userid} 已绑定其他务工人员"))
                continue
            bound[x.wecom_userid] = h
        created = worker is None
        if worker is None:
            worker = Worker(
                name=x.name,
                id_hash=h,
                id_cipher=pd.encrypt(x.id_number),
                id_masked=mask_id(x.id_number),
                village=x.village,
                priority_group=x.priority_group,
                created_by=actor,
            )
            planned[h] = worker
        _update(worker, x, pd)
        results.append(WorkerResult(x, worker, created, added=False))
    if problems:
        return results, problems
    session.add_all(planned.values())
    session.flush()
    pairs = {(r.input.project.id, r.worker.id) for r in results}
    linked = {
        tuple(r)
        for r in session.execute(
            select(ProjectWorker.project_id, ProjectWorker.worker_id).where(
                tuple_(ProjectWorker.project_id, ProjectWorker.worker_id).in_(pairs)
            )
        )
    }
    for r in results:
        key = (r.input.project.id, r.worker.id)
        if key not in linked:
            linked.add(key)
            session.add(
                ProjectWorker(
                    project_id=key[0], worker_id=key[1], created_by=actor, channel=channel
                )
            )
            r.added = True
    session.flush()
    return results, []


def _update(worker: Worker, x: WorkerInput, pd) -> None:  # type: ignore[no-untyped-def]
    """Fill what the new data adds; never blank out what is known."""
    if x.phone:
        worker.phone_hash = pd.lookup_hash(x.phone)
        worker.phone_cipher = pd.encrypt(x.phone)
        worker.phone_masked = mask_phone(x.phone)
    if x.village:
        worker.village = x.village
    if x.priority_group != PriorityGroup.OTHER:
        worker.priority_group = x.priority_group
    if x.wecom_userid:
        worker.wecom_userid = x.wecom_userid
    if x.account is not None:
        for key, value in account_columns(x.account, pd).items():
            setattr(worker, key, value)
