"""微信客服 behaviour: who a customer is, the tap menu, 转人工, 邀请 (the 客服 link and QR code).

A customer (account `kf:` + external_userid) is a bound worker or a guest, never a liaison
or admin, whatever the data says. Everything else they send takes the ordinary router.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import Session

from bot.context import HandlerContext, Incoming, Principal, Reply
from bot.errors import UserError
from bot.jobs import JobContext
from bot.router import Router
from domain.access import BIND_EXAMPLE, require_project, require_worker
from domain.parsing import parse_fields, refusal
from handlers.wage_link import wage_link_text
from handlers.worker_self import own_projects, throttle
from models import KF_PREFIX, Contact, Project, ProjectLiaison, Role, Worker
from models.outbox import Outgoing, enqueue

JOB_KIND = "kf_invite"  # run by `invite_job` (listed in bot/wiring.py)
router = Router("kf_channel")

# The taps of the menu message: id → the text it stands for.
MENU: list[tuple[str, str]] = [
    ("wages", "查工资"),
    ("unpaid", "未收到"),
    ("page", "工资页"),
    ("policy", "问政策"),
    ("human", "转人工"),
]
MENU_TEXT = dict(MENU)
INVITE_EXAMPLE = "邀请 项目：NT-2026-001"
POLICY_EXAMPLES = ("以工代赈项目工资多久发一次？", "农推项目劳务报酬比例有什么要求？")


@dataclass
class Menu:
    """A tap menu: a head text, click items (id, label), a tail text."""

    head: str
    items: list[tuple[str, str]] = field(default_factory=lambda: list(MENU))
    tail: str = ""


@dataclass
class KfAnswer:
    """What the bot sends back to one customer message: text, or a menu."""

    text: str = ""
    menu: Menu | None = None


def is_kf(userid: str) -> bool:
    return userid.startswith(KF_PREFIX)


@functools.cache
def _bound_worker_stmt() -> Select[int]:
    """Built once (this runs for every customer message)."""
    return select(Worker.id).where(Worker.wecom_userid == bindparam("userid", type_=String))


def resolve_kf_principal(session: Session, userid: str) -> Principal:
    """A customer is their bound worker or a guest; contacts are never looked up."""
    with session.no_autoflush:
        worker_id = session.scalar(_bound_worker_stmt(), {"userid": userid})
    if worker_id is not None:
        return Principal(userid=userid, role=Role.WORKER, worker_id=worker_id)
    return Principal(userid=userid, role=Role.GUEST)


def text_of_tap(menu_id: str) -> str | None:
    """The command a menu tap stands for (None: not one of ours)."""
    return MENU_TEXT.get(menu_id)


_ACCOUNT = re.compile(r"企业微信账号：kf:\S+?（已绑定）")


def kf_wording(text: str) -> str:
    """Replies written for WeCom members, worded for a WeChat customer."""
    text = _ACCOUNT.sub("微信：已绑定（微信客服）", text)
    return (
        text.replace("您的企业微信账号", "您的微信")
        .replace("此企业微信账号", "此微信")
        .replace("企业微信里", "微信里")
    )


def respond(
    msg: Incoming, ctx: HandlerContext, dispatch: Callable[[Incoming, HandlerContext], Reply]
) -> KfAnswer:
    """Answer one customer message: 帮助 becomes the tap menu, the rest takes the router."""
    found = ctx.services.router.match(msg.text) if ctx.services is not None else None
    if found is not None and found[0].name == "帮助" and not found[1].strip():
        return KfAnswer(menu=help_menu(ctx))
    reply = dispatch(msg, ctx)
    return KfAnswer(kf_wording(reply.text))


def _who(ctx: HandlerContext) -> str:
    if ctx.user.worker_id is None:
        return (
            "您还没有绑定务工人员信息。绑定后可以查自己的出工和工资，请发送（换成本人的姓名和身份证号）：\n"
            + BIND_EXAMPLE
        )
    worker = ctx.session.get(Worker, ctx.user.worker_id)
    return f"您已绑定务工人员 {worker.name if worker else ''}。"


def help_menu(ctx: HandlerContext) -> Menu:
    return Menu(
        head="以工代赈助手可以帮您：查自己的出工和工资、反映工资没收到、回答以工代赈政策问题。\n"
        + _who(ctx)
        + "\n点下面的选项，或直接打字提问：",
        tail="也可以发送：查培训、我的信息、绑定、帮助",
    )


def welcome_menu(session: Session, principal: Principal, project: Project | None) -> Menu:
    """The welcome on enter_session, naming the project of the QR code scanned."""
    lines = ["您好，这里是以工代赈助手。"]
    if project is not None:
        lines.append(f"您是从项目 {project.code} {project.name} 的二维码进来的。")
    if principal.worker_id is None:
        lines.append(
            "查工资前请先绑定：发送“绑定 姓名：张三 身份证：142329198503121233”（换成本人的）。"
        )
    lines.append("点下面的选项，或直接打字提问：")
    return Menu(head="\n".join(lines), tail="欠薪也可以拨打劳动保障监察投诉电话 12333。")


@router.command(
    "问政策",
    aliases=("政策问题", "问问题"),
    help="问以工代赈政策，直接打字提问即可",
    example=POLICY_EXAMPLES[0],
    hidden=True,
)
def ask_policy(msg: Incoming, ctx: HandlerContext) -> Reply:
    examples = "\n".join(f"· {q}" for q in POLICY_EXAMPLES)
    return Reply(f"请直接打字提问，助手会引用政策原文回答。例如：\n{examples}")


def _liaisons(session: Session, project_ids: list[int]) -> list[tuple[str, str, str, str]]:
    """(project code, userid, name, unit) of the liaisons of these projects."""
    rows = session.execute(
        select(Project.code, Contact.userid, Contact.name, Contact.unit)
        .join(ProjectLiaison, ProjectLiaison.project_id == Project.id)
        .join(Contact, Contact.id == ProjectLiaison.contact_id)
        .where(Project.id.in_(project_ids), Contact.role == Role.LIAISON)
        .order_by(Project.code, Contact.userid)
    ).all()
    return [(str(c), str(u), str(n or u), str(unit or "")) for c, u, n, unit in rows]


def preselected_project(session: Session, userid: str) -> Project | None:
    """The project of the QR code the customer came through, if any."""
    from models import KfCustomer

    if not is_kf(userid):
        return None
    customer = session.get(KfCustomer, userid.removeprefix(KF_PREFIX))
    if customer is None or not customer.project_code:
        return None
    return session.scalar(select(Project).where(Project.code == customer.project_code))


@router.command(
    "工资页",
    aliases=("我的工资页", "工资网页", "工资明细", "工资链接", "网页查工资"),
    help="务工人员打开自己的工资明细网页；微信客服里发来一个只能打开一次的链接（需先“绑定”）",
    example="工资页",
)
def wage_page(msg: Incoming, ctx: HandlerContext) -> Reply:
    worker = require_worker(ctx)
    throttle(ctx)
    return Reply(wage_link_text(ctx, worker))


@router.command(
    "转人工",
    aliases=("人工", "人工客服", "转联系人", "找联系人", "联系人工"),
    help="微信客服里把对话转给项目联系人（联系人是客服接待人员时）",
    example="转人工",
)
def to_human(msg: Incoming, ctx: HandlerContext) -> Reply:
    session = ctx.session
    projects: list[Project] = []
    if ctx.user.worker_id is not None:
        projects = own_projects(session, ctx.user.worker_id)
    chosen = preselected_project(session, ctx.user.userid)
    if chosen is not None and all(p.id != chosen.id for p in projects):
        projects.insert(0, chosen)
    liaisons = _liaisons(session, [p.id for p in projects])
    if not liaisons:
        where = "" if projects else "您还没有绑定务工人员信息，不知道您是哪个项目的。"
        return Reply(
            f"{where}暂时没有可以转接的项目联系人。工资问题可以发送“未收到”转给联系人处理，"
            "也可以拨打劳动保障监察投诉电话 12333。"
        )
    names = "、".join(
        f"{name}（{code}{'，' + unit if unit else ''}）" for code, _, name, unit in liaisons
    )
    if not is_kf(ctx.user.userid):
        return Reply(f"您的项目联系人：{names}。请在企业微信里直接联系。")
    fallback = (
        f"您的项目联系人：{names}。联系人现在不在微信客服接待，没能转接。"
        "可以到工地或村委会找联系人；工资没收到请发送“未收到”，会转给联系人处理；"
        "也可以拨打劳动保障监察投诉电话 12333。"
    )
    ctx.send(
        ctx.user.userid,
        "",
        msgtype="kf_trans",
        payload={
            "candidates": [userid for _, userid, _, _ in liaisons],
            "names": {userid: name for _, userid, name, _ in liaisons},
            "connected": "正在为您转接项目联系人{name}，请稍候，联系人会在这里回复您。",
            "fallback": fallback,
            "reply_to": msg.msg_id or "",
        },
        dedup_key=f"kf-trans:{msg.dedup_key}",
        rule="kf-reply",
    )
    return Reply.empty()


@router.command(
    "邀请",
    aliases=("客服邀请", "客服二维码", "邀请工人"),
    help="生成项目的微信客服链接和二维码，贴在工地，务工群众用微信扫码即可查工资",
    example=INVITE_EXAMPLE,
    roles=(Role.ADMIN, Role.LIAISON),
)
def invite(msg: Incoming, ctx: HandlerContext) -> Reply:
    try:
        fields, body = parse_fields(ctx.args, {"项目": ("项目编号", "编号")})
    except UserError as err:
        raise UserError(refusal([err.message], INVITE_EXAMPLE, writes=False)) from None
    if body or not fields.get("项目"):
        raise UserError(refusal(["请写明项目：项目：NT-2026-001"], INVITE_EXAMPLE, writes=False))
    project = require_project(ctx, fields["项目"])
    ctx.enqueue_job(JOB_KIND, f"kf-invite:{msg.dedup_key}", {"project": project.code})
    ctx.audit("kf.invite", project.code)
    return Reply(f"正在生成项目 {project.code} 的微信客服链接和二维码，稍后发给您。")


def invite_text(project: Project, url: str) -> str:
    return (
        f"项目 {project.code} {project.name} 的微信客服链接：\n{url}\n"
        "二维码图片随后发出，可打印贴在工地和村务公开栏。务工群众用微信扫码（或点链接）即可进入，"
        "发送“绑定 姓名：… 身份证：…”后能查自己的出工和工资、反映工资没收到。"
    )


def qr_png(url: str) -> bytes:
    """A printable QR code of the link."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10, border=4)
    return buf.getvalue()


def invite_job(session: Session, jc: JobContext) -> str:
    from bot.kf import invite_link

    code = str(jc.job.payload.get("project", ""))
    project = session.scalar(select(Project).where(Project.code == code))
    if project is None:
        raise UserError(f"没有找到项目 {code}。")
    url = invite_link(jc.services, project)
    text = invite_text(project, url)
    enqueue(  # the link first, then the picture
        session,
        [
            Outgoing(jc.job.user_id, {"content": text}, dedup_key=f"job:{jc.job.id}", rule="job"),
            Outgoing(
                jc.job.user_id,
                {
                    "png_base64": base64.b64encode(qr_png(url)).decode(),
                    "filename": f"kf-{project.id}.png",
                },
                dedup_key=f"job:{jc.job.id}:qr",
                rule="job",
                msgtype="image",
            ),
        ],
    )
    session.flush()
    return ""


def unreachable_note(ctx: HandlerContext, worker: Worker) -> str | None:
    """For staff: why a 微信客服 worker cannot be written to now, and how to reach them."""
    from bot.kf_sender import window_open
    from models import KfCustomer
    from models.base import utcnow

    account = worker.wecom_userid or ""
    if not is_kf(account):
        return None
    customer = ctx.session.get(KfCustomer, account.removeprefix(KF_PREFIX))
    if window_open(customer, utcnow()):  # WeCom's clock, not the (replayable) business one
        return None
    return (
        f"{worker.name}通过微信客服联系助手，已超过48小时没有发消息，微信客服不能再给他发消息。"
        f"请电话告知本人（手机 {worker.phone_masked or '未登记'}，完整号码见台账）。"
    )


def drop_notice(ctx: HandlerContext, worker: Worker, what: str) -> dict[str, str]:
    """`on_drop` of a push to a 微信客服 worker: the author hears if it could not be sent."""
    return {
        "to": ctx.user.userid,
        "content": f"{what}没能发给{worker.name}：微信客服只能在本人发消息后48小时内回复。"
        f"请电话告知本人（手机 {worker.phone_masked or '未登记'}）。",
    }
