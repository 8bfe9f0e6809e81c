"""点名记工: a project's workers for a date (tap 1 / 0.5 / none) or a month (who worked when).

The submit becomes one 记工 message and goes through the router like a chat message: the
same role check, parser, checks (one day per worker and date, across projects) and writes.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.context import HandlerContext, Incoming
from bot.errors import UserError
from domain.access import projects_in_scope, require_project
from models import Project, ProjectWorker, Role, Worker, WorkRecord
from models.privacy import personal_data
from web.core import (
    PageError,
    Viewer,
    check_csrf,
    database,
    handler_context,
    render,
    require_role,
    viewer,
)

router = APIRouter()

CHOICES = {"1": "1天", "0.5": "0.5天"}
WEEKDAYS = "一二三四五六日"


def _project(ctx: HandlerContext, code: str) -> Project:
    try:
        return require_project(ctx, code)
    except UserError as err:
        raise PageError(404, err.message) from None  # out of scope reads as not found


def _roster(db: Session, project: Project) -> list[Worker]:
    stmt = (
        select(Worker)
        .join(ProjectWorker, ProjectWorker.worker_id == Worker.id)
        .where(ProjectWorker.project_id == project.id)
        .order_by(Worker.name, Worker.id)
    )
    return list(db.scalars(stmt))


def _recorded(db: Session, project: Project, lo: date, hi: date) -> dict[tuple[int, date], Decimal]:
    """Net days already on this project's ledger per (worker, date)."""
    stmt = (
        select(WorkRecord.worker_id, WorkRecord.work_date, func.sum(WorkRecord.days))
        .where(WorkRecord.project_id == project.id, WorkRecord.work_date.between(lo, hi))
        .group_by(WorkRecord.worker_id, WorkRecord.work_date)
    )
    return {(int(w), d): Decimal(n) for w, d, n in db.execute(stmt) if n and n > 0}


def _last_wage(db: Session, project: Project) -> int | None:
    stmt = (
        select(WorkRecord.daily_wage_fen)
        .where(WorkRecord.project_id == project.id, WorkRecord.reverses_id.is_(None))
        .order_by(WorkRecord.id.desc())
        .limit(1)
    )
    return db.scalar(stmt)


def _parse_day(text: str | None, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        raise PageError(400, f"日期“{text}”格式不对，应为 2026-11-20。") from None


@router.get("/roster")
def roster_index(request: Request) -> Response:
    with database(request) as db:
        v = viewer(request, db)
        require_role(v, Role.ADMIN, Role.LIAISON, what="点名记工")
        projects = list(
            db.scalars(projects_in_scope(v.principal).order_by(Project.code).limit(500))
        )
        return render("roster_index.html", viewer=v, projects=projects)


@router.get("/roster/{code}")
def roster_page(
    request: Request, code: str, day: str | None = None, month: str | None = None
) -> Response:
    with database(request) as db:
        v = viewer(request, db)
        require_role(v, Role.ADMIN, Role.LIAISON, what="点名记工")
        ctx = handler_context(request, db, v)
        project = _project(ctx, code)
        workers = _roster(db, project)
        if month:
            return _month(request, db, v, project, workers, month)
        d = _parse_day(day, ctx.today)
        done = _recorded(db, project, d, d)
        wage = _last_wage(db, project)
        return render(
            "roster.html", viewer=v, project=project, workers=workers, day=d,
            weekday=WEEKDAYS[d.weekday()], done={w: n for (w, _), n in done.items()},
            wage=f"{wage / 100:g}" if wage else "", today=ctx.today, month=f"{d:%Y-%m}",
        )  # fmt: skip


def _first_of(month: str) -> date:
    try:
        return date.fromisoformat(month + "-01")
    except ValueError:
        raise PageError(400, f"月份“{month}”格式不对，应为 2026-11。") from None


def _month(
    request: Request,
    db: Session,
    v: Viewer,
    project: Project,
    workers: list[Worker],
    month: str,
    status: int = 200,
    **extra: object,
) -> Response:
    """A worker per row, a day per column: recorded days shown, open days tappable."""
    first = _first_of(month)
    last = first.replace(day=monthrange(first.year, first.month)[1])
    done = _recorded(db, project, first, last)
    today = handler_context(request, db, v).today
    days = [first.replace(day=i) for i in range(1, last.day + 1)]
    grid = [
        (w, [done.get((w.id, d)) for d in days], sum(done.get((w.id, d), Decimal(0)) for d in days))
        for w in workers
    ]
    wage = _last_wage(db, project)
    values = {
        "viewer": v, "project": project, "days": days, "grid": grid, "month": month,
        "today": today, "weekdays": WEEKDAYS, "wage": f"{wage / 100:g}" if wage else "",
        "picked": {}, **extra,
    }  # fmt: skip
    return render("roster_month.html", status=status, **values)


def _wage_field(form: dict[str, str]) -> str:
    """The 日薪 box as one token of the 记工 message: a line break must not add a line."""
    return "".join(form.get("wage", "").split())[:20]


def _jigong(ctx: HandlerContext, project: Project, day: date, lines: list[str], wage: str) -> str:
    """One 记工 message through the router, as if the liaison had typed it in the chat."""
    head = f"记工 项目：{project.code} 日期：{day:%Y-%m-%d}" + (f" 日薪：{wage}" if wage else "")
    msg = Incoming(user_id=ctx.user.userid, kind="text", text="\n".join([head, *lines]))
    assert ctx.services is not None  # pages always run inside the app
    return ctx.services.router.dispatch(msg, ctx).text


async def _form(request: Request, max_fields: int) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=max_fields)
    return {k: str(val) for k, val in form.items()}


def _posted(
    request: Request, db: Session, code: str, form: dict[str, str]
) -> tuple[Viewer, HandlerContext, Project, dict[int, Worker]]:
    """Who posts a roster, checked like every roster page, with the project's workers."""
    v = viewer(request, db)
    check_csrf(v, form.get("csrf"))
    require_role(v, Role.ADMIN, Role.LIAISON, what="点名记工")
    ctx = handler_context(request, db, v)
    project = _project(ctx, code)
    return v, ctx, project, {w.id: w for w in _roster(db, project)}


@router.post("/roster/{code}/month")
async def month_submit(request: Request, code: str) -> Response:
    fields = await _form(request, 50_000)  # a field per worker and day
    return await run_in_threadpool(_month_submit, request, code, fields)


def _month_submit(request: Request, code: str, form: dict[str, str]) -> Response:
    """Every ticked day of the month: one 记工 per date, all written or none."""
    with database(request) as db:
        v, ctx, project, workers = _posted(request, db, code, form)
        month = form.get("month", "")
        first = _first_of(month)
        pd = personal_data(ctx.settings.effective_data_key)
        by_day: dict[date, list[str]] = {}
        picked = {}
        for key, value in form.items():
            if not key.startswith("m_") or value not in CHOICES:
                continue
            try:
                wid, dd = (int(x) for x in key[2:].split("_"))
                worker, day = workers[wid], first.replace(day=dd)
            except (ValueError, KeyError):
                raise PageError(
                    403, "表里有不属于该项目的人员或日期，没有记工。请刷新页面后重试。"
                ) from None
            by_day.setdefault(day, []).append(f"{pd.decrypt(worker.id_cipher)} {CHOICES[value]}")
            picked[key] = value
        wage = _wage_field(form)
        errors, results = [], []
        for day in sorted(by_day):
            try:
                results.append(_jigong(ctx, project, day, by_day[day], wage))
            except UserError as err:
                errors.append(f"{day:%m月%d日}：{err.message}")
        if not by_day:
            errors.append("没有点任何一天，没有记工。")
        if errors:
            db.rollback()
            text = "没有记工（全部无误才写入），请改正后重新提交：\n" + "\n\n".join(errors)
            return _month(request, db, v, project, list(workers.values()), month, 422,
                          error=text, picked=picked, wage=wage)  # fmt: skip
        db.commit()
        count = sum(len(x) for x in by_day.values())
        summary = f"共记工 {count} 条，{len(by_day)} 天：\n" + "\n".join(
            r.splitlines()[0] for r in results
        )
        return _month(request, db, v, project, list(workers.values()), month, result=summary)


@router.post("/roster/{code}")
async def roster_submit(request: Request, code: str) -> Response:
    fields = await _form(request, 20_000)  # a field per worker
    return await run_in_threadpool(_submit, request, code, fields)


def _submit(request: Request, code: str, form: dict[str, str]) -> Response:
    with database(request) as db:
        v, ctx, project, workers = _posted(request, db, code, form)
        day = _parse_day(form.get("day"), ctx.today)
        pd = personal_data(ctx.settings.effective_data_key)
        lines = []
        for key, value in form.items():
            if not key.startswith("d_") or value not in CHOICES:
                continue
            try:
                worker = workers[int(key[2:])]
            except (ValueError, KeyError):
                raise PageError(
                    403, "名单里有不属于该项目的人员，没有记工。请刷新页面后重试。"
                ) from None
            lines.append(f"{pd.decrypt(worker.id_cipher)} {CHOICES[value]}")
        error = result = ""
        if not lines:
            error = "没有勾选任何人，没有记工。"
        else:
            try:
                result = _jigong(ctx, project, day, lines, _wage_field(form))
                db.commit()
            except UserError as err:
                db.rollback()
                error = err.message
        done = _recorded(db, project, day, day)
        wage = _last_wage(db, project)
        return render(
            "roster.html", status=422 if error else 200, viewer=v, project=project,
            workers=list(workers.values()), day=day, weekday=WEEKDAYS[day.weekday()],
            done={w: n for (w, _), n in done.items()}, error=error, result=result,
            wage=form.get("wage") or (f"{wage / 100:g}" if wage else ""), today=ctx.today,
            month=f"{day:%Y-%m}", picked={k[2:]: val for k, val in form.items() if k.startswith("d_")} if error else {},
        )  # fmt: skip
