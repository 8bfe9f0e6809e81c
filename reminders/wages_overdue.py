"""Wages overdue: every working day, one digest card per liaison over all their late projects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from domain.owed import Owed
from models.calendar import projected_note
from models.money import format_fen
from reminders.engine import Moment, digest_lines, rule, task_id

RULE = "wages_overdue"
ACK_KEY = "overdue_ack"
DETAIL_KEY = "overdue_detail"


@dataclass
class ProjectLate:
    """One project's overdue wages, summed over its overdue periods."""

    label: str
    code: str
    workers: int = 0
    outstanding_fen: int = 0
    days_late: int = 0  # of the oldest overdue period


def late_projects(m: Moment) -> dict[int, ProjectLate]:
    """Projects with overdue wages as of the moment, from the unpaid aggregate."""
    out: dict[int, ProjectLate] = {}
    for u in m.unpaid:
        due = u.due
        if due >= m.today:
            continue
        p = m.projects[u.project_id]
        late = out.setdefault(u.project_id, ProjectLate(p.label, p.code))
        late.workers += u.workers  # worker-periods: a worker late for two months counts twice
        late.outstanding_fen += u.outstanding_fen
        late.days_late = max(late.days_late, (m.today - due).days)
    return out


@rule(RULE, title="工资逾期")
def wages_overdue(m: Moment) -> Iterator[Owed]:
    late = late_projects(m)
    per_liaison: dict[str, list[ProjectLate]] = defaultdict(list)
    for pid, item in late.items():
        for userid in m.liaisons.get(pid, []):
            per_liaison[userid].append(item)
    day = m.today.isoformat()
    note = projected_note(*{u.due for u in m.unpaid if u.due < m.today})
    for userid, items in sorted(per_liaison.items()):
        items.sort(key=lambda x: (-x.days_late, x.code))
        owed = Owed(RULE, userid, "digest", day, "")
        text = _text(items, day) + (f"\n{note}" if note else "")
        yield Owed(
            RULE, userid, "digest", day, text, msgtype="template_card",
            payload={"template_card": _card(items, day, task_id(owed.dedup_key)), "content": text},
        )  # fmt: skip


def _line(x: ProjectLate) -> str:
    return f"{x.workers} 人次 {format_fen(x.outstanding_fen)}，逾期 {x.days_late} 天"


def _text(items: list[ProjectLate], day: str) -> str:
    total = sum(x.outstanding_fen for x in items)
    lines = [f"· {x.label}：{_line(x)}" for x in items]
    return "\n".join(
        [
            f"【工资逾期未发】截至 {day}，您负责的 {len(items)} 个项目共 {format_fen(total)} 劳务报酬逾期未发：",
            *digest_lines(lines, "发送“欠薪”查看全部。"),
            "请尽快足额发放，发放后发送“发放 项目：… 期间：…”登记；逾期 3 天将报县级管理员，15 天报市级。",
        ]
    )


def _card(items: list[ProjectLate], day: str, task: str) -> dict[str, Any]:
    total = sum(x.outstanding_fen for x in items)
    return {
        "card_type": "button_interaction",
        "source": {"desc": "以工代赈助手"},
        "main_title": {"title": "劳务报酬逾期未发", "desc": f"截至 {day}"},
        "sub_title_text": (
            f"您负责的 {len(items)} 个项目共 {format_fen(total)} 逾期未发。请尽快足额发放，"
            "发放后发送“发放”登记。逾期 3 天报县级、15 天报市级管理员。"
        ),
        "horizontal_content_list": [{"keyname": x.code, "value": _line(x)} for x in items[:6]],
        "task_id": task,
        "button_list": [
            {"text": "已安排发放", "style": 1, "key": f"{ACK_KEY}:{day}"},
            {"text": "查看明细", "style": 2, "key": f"{DETAIL_KEY}:{day}"},
        ],
    }
