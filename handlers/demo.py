"""`yigong demo`: a small demo county to try every command in sandbox mode.

Two projects, an admin `demo-admin`, a liaison `demo-liaison`, a dozen workers (two bound:
`demo-worker`, `demo-worker-late`) and a month
of work, wages and training. It goes through the importers, which skip what is already
there, and its dates are anchored to the first run, so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import luhn
from stdnum.cn import ric

from bot.errors import UserError
from bot.settings import Settings
from handlers.tabular.columns import KINDS
from handlers.tabular.importer import ImportContext, run_import
from handlers.tabular.readers import Table
from models import Project
from models.calendar import is_workday

CODES = ("NT-DEMO-001", "ZT-DEMO-002")
PLACE = ("山西省", "忻州市", "五台县")
NAMES = [
    "张三",
    "李四",
    "王五",
    "赵六",
    "孙七",
    "周八",
    "吴九",
    "郑十",
    "冯春花",
    "陈秋生",
    "褚立平",
    "卫红梅",
]


def valid_id(region: str, birth: date, seq: int) -> str:
    """A well-formed resident ID number (real check digit) for demo and test data."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _month_start(d: date, back: int) -> date:
    y, m = d.year, d.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def _demo_account(i: int) -> list[str]:
    """A Luhn-valid demo bank card (or a 一卡通 account) for worker i."""
    if i % 4 == 3:
        return ["一卡通", f"7070{i:09d}", "五台县农村信用合作联社"]
    body = f"62220202000000{i:04d}"
    return ["银行卡", body + luhn.calc_check_digit(body), "五台县农商银行"]


def _table(kind: str, rows: Sequence[Sequence[object]]) -> Table:
    cols = KINDS[kind]
    return Table(
        cols,
        [  # optional trailing columns (accounts, phones) left blank
            (i, dict(zip(cols, [*map(str, r), *[""] * (len(cols) - len(r))], strict=True)))
            for i, r in enumerate(rows, start=2)
        ],
    )


def demo_tables(start: date) -> list[tuple[str, Table]]:
    """Every table of the demo county; the ledger month is the month after `start`."""
    month = _month_start(start + timedelta(days=40), 0)
    end = _month_start(month + timedelta(days=40), 0) - timedelta(days=1)
    period = f"{month:%Y-%m}"
    projects = [
        [
            CODES[0],
            "东关村道路硬化（演示）",
            "农推",
            "县",
            *PLACE,
            "五台县交通运输局",
            "东关建筑队",
            "东关村股份经济合作社",
            "2000000",
            "360000",
            "是",
            "以工代赈+资产收益",
            "15",
            start,
            end + timedelta(days=180),
            "",
            start.year,  # 项目年度
        ],
        [
            CODES[1],
            "西河村灌渠改造（演示）",
            "重推",
            "县",
            *PLACE,
            "五台县水利局",
            "西河水利工程公司",
            "",
            "1000000",
            "300000",
            "否",
            "",
            "10",
            start,
            end + timedelta(days=120),
            "",  # 重推: no floor, its share is shown, not judged
            start.year,
        ],
    ]
    contacts = [
        ["demo-admin", "演示管理员", "管理员", "五台县发展和改革局", *PLACE, ""],
        ["demo-liaison", "演示联系人", "联系人", "五台县东关镇人民政府", *PLACE, "、".join(CODES)],
    ]
    ids = [
        valid_id("142329", date(1970 + 2 * i, 1 + i % 12, 1 + i), 100 + i)
        for i in range(len(NAMES))
    ]
    workers, work, wages, training = [], [], [], []
    days = [month + timedelta(days=k) for k in range((end - month).days + 1)]
    workdays = [d for d in days if is_workday(d)][:20]
    for i, (name, number) in enumerate(zip(NAMES, ids, strict=True)):
        code = CODES[0] if i < 8 else CODES[1]
        wage = 150 if i < 8 else 180
        poor = "是" if i % 3 == 0 else "否"
        workers.append(
            [
                code,
                name,
                number,
                f"1380013{8000 + i:04d}",
                "东关村" if i < 8 else "西河村",
                poor,
                # Two workers already bound, one paid and one overdue, to try 查工资.
                {0: "demo-worker", 8: "demo-worker-late"}.get(i, ""),
                {4: "监测对象、返乡农民工", 9: "易地搬迁"}.get(i, ""),  # 人员类别
                *_demo_account(i),  # 账户类型, 账号, 开户行: try 工资表 / 代发文件
            ]
        )
        mine = workdays[i % 3 :: 1 + (i % 2)]
        work += [[code, number, d, 1 if k % 5 else 0.5, wage] for k, d in enumerate(mine)]
        if code == CODES[0]:
            total = sum((1 if k % 5 else 0.5) * wage for k in range(len(mine)))
            wages.append(
                [
                    code,
                    number,
                    period,
                    f"{total:.2f}",
                    end + timedelta(days=10),
                    "银行代发",
                    f"DG{month:%Y%m}{i:02d}",
                ]
            )
        if i % 2 == 0:
            training.append([code, number, workdays[0], "砌筑与安全生产", "以工代训", 4])
    return [
        ("projects", _table("projects", projects)),
        ("contacts", _table("contacts", contacts)),
        ("workers", _table("workers", workers)),
        ("work", _table("work", work)),
        ("wages", _table("wages", wages)),
        ("training", _table("training", training)),
    ]


def load_demo(session: Session, settings: Settings, today: date | None = None) -> str:
    """Load (or confirm) the demo county; returns a summary for the terminal."""
    today = today or datetime.now(settings.tz).date()
    start = session.scalar(select(Project.start_date).where(Project.code == CODES[0]))
    start = start or _month_start(today, 3)
    ic = ImportContext(session, settings, None, "cli", today)
    lines = []
    for kind, table in demo_tables(start):
        report = run_import(ic, kind, table)
        if not report.ok:
            raise UserError(report.text(f"demo {kind}"))
        lines.append(f"{kind}: 新写入 {report.written}，已存在 {report.skipped}")
    lines += [
        "",
        "演示县已就绪（可重复运行，不会重复写入）。试试：",
        "  yigong chat --user demo-liaison   然后发送：项目 / 查询 NT-DEMO-001 / 欠薪 / 帮助 记工",
        "  yigong chat --user demo-admin",
        "  yigong chat --user demo-worker        然后发送：查工资 / 查培训 / 我的信息",
        "  yigong chat --user demo-worker-late   然后发送：查工资 / 未收到",
    ]
    return "\n".join(lines)
