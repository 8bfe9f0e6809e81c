"""绑定 and 解绑: link a WeCom account to a registered worker without revealing who exists.

A worker binds with name plus full ID number, matched by keyed hash. Every mismatch gets the
same answer; five mismatches in a local day lock binding for the sending account (SPEC §8).
"""

from __future__ import annotations

import logging
import unicodedata
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.router import Router
from domain.access import BIND_EXAMPLE, project_liaisons, region_admins, require_project
from domain.parsing import check_id_number, parse_fields, refusal
from domain.workers import find_worker
from handlers.worker_self import own_projects, worker_label
from models import Project, ProjectWorker, Role, Worker, security
from models.locks import lock_key, locked
from models.privacy import personal_data
from models.security import BindingAttempt, BindOutcome, attempts_since, window_start

log = logging.getLogger(__name__)
router = Router("binding")

FAIL_LIMIT = 5  # mismatches per account and local day before binding locks
DAY = timedelta(days=1)
NAME_CANDIDATES_MAX = 3  # a name shared by more workers pages nobody on a lock
BIND_ALIASES = {
    "姓名": ("名字",),
    "身份证": ("身份证号", "身份证号码", "证件号", "证件号码"),
}
UNBIND_EXAMPLE = "解绑 项目：NT-2026-001 人员：张三"
UNBIND_ALIASES = {
    "项目": ("项目编号", "编号"),
    "人员": ("姓名", "工人", "身份证", "身份证号"),
}
MISMATCH = "绑定没有成功：姓名和身份证号与登记信息不一致。"


def fail_key(userid: str) -> str:
    return f"bind-fail:{userid}"


def clean_name(text: str) -> str:
    """NFKC, no blanks, one kind of middle dot (维吾尔族 names: 买买提·艾力)."""
    s = unicodedata.normalize("NFKC", text)
    for dot in ("•", "・", "．", "‧", "∙"):
        s = s.replace(dot, "·")
    return "".join(s.split())


def _record(
    ctx: HandlerContext, outcome: BindOutcome, worker_id: int | None = None, **detail: object
) -> None:
    ctx.session.add(
        BindingAttempt(
            userid=ctx.user.userid, at=ctx.now, outcome=outcome, worker_id=worker_id, detail=detail
        )
    )


def _locked_text() -> str:
    return (
        f"为保护务工人员信息，此账号今天已有{FAIL_LIMIT}次绑定信息不一致，今天暂停绑定，明天0点后可再试。"
        "请先对照身份证核对姓名和号码；如确认无误，请联系您所在项目的联系人核实登记信息，"
        "联系人也可以直接为您绑定账号。"
    )


def _id_problem(message: str) -> str:
    """check_id_number's reason without echoing the typed number (it would be stored in replies)."""
    if "18位" in message:
        return "身份证号应为18位（最后一位可为X），请核对"
    if "出生日期" in message:
        return "身份证号中的出生日期不对，请核对"
    return "身份证号校验位不对，可能有一位写错了，请对照身份证核对"


@router.command(
    "绑定",
    aliases=("绑定身份", "身份绑定", "绑定工人"),
    help="务工人员把企业微信账号绑定到自己的登记信息，之后可以查工资",
    example=BIND_EXAMPLE,
)
def bind(msg: Incoming, ctx: HandlerContext) -> Reply:
    session, userid = ctx.session, ctx.user.userid
    if ctx.user.worker_id is not None:
        own = session.get(Worker, ctx.user.worker_id)
        label = worker_label(own) if own else ""
        return Reply(
            f"您的企业微信账号已绑定务工人员 {label}，不用再绑定，发送“查工资”即可查询。"
            "如果绑定的不是您本人，请联系项目联系人“解绑”。"
        )
    # Count and check under one lock per account, in the database only (Redis could split
    # the count when it fails over): concurrent guesses queue here and see each other's misses.
    lock_key(session, f"bind:{userid}")
    if security.count(session, fail_key(userid), DAY, now=ctx.now) >= FAIL_LIMIT:
        _record(ctx, BindOutcome.LOCKED)
        return Reply("绑定暂停：" + _locked_text())
    name, number = _parse(ctx.args)
    pd = personal_data(ctx.settings.effective_data_key)
    # locked per worker too: two accounts with the right data must not both bind
    stmt = select(Worker).where(Worker.id_hash == pd.lookup_hash(number))
    worker = session.scalar(locked(session, stmt))
    if worker is not None and clean_name(worker.name) == name:
        if worker.wecom_userid is None:
            return _bound(ctx, worker)
        return _taken(ctx, worker)
    return _mismatch(ctx, name, worker)


def _parse(args: str) -> tuple[str, str]:
    """Name and normalized ID number; refusals never repeat what was typed."""
    try:
        fields, body = parse_fields(args, BIND_ALIASES)
    except UserError:
        fields, body = {}, ["?"]
    problems: list[str] = []
    if body:
        problems.append("请按“姓名：… 身份证：…”的格式填写，每项写成“键：值”")
    name = clean_name(fields.get("姓名", ""))
    raw = fields.get("身份证", "")
    if not body and not name:
        problems.append("缺少“姓名”")
    elif name and (len(name) > 30 or any(c.isdigit() for c in name)):
        problems.append("“姓名”请只写您的名字")
    number = ""
    if not body and not raw:
        problems.append("缺少“身份证”（18位身份证号）")
    elif raw:
        try:
            number, _ = check_id_number(raw)
        except UserError as err:
            problems.append(_id_problem(err.message))
    if problems:
        raise UserError(refusal(problems, BIND_EXAMPLE + "\n（换成您本人的姓名和身份证号）"))
    return name, number


def _bound(ctx: HandlerContext, worker: Worker) -> Reply:
    worker.wecom_userid = ctx.user.userid
    security.clear(ctx.session, fail_key(ctx.user.userid))
    _record(ctx, BindOutcome.BOUND, worker.id)
    ctx.audit("worker.bind", f"worker:{worker.id}", worker_id=worker.id)
    ctx.session.flush()
    projects = own_projects(ctx.session, worker.id)
    where = "、".join(p.code for p in projects) or "（暂未登记到项目）"
    return Reply(
        f"绑定成功：您的企业微信账号已绑定务工人员 {worker_label(worker)}，项目：{where}。\n"
        "现在可以发送“查工资”查看出工和工资，“查培训”查看培训，“我的信息”查看登记的信息。"
    )


def _taken(ctx: HandlerContext, worker: Worker) -> Reply:
    """Right name and ID, but bound elsewhere: ask the liaisons, bind nothing."""
    _record(ctx, BindOutcome.TAKEN, worker.id)
    ctx.audit("worker.bind_taken", f"worker:{worker.id}", worker_id=worker.id)
    day = window_start(ctx.now, DAY)
    for project in own_projects(ctx.session, worker.id):
        text = (
            f"【绑定提醒】企业微信账号 {ctx.user.userid} 用项目 {project.code} 务工人员 "
            f"{worker_label(worker)} 的姓名和身份证号申请绑定，但此人已绑定账号 {worker.wecom_userid}。"
            f"如确是本人换了账号，请先发送“解绑 项目：{project.code} 人员：{worker.name}”"
            "再让其重新绑定；如不是本人，请留意冒用。"
        )
        for to in _recipients(ctx.session, project):
            key = f"bind-taken:{ctx.user.userid}:{worker.id}:{day:%Y%m%d}:{to}"
            ctx.send(to, text, dedup_key=key, rule="binding")
    return Reply(
        "身份信息核对一致，但这位务工人员已经绑定了另一个企业微信账号。为防止冒用，本次没有绑定，"
        "已请项目联系人核实。如果您换了账号，请联系项目联系人先“解绑”旧账号，再重新绑定。"
    )


def _mismatch(ctx: HandlerContext, name: str, by_id: Worker | None) -> Reply:
    session, userid = ctx.session, ctx.user.userid
    candidates = {by_id.id} if by_id is not None else set()
    same_name = list(
        session.scalars(select(Worker.id).where(Worker.name == name).limit(NAME_CANDIDATES_MAX + 1))
    )
    if len(same_name) <= NAME_CANDIDATES_MAX:
        candidates.update(same_name)
    security.hit(session, fail_key(userid), DAY, FAIL_LIMIT, now=ctx.now)
    failures = security.count(session, fail_key(userid), DAY, now=ctx.now)
    _record(ctx, BindOutcome.MISMATCH, candidates=sorted(candidates))
    log.info("binding mismatch %d/%d for an account", failures, FAIL_LIMIT)
    if failures >= FAIL_LIMIT:
        ctx.audit("worker.bind_locked", f"account:{userid}", failures=failures)
        session.flush()
        _notify_lock(ctx)
        return Reply(MISMATCH + _locked_text())
    return Reply(
        MISMATCH
        + f"请对照身份证核对后重新发送（今天还可以再试{FAIL_LIMIT - failures}次）：\n{BIND_EXAMPLE}\n"
        "如确认无误仍不能绑定，请联系您所在项目的联系人核实登记信息。"
    )


def _notify_lock(ctx: HandlerContext) -> None:
    """Tell the liaisons of the workers today's tries pointed at (by ID, or by a rare name)."""
    session, userid = ctx.session, ctx.user.userid
    day = window_start(ctx.now, DAY)
    ids: set[int] = set()
    for attempt in attempts_since(session, userid, day):
        if attempt.outcome == BindOutcome.MISMATCH:
            ids.update(int(i) for i in attempt.detail.get("candidates", []))
    if not ids:
        return  # nobody to page; the audit log keeps the lock for admins
    rows = session.execute(
        select(Project, Worker)
        .join(ProjectWorker, ProjectWorker.project_id == Project.id)
        .join(Worker, Worker.id == ProjectWorker.worker_id)
        .where(Worker.id.in_(ids))
        .order_by(Project.code, Worker.id)
    ).all()
    lines: dict[str, list[str]] = defaultdict(list)
    for project, worker in rows:
        for to in _recipients(session, project):
            lines[to].append(f"· {project.code} {worker_label(worker)}")
    for to, found in lines.items():
        text = "\n".join(
            [
                f"【绑定锁定】企业微信账号 {userid} 今天{FAIL_LIMIT}次绑定务工人员身份没有成功，"
                "今天已暂停该账号绑定。填写的姓名或身份证号与您项目的以下登记人员相符：",
                *found,
                "如是本人（例如登记的姓名或号码有误），请核实更正，或发送“登记工人 项目：… 姓名：… "
                f"身份证：… 企业微信：{userid}”直接为其绑定；如不是本人，请留意冒用。",
            ]
        )
        ctx.send(to, text, dedup_key=f"bind-lock:{userid}:{day:%Y%m%d}:{to}", rule="binding")


def _recipients(session: Session, project: Project) -> list[str]:
    """The project's liaisons; its county admins when it has none."""
    return project_liaisons(session, project) or region_admins(session, project)


@router.command(
    "解绑",
    aliases=("解除绑定",),
    help="联系人解除务工人员与企业微信账号的绑定（例如换了手机或账号）",
    example=UNBIND_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def unbind(msg: Incoming, ctx: HandlerContext) -> Reply:
    try:
        fields, body = parse_fields(ctx.args, UNBIND_ALIASES)
    except UserError as err:
        raise UserError(refusal([err.message], UNBIND_EXAMPLE)) from None
    problems = ["缺少“项目”"] if not fields.get("项目") else []
    if not fields.get("人员"):
        problems.append("缺少“人员”（姓名或身份证号）")
    if body or problems:
        raise UserError(refusal(problems or ["请把每项写成“键：值”"], UNBIND_EXAMPLE))
    try:
        project = require_project(ctx, fields["项目"])
        worker = find_worker(ctx, project, fields["人员"])
    except UserError as err:
        raise UserError(refusal([err.message], UNBIND_EXAMPLE)) from None
    old = worker.wecom_userid
    if old is None:
        raise UserError(f"{worker_label(worker)} 没有绑定企业微信账号，不用解绑。")
    worker.wecom_userid = None
    ctx.audit("worker.unbind", project.code, worker_id=worker.id, account=old)
    ctx.send(
        old,
        "您的企业微信账号与务工人员信息的绑定已由项目联系人解除，此账号不能再查询工资。"
        f"如需重新绑定，请发送：\n{BIND_EXAMPLE}\n（换成您本人的姓名和身份证号）",
        rule="binding",
    )
    return Reply(
        f"已解除 {worker_label(worker)} 与企业微信账号 {old} 的绑定，并通知了该账号。"
        "本人可用新账号发送“绑定 姓名：… 身份证：…”重新绑定，"
        f"您也可以发送“登记工人 项目：{project.code} 姓名：… 身份证：… 企业微信：新账号”为其绑定。"
    )
