"""Who may change what: binding, personal data owned by another project, contacts, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.access import resolve_principal
from handlers.tabular.exporter import export_kind
from handlers.tabular.importer import import_bytes
from models import AuditLog, Contact, OutboxMessage, Region, Role, Worker
from models.privacy import mask_phone
from tests.handlers.ledger_fixtures import ADMIN, LIAISON, OTHER_LIAISON, Seed, seed_ledger


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def worker(session: Session, name: str) -> Worker:
    """The row, detached: reading it later must not open a transaction (SQLite's lock)."""
    try:
        w = session.scalar(select(Worker).where(Worker.name == name))
        assert w is not None
        session.expunge(w)
        return w
    finally:
        session.rollback()


def outbox(session: Session, to: str) -> list[str]:
    try:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to))
        return [r.payload["content"] for r in rows]
    finally:
        session.rollback()


def register(seed: Seed, name: str, code: str = "NT-2026-001", extra: str = "") -> str:
    return f"登记工人 项目：{code} 姓名：{name} 身份证：{seed.ids[name]} {extra}"


def test_register_never_rebinds_a_bound_worker(wecom, seed, session):
    r = wecom.text(OTHER_LIAISON, register(seed, "王五", "NT-2026-002", "企业微信：wang-own"))
    assert "绑定企业微信账号 wang-own" in r.text
    assert any("wang-own" in t for t in outbox(session, LIAISON))  # 王五 is on their project too
    assert worker(session, "王五").wecom_userid == "wang-own"
    # another county's liaison (王五 is on their project too) tries to move the binding
    r = wecom.text(LIAISON, register(seed, "王五", extra="企业微信：thief"))
    assert "已绑定另一个企业微信账号" in r.text and "解绑" in r.text
    assert "wang-own" not in r.text  # the other account is not named
    assert worker(session, "王五").wecom_userid == "wang-own"
    assert outbox(session, "thief") == []
    # the workers import refuses it the same way
    admin = resolve_principal(session, ADMIN)
    data = (
        "项目编号,姓名,身份证号,手机,村,脱贫户,企业微信账号\n"
        f"NT-2026-001,王五,{seed.ids['王五']},,,,thief\n"
    ).encode()
    report = import_bytes(
        session,
        wecom.settings,
        "workers",
        "w.csv",
        data,
        actor=admin,
        channel="file",
        today=seed.today,
    )
    assert not report.ok and "已绑定另一个企业微信账号" in report.text()
    session.rollback()
    assert worker(session, "王五").wecom_userid == "wang-own"


def test_binding_by_a_liaison_is_audited_and_told(wecom, seed, session):
    wecom.text(LIAISON, register(seed, "张三", extra="企业微信：zhang-acct"))
    told = outbox(session, "zhang-acct")
    assert len(told) == 1 and "绑定" in told[0] and seed.ids["张三"] not in told[0]
    try:
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "worker.bind")).all()
        assert [a.detail["account"] for a in audit] == ["zhang-acct"]
        assert audit[0].actor == LIAISON
    finally:
        session.rollback()


def test_personal_data_of_another_project_is_not_overwritten(wecom, seed, session):
    """王五 is also on 代县's project: 五台县's liaison cannot change his phone or village."""
    before = worker(session, "王五")
    r = wecom.text(LIAISON, register(seed, "王五", extra="手机：13911112222 村：假村"))
    assert "本次未修改" in r.text
    after = worker(session, "王五")
    assert (after.phone_masked, after.village) == (before.phone_masked, before.village)
    # 张三 is only on this liaison's project: the liaison may update him
    r = wecom.text(LIAISON, register(seed, "张三", extra="手机：13911112222 村：东关村"))
    assert worker(session, "张三").phone_masked == mask_phone("13911112222")


def _contacts_csv(*rows: str) -> bytes:
    return ("企业微信账号,姓名,角色,单位,省,市,县,负责项目\n" + "\n".join(rows) + "\n").encode()


def test_county_admin_cannot_touch_contacts_outside_their_scope(session, settings, seed):
    province = Region(province="山西省", city="", county="")
    session.add(province)
    session.flush()
    session.add(
        Contact(userid="prov-admin", name="省管理员", role=Role.ADMIN, region_id=province.id)
    )
    session.commit()
    admin = resolve_principal(session, ADMIN)  # 五台县
    data = _contacts_csv("prov-admin,省管理员,联系人,,山西省,忻州市,五台县,NT-2026-001")
    report = import_bytes(
        session, settings, "contacts", "c.csv", data, actor=admin, channel="file", today=seed.today
    )
    assert not report.ok and "管理范围以外" in report.text()
    session.rollback()
    c = session.scalar(select(Contact).where(Contact.userid == "prov-admin"))
    assert c is not None and c.role == Role.ADMIN and c.region_id == province.id
    session.rollback()
    # 代县's liaison is outside 五台县 too, even when the new row would be inside
    data = _contacts_csv(f"{OTHER_LIAISON},赵联络,联系人,,山西省,忻州市,五台县,")
    report = import_bytes(
        session, settings, "contacts", "c.csv", data, actor=admin, channel="file", today=seed.today
    )
    assert not report.ok
    session.rollback()


def test_liaison_contacts_export_lists_only_their_projects(session, settings, seed, tmp_path: Path):
    liaison = resolve_principal(session, LIAISON)
    path = tmp_path / "c.csv"
    export_kind(session, settings, "contacts", path, actor=liaison)
    text = path.read_text(encoding="utf-8-sig")
    assert LIAISON in text
    assert OTHER_LIAISON not in text and ADMIN not in text
    admin = resolve_principal(session, ADMIN)
    export_kind(session, settings, "contacts", path, actor=admin)
    text = path.read_text(encoding="utf-8-sig")
    assert LIAISON in text and ADMIN in text and OTHER_LIAISON not in text


def test_a_wrong_name_refusal_names_nobody_outside_scope(wecom, seed, session):
    """代县's liaison types 张三's ID number (a 五台县 worker) with another name."""
    typed = f"登记工人 项目：NT-2026-002 姓名：赵六 身份证：{seed.ids['张三']}"
    r = wecom.text(OTHER_LIAISON, typed)
    assert "不符" in r.text and "张三" not in r.text
    own = f"登记工人 项目：NT-2026-001 姓名：赵六 身份证：{seed.ids['张三']}"
    assert "张三" in wecom.text(LIAISON, own).text  # the worker's own liaison may see it
