"""Registering workers on projects, in batches: shared by 登记工人 and the workers import."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot.context import Principal
from bot.errors import UserError
from bot.settings import Settings
from bot.text import normalize
from handlers.ledger.accounts import Account, account_columns
from models import AuditLog, PriorityGroup, Project, ProjectWorker, Worker
from models.locks import locked
from models.outbox import enqueue
from models.outbox import text as text_message
from models.people import join_groups
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
    "返乡农民工人员": PriorityGroup.RETURNED,
    "防返贫监测对象": PriorityGroup.MONITORED,
    "边缘易致贫户": PriorityGroup.MONITORED,
    "突发严重困难户": PriorityGroup.MONITORED,
    "脱贫不稳定户": PriorityGroup.MONITORED,
    "易地扶贫搬迁": PriorityGroup.RELOCATED,
    "易地扶贫搬迁户": PriorityGroup.RELOCATED,
    "低收入": PriorityGroup.LOW_INCOME,
    "否": PriorityGroup.OTHER,
    "无": PriorityGroup.OTHER,
    "": PriorityGroup.OTHER,
}


_SPLIT = re.compile(r"[、,，;；/／\s]+")


def check_group(text: str) -> str:
    """One or several groups ("脱贫人口、监测对象"), stored "、"-joined ("其他" when none)."""
    s = normalize(text)
    groups, unknown = [], []
    for part in filter(None, _SPLIT.split(s)):
        group = _GROUPS.get(part)
        if group is None:
            unknown.append(part)
        else:
            groups.append(str(group))
    if unknown:
        names = "、".join(g.value for g in PriorityGroup)
        raise UserError(
            f"人员类别“{'、'.join(unknown)}”不认识，请写 {names} 中的一个或几个，用“、”隔开"
        )
    return join_groups(groups)


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
    bound: bool = False  # this registration bound the worker to an account
    kept: bool = False  # the worker's data belongs to another scope and was not changed


def _foreign_workers(session: Session, user: Principal | None, worker_ids: set[int]) -> set[int]:
    """Workers registered on some project the user may not act on (their data is not theirs)."""
    if user is None or not worker_ids:
        return set()
    from domain.access import project_ids_in_scope

    stmt = select(ProjectWorker.worker_id).where(
        ProjectWorker.worker_id.in_(worker_ids),
        ProjectWorker.project_id.not_in(project_ids_in_scope(user)),
    )
    return set(session.scalars(stmt))


def register_workers(
    session: Session,
    settings: Settings,
    inputs: Sequence[WorkerInput],
    actor: str,
    channel: str,
    *,
    user: Principal | None = None,
) -> tuple[list[WorkerResult], list[tuple[str, str]]]:
    """Create workers and project links; (results, problems). Writes only when no problems.

    A worker already bound to an account is never re-bound here (only 解绑 by their liaison
    frees them); a worker also registered on a project outside `user`'s scope keeps their
    phone, village and group (another project owns them). `user` None: an operator.
    """
    pd = personal_data(settings.effective_data_key)
    hashes = {pd.lookup_hash(x.id_number) for x in inputs}
    # locked as read (PostgreSQL), so a binding committed meanwhile is seen, not overwritten
    mine = select(Worker).where(Worker.id_hash.in_(hashes)).order_by(Worker.id)
    known = {w.id_hash: w for w in session.scalars(locked(session, mine))}
    foreign = _foreign_workers(session, user, {w.id for w in known.values()})
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
            # the registered name only to whom the worker belongs: out of scope it would
            # tell a stranger who holds an ID number
            as_name = "" if worker.id in foreign else f"为“{worker.name}”"
            problems.append(
                (
                    x.where,
                    f"身份证号 {mask_id(x.id_number)} 已登记{as_name}，与姓名“{x.name}”不符，请核对",
                )
            )
            continue
        if x.wecom_userid:
            owner = bound.get(x.wecom_userid)
            if owner is not None and owner != h:
                problems.append((x.where, f"企业微信账号 {x.wecom_userid} 已绑定其他务工人员"))
                continue
            if worker is not None and worker.wecom_userid not in (None, x.wecom_userid):
                problems.append(
                    (
                        x.where,
                        f"身份证号 {mask_id(x.id_number)} 的务工人员已绑定另一个企业微信账号，"
                        "不能在登记时改绑；确需更换，请由其项目联系人先发送“解绑”",
                    )
                )
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
        kept = worker.id is not None and worker.id in foreign
        binds = bool(x.wecom_userid) and worker.wecom_userid != x.wecom_userid
        if binds:
            worker.wecom_userid = x.wecom_userid
        if not kept:
            _update(worker, x, pd)
        results.append(WorkerResult(x, worker, created, added=False, bound=binds, kept=kept))
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
    for r in results:
        if r.bound:
            _note_binding(session, r, actor, channel)
    return results, []


def _note_binding(session: Session, r: WorkerResult, actor: str, channel: str) -> None:
    """Every change of binding is audited and told to the account and the worker's liaisons."""
    from domain.access import project_liaisons, region_admins

    worker, project = r.worker, r.input.project
    session.add(
        AuditLog(
            actor=actor,
            channel=channel,
            action="worker.bind",
            subject=project.code,
            detail={"worker_id": worker.id, "account": worker.wecom_userid, "by": "register"},
        )
    )
    assert worker.wecom_userid is not None
    told_worker = text_message(
        worker.wecom_userid,
        f"您的企业微信账号已由项目 {project.code} 的联系人绑定到务工人员 "
        f"{worker.name}（{worker.id_masked}），现在可以发送“查工资”查询。"
        "如果这不是您本人，请回复联系人或发送“帮助”。",
        rule="binding",
    )
    enqueue(session, [told_worker])
    others = session.scalars(
        select(Project)
        .join(ProjectWorker, ProjectWorker.project_id == Project.id)
        .where(ProjectWorker.worker_id == worker.id, Project.id != project.id)
    )
    told: set[str] = {actor}
    for other in others:
        for to in project_liaisons(session, other) or region_admins(session, other):
            if to in told:
                continue
            told.add(to)
            notice = (
                f"【绑定通知】您项目 {other.code} 的务工人员 {worker.name}"
                f"（{worker.id_masked}）已由另一项目的联系人绑定企业微信账号 "
                f"{worker.wecom_userid}。如有疑问，可发送“解绑 项目：{other.code} "
                f"人员：{worker.name}”。"
            )
            enqueue(session, [text_message(to, notice, rule="binding")])


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
    if x.account is not None:
        for key, value in account_columns(x.account, pd).items():
            setattr(worker, key, value)
