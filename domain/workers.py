"""Finding the workers a message names: by ID number or by a name unique in the project."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from bot.context import HandlerContext
from bot.errors import UserError
from bot.text import normalize
from domain.parsing import check_id_number, looks_like_id, mask_id_text, normalize_name
from models import Project, ProjectWorker, Worker
from models.privacy import personal_data


@dataclass
class WorkerMatch:
    """The worker a reference names, or why it names none."""

    worker: Worker | None = None
    error: str = ""


def find_workers(
    ctx: HandlerContext, project: Project, refs: Iterable[str]
) -> dict[str, WorkerMatch]:
    """Resolve many references (ID number or name unique in the project) in two queries."""
    refs = list(dict.fromkeys(normalize(r) for r in refs))
    pd = personal_data(ctx.settings.effective_data_key)
    result: dict[str, WorkerMatch] = {}
    by_hash: dict[str, str] = {}
    names: list[str] = []
    name_of: dict[str, str] = {}
    for ref in refs:
        if looks_like_id(ref):
            try:
                number, _ = check_id_number(ref)
            except UserError as err:
                result[ref] = WorkerMatch(error=err.message)
                continue
            by_hash[pd.lookup_hash(number)] = ref
        elif ref:
            names.append(ref)
            name_of[ref] = normalize_name(ref)
        else:
            result[ref] = WorkerMatch(error="没有写人员")
    if by_hash:
        values = {"project_id": project.id, "hashes": list(by_hash)}
        found = {w.id_hash: w for w in ctx.session.scalars(_BY_HASH, values)}
        for h, ref in by_hash.items():
            w = found.get(h)
            result[ref] = (
                WorkerMatch(w)
                if w
                else WorkerMatch(
                    error=f"身份证号 {mask_id_text(normalize(ref))} 的人员未在项目 {project.code} 登记，"
                    "请先“登记工人”"
                )
            )
    if names:
        groups: dict[str, list[Worker]] = {}
        stored = set(name_of.values())
        values = {"project_id": project.id, "names": list(stored)}
        for w in ctx.session.scalars(_BY_NAME, values):
            groups.setdefault(w.name, []).append(w)
        for name in names:
            ws = groups.get(name_of[name], [])
            if len(ws) == 1:
                result[name] = WorkerMatch(ws[0])
            elif not ws:
                result[name] = WorkerMatch(
                    error=f"项目 {project.code} 没有登记名为“{name}”的人员，请先“登记工人”或改用身份证号"
                )
            else:
                result[name] = WorkerMatch(
                    error=f"项目 {project.code} 有{len(ws)}位“{name}”，请改用身份证号指明是哪一位"
                )
    return result


# Built once (every 记工 runs one of them): building a statement cost more than running it.
_ON_PROJECT = (
    select(Worker)
    .join(ProjectWorker, ProjectWorker.worker_id == Worker.id)
    .where(ProjectWorker.project_id == bindparam("project_id"))
)
_BY_HASH = _ON_PROJECT.where(Worker.id_hash.in_(bindparam("hashes", expanding=True)))
_BY_NAME = _ON_PROJECT.where(Worker.name.in_(bindparam("names", expanding=True)))


def find_worker(ctx: HandlerContext, project: Project, ref: str) -> Worker:
    """The worker named by ID number or by a name unique in the project; refuses otherwise."""
    match = find_workers(ctx, project, [ref])[normalize(ref)]
    if match.worker is None:
        raise UserError(match.error)
    return match.worker
