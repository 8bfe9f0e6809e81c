"""Imports of the registers: projects, contacts (admins and liaisons, with roles), workers."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import select

from bot.errors import UserError
from domain.access import within_scope
from domain.parsing import (
    check_id_number,
    check_person_name,
    check_phone,
    check_working_age,
    parse_amount,
    parse_bool,
    parse_date,
)
from handlers.ledger.accounts import Account, check_account, check_account_type
from handlers.ledger.people import WorkerInput, check_group, register_workers
from handlers.tabular.importer import ImportContext, ImportReport, check, resolve_codes
from handlers.tabular.readers import Table
from models import Contact, PriorityGroup, Project, ProjectCategory, ProjectLiaison, Region, Role
from models.people import join_groups, split_groups
from models.privacy import personal_data

_LEVELS = {"省": "省", "省级": "省", "市": "市", "市级": "市", "县": "县", "县级": "县"}
_ROLES = {
    "管理员": Role.ADMIN,
    "admin": Role.ADMIN,
    "联系人": Role.LIAISON,
    "定点联系人": Role.LIAISON,
    "liaison": Role.LIAISON,
}


def parse_share(text: str) -> Decimal:
    """`15%`, `0.15` or `15` → Decimal('0.15')."""
    s = text.strip().rstrip("%％")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise UserError(f"劳务报酬最低占比“{text}”看不懂，请写 15% 或 0.15") from None
    if "%" in text or "％" in text or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise UserError(f"劳务报酬最低占比“{text}”应在 0 到 100% 之间")
    return value


class Regions:
    """Get-or-create regions by their names, one query up front."""

    def __init__(self, ic: ImportContext) -> None:
        self.session = ic.session
        self.known = {(r.province, r.city, r.county): r for r in ic.session.scalars(select(Region))}

    def get(self, province: str, city: str, county: str) -> Region:
        key = (province, city, county)
        if key not in self.known:
            region = Region(province=province, city=city, county=county)
            self.session.add(region)
            self.session.flush()
            self.known[key] = region
        return self.known[key]


def _region_names(
    ic: ImportContext, report: ImportReport, n: int, v: dict[str, str]
) -> tuple[str, str, str] | None:
    province, city, county = v["省"].strip(), v.get("市", "").strip(), v.get("县", "").strip()
    if not province:
        report.add(n, "缺少“省”")
        return None
    if county and not city:
        report.add(n, "写了县却没写市")
        return None
    if ic.actor is not None and not within_scope(ic.actor.scope, province, city, county):
        report.add(n, f"{province}{city}{county} 不在您的管理范围内")
        return None
    return province, city, county


def _set(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for k, val in values.items():
        if getattr(obj, k) != val:
            setattr(obj, k, val)
            changed = True
    return changed


def import_projects(ic: ImportContext, table: Table, report: ImportReport) -> None:
    if ic.actor is not None and not ic.actor.is_admin:
        raise UserError("只有管理员可以导入项目清单")
    regions = Regions(ic)
    planned: list[tuple[int, str, tuple[str, str, str], dict[str, Any]]] = []
    seen: set[str] = set()
    for n, v in table.rows:
        code = v["项目编号"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]{1,39}", code):
            report.add(n, f"项目编号“{code}”应为字母、数字和横线，如 NT-2026-001")
        elif code in seen:
            report.add(n, f"项目编号 {code} 在文件中出现两次")
        seen.add(code)
        if not v["项目名称"].strip():
            report.add(n, "缺少项目名称")
        category = v["类别"].strip()
        if category not in {c.value for c in ProjectCategory}:
            report.add(n, f"类别“{category}”应为 重推、农推 或 专项")
        level = _LEVELS.get(v["清单级别"].strip())
        if level is None:
            report.add(n, f"清单级别“{v['清单级别']}”应为 省、市 或 县")
        names = _region_names(ic, report, n, v)
        fiscal = check(report, n, parse_amount, v["财政资金(元)"] or "0")
        planned_fen = check(report, n, parse_amount, v["计划劳务报酬(元)"] or "0")
        xianjie = check(report, n, parse_bool, v["使用衔接资金"])
        pay_day = v["发放日"].strip().removesuffix("日") or "15"
        if not pay_day.isdigit() or not 1 <= int(pay_day) <= 28:
            report.add(n, f"发放日“{v['发放日']}”应为每月 1 到 28 日中的一天")
            pay_day = "15"
        start = check(report, n, parse_date, v["开工日期"], ic.today) if v["开工日期"] else None
        end = (
            check(report, n, parse_date, v["计划完工日期"], ic.today)
            if v.get("计划完工日期")
            else None
        )
        if start and end and end < start:
            report.add(n, "计划完工日期早于开工日期")
        share = (
            check(report, n, parse_share, v["劳务报酬最低占比"])
            if v.get("劳务报酬最低占比")
            else None
        )
        year_text = v.get("项目年度", "").strip().removesuffix("年")
        year = None
        if year_text:
            if year_text.isdigit() and 2000 <= int(year_text) <= 2100:
                year = int(year_text)
            else:
                report.add(n, f"项目年度“{v['项目年度']}”应为年份，如 2027")
        if names is None or not report.ok:
            continue
        planned.append(
            (
                n,
                code,
                names,
                {
                    "name": v["项目名称"].strip()[:200],
                    "category": category,
                    "list_level": level,
                    "owner_unit": v.get("业主单位", "")[:200],
                    "contractor": v.get("施工单位", "")[:200],
                    "labour_org": v.get("劳务组织", "")[:200],
                    "fiscal_funds_fen": fiscal,
                    "planned_labour_fen": planned_fen,
                    "uses_xianjie": bool(xianjie),
                    "relief_model": v.get("赈济模式", "")[:100],
                    "pay_day": int(pay_day),
                    "start_date": start,
                    "planned_end_date": end,
                    "min_labour_share": share,
                    # a file without the column keeps the year already stored
                    **({"list_year": year} if "项目年度" in table.headers else {}),
                },
            )
        )
    if not report.ok:
        return
    existing = {
        p.code: p for p in ic.session.scalars(select(Project).where(Project.code.in_(seen)))
    }
    created: list[Project] = []
    for n, code, names, values in planned:
        values["region_id"] = regions.get(*names).id
        project = existing.get(code)
        if project is None:
            project = Project(code=code, created_by=ic.actor_id, **values)
            ic.session.add(project)
            created.append(project)
            report.written += 1
        elif (
            ic.actor is not None
            and project.region_id != values["region_id"]
            and not within_scope(
                ic.actor.scope, project.region.province, project.region.city, project.region.county
            )
        ):
            report.add(n, f"项目 {code} 已存在且不在您的管理范围内")
        elif _set(project, values):
            report.updated += 1
        else:
            report.skipped += 1
    ic.session.flush()
    _check_labour_ratio(ic, created)


def _check_labour_ratio(ic: ImportContext, projects: list[Project]) -> None:
    """A project registered below its labour-share floor is flagged to its county at once (SPEC §6)."""
    from domain.owed import emit
    from reminders.labour_share import labour_ratio_messages

    now = datetime.now(ic.settings.tz)
    for project in projects:
        emit(ic.session, labour_ratio_messages(ic.session, project, now, event="registered"), now)


def import_contacts(ic: ImportContext, table: Table, report: ImportReport) -> None:
    if ic.actor is not None and not ic.actor.is_admin:
        raise UserError("只有管理员可以导入联系人")
    regions = Regions(ic)
    wanted = {
        c.strip().upper()
        for _, v in table.rows
        for c in re.split(r"[、,，;；\s]+", v.get("负责项目", ""))
        if c.strip()
    }
    projects = resolve_codes(ic, wanted)
    planned = []
    seen: set[str] = set()
    for n, v in table.rows:
        userid = v["企业微信账号"].strip()
        if not userid or len(userid) > 64:
            report.add(n, "缺少企业微信账号（userid）")
        elif userid in seen:
            report.add(n, f"企业微信账号 {userid} 在文件中出现两次")
        seen.add(userid)
        name = v["姓名"].strip()
        if not name:
            report.add(n, "缺少姓名")
        role = _ROLES.get(v["角色"].strip())
        if role is None:
            report.add(n, f"角色“{v['角色']}”应为 管理员 或 联系人")
        names = _region_names(ic, report, n, v)
        codes = [
            c.strip().upper()
            for c in re.split(r"[、,，;；\s]+", v.get("负责项目", ""))
            if c.strip()
        ]
        for code in codes:
            if code not in projects:
                report.add(n, f"负责项目 {code} 不存在或不在您的管理范围内")
        phone = check(report, n, check_phone, v["手机"]) if v.get("手机") else ""
        if report.ok and names is not None:
            planned.append((userid, name, role, v.get("单位", "")[:200], names, codes, phone))
    if not report.ok:
        return
    existing = {
        c.userid: c for c in ic.session.scalars(select(Contact).where(Contact.userid.in_(seen)))
    }
    if ic.actor is not None:
        # A row may touch a contact only when its *current* region is in scope too.
        for n, v in table.rows:
            c = existing.get(v["企业微信账号"].strip())
            if c is not None and not (
                c.region is not None
                and within_scope(ic.actor.scope, c.region.province, c.region.city, c.region.county)
            ):
                report.add(
                    n, f"企业微信账号 {c.userid} 已是您管理范围以外的联系人或管理员，不能修改"
                )
        if not report.ok:
            return
    links = {
        (p, c)
        for p, c in ic.session.execute(select(ProjectLiaison.project_id, ProjectLiaison.contact_id))
    }
    pd = personal_data(ic.settings.effective_data_key)
    for userid, name, role, unit, names, codes, phone in planned:
        values = {
            "name": name,
            "role": str(role),
            "unit": unit,
            "region_id": regions.get(*names).id,
        }
        contact = existing.get(userid)
        changed = is_new = contact is None
        if contact is None:
            contact = Contact(userid=userid, **values)
            ic.session.add(contact)
            ic.session.flush()
            report.written += 1
        else:
            changed = _set(contact, values)
        if phone and (not contact.phone_cipher or pd.decrypt(contact.phone_cipher) != phone):
            contact.phone_cipher = pd.encrypt(phone)  # published on 公示 as the complaint phone
            changed = True
        for code in codes:
            key = (projects[code].id, contact.id)
            if key not in links:
                links.add(key)
                ic.session.add(ProjectLiaison(project_id=key[0], contact_id=key[1]))
                changed = True
        if not is_new:
            if changed:
                report.updated += 1
            else:
                report.skipped += 1
    ic.session.flush()


def _account(report: ImportReport, n: int, v: dict[str, str]) -> Account | None | Literal[False]:
    """The row's account; None when absent or masked (an export re-imported), False when bad."""
    number = v.get("账号", "").strip()
    if not number or "*" in number:
        return None
    kind = check(report, n, check_account_type, v.get("账户类型") or "银行卡")
    if kind is None:
        return False
    account = check(report, n, check_account, kind, number, v.get("开户行", ""))
    return False if account is None else account


def import_workers(ic: ImportContext, table: Table, report: ImportReport) -> None:
    projects = resolve_codes(ic, {v["项目编号"].strip().upper() for _, v in table.rows})
    inputs: list[WorkerInput] = []
    for n, v in table.rows:
        code = v["项目编号"].strip().upper()
        if code not in projects:
            report.add(n, f"项目 {code or '（空）'} 不存在或您无权操作")
        name = check(report, n, check_person_name, v["姓名"]) or ""
        checked = check(report, n, check_id_number, v["身份证号"])
        if checked and check(report, n, check_working_age, checked[0], ic.today) is None:
            checked = None
        if checked and checked[1]:
            report.warnings.extend((n, w) for w in checked[1])
        phone = check(report, n, check_phone, v["手机"]) if v.get("手机") else ""
        # 人员类别 lists every group; 脱贫户 (是/否, or a group name as older files have it)
        # adds to it
        groups = split_groups(check(report, n, check_group, v.get("人员类别", "")) or "")
        flag = v.get("脱贫户", "").strip()
        if flag:
            try:
                if parse_bool(flag):
                    groups.append(PriorityGroup.POVERTY_ALLEVIATED.value)
            except UserError:
                groups += split_groups(check(report, n, check_group, flag) or "")
        group = join_groups(groups)
        account = _account(report, n, v)
        if checked and code in projects and name and phone is not None and account is not False:
            inputs.append(
                WorkerInput(
                    str(n),
                    projects[code],
                    name,
                    checked[0],
                    phone,
                    v.get("村", "")[:64],
                    group,
                    v.get("企业微信账号", "").strip(),
                    account=account if account else None,
                )
            )
    if not report.ok:
        return
    results, problems = register_workers(
        ic.session, ic.settings, inputs, ic.actor_id, ic.channel, user=ic.actor
    )
    for where, message in problems:
        report.add(int(where), message)
    for r in results:
        if r.added:
            report.written += 1
        else:
            report.skipped += 1
