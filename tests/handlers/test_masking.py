"""ID numbers and phones never leave in clear, whatever was typed; stored replies are keyed by
sender and pruned; logs carry no names."""

from __future__ import annotations

import dataclasses
import io
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.jobs import JobContext, run_pending
from bot.observability import JsonFormatter, PersonalDataFilter
from bot.retention import keep_for, prune_stored_replies
from models import InboundMessage, Job, OutboxMessage
from models.base import utcnow
from models.privacy import mask_id, mask_text
from tests.handlers.ledger_fixtures import LIAISON, Seed, seed_ledger
from tests.handlers.worker_fixtures import make_id

TYPED_ID = make_id("142329", date(1992, 2, 2), 222)  # valid, nobody's
FULLWIDTH_ID = TYPED_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
PHONE = "13911112222"


@pytest.fixture
def seed(session: Session, settings) -> Seed:  # type: ignore[no-untyped-def]
    return seed_ledger(session, settings)


def stored(session: Session) -> list[str]:
    try:
        rows = session.scalars(select(InboundMessage.reply_text)).all()
        return list(rows)
    finally:
        session.rollback()


@pytest.mark.parametrize(
    "typed", [TYPED_ID, FULLWIDTH_ID, f"{TYPED_ID[:6]} {TYPED_ID[6:14]} {TYPED_ID[14:]}"]
)
def test_refusals_that_echo_input_are_masked_in_reply_and_at_rest(wecom, seed, session, typed):
    day = f"{seed.today - timedelta(days=1):%Y-%m-%d}"
    r = wecom.text(LIAISON, f"记工 项目：NT-2026-001 日期：{day} 日薪：150\n{typed} 1天")
    assert "没有写入" in r.text or "没有" in r.text
    assert mask_id(TYPED_ID) in r.text, r.text
    assert TYPED_ID not in r.text and FULLWIDTH_ID not in r.text and TYPED_ID[6:14] not in r.text
    assert all(TYPED_ID[6:14] not in t for t in stored(session))
    r = wecom.text(LIAISON, f"登记工人 项目：NT-2026-001 姓名：张三 手机：{PHONE} 乱写 {PHONE}")
    assert PHONE not in r.text and "139****2222" in r.text


def test_queued_messages_are_masked_at_rest_and_on_the_wire(session, settings, seed):
    session.add(
        OutboxMessage(recipient=LIAISON, payload={"content": f"号码 {TYPED_ID} 电话 {PHONE}"})
    )
    session.commit()
    try:
        content = session.scalar(select(OutboxMessage.payload))["content"]  # type: ignore[index]
    finally:
        session.rollback()
    assert TYPED_ID not in content and PHONE not in content
    assert content == mask_text(f"号码 {TYPED_ID} 电话 {PHONE}")


def _echo(session: Session, jc: JobContext) -> str:
    """A job whose report quotes a file's cell (as an import report does)."""
    return f"第2行：身份证号 {jc.job.payload['cell']} 不存在"


def test_a_job_report_is_masked(session, settings, seed, services):
    session.add(Job(kind="test-echo", key="k1", user_id=LIAISON, payload={"cell": TYPED_ID}))
    session.commit()
    kinds = {**services.registry.job_kinds, "test-echo": _echo}
    services.registry = dataclasses.replace(services.registry, job_kinds=kinds)
    assert run_pending(services.session_factory, services) == 1
    try:
        job = session.scalar(select(Job))
        assert job is not None and mask_id(TYPED_ID) in job.result
        assert TYPED_ID not in job.result
        sent = session.scalar(select(OutboxMessage.payload).where(OutboxMessage.rule == "job"))
        assert sent is not None and TYPED_ID not in sent["content"]
    finally:
        session.rollback()


def test_a_stored_reply_is_found_only_by_its_sender(wecom, seed, session):
    mine = wecom.text(LIAISON, "查询 项目：NT-2026-001", msg_id="5550001")
    theirs = wecom.text("stranger", "帮助", msg_id="5550001")  # the same MsgId, another sender
    assert mine.text and theirs.text and theirs.text != mine.text
    assert "NT-2026-001" not in theirs.text


def test_stored_reply_text_is_pruned_after_the_retry_window(wecom, seed, session, settings):
    first = wecom.text(LIAISON, "查询 项目：NT-2026-001", msg_id="5550002")
    assert first.text
    old = utcnow() - keep_for(settings.wecom_replay_window) - timedelta(minutes=1)
    session.execute(update(InboundMessage).values(received_at=old))
    assert prune_stored_replies(session, utcnow(), keep_for(settings.wecom_replay_window)) >= 1
    session.commit()
    row = session.scalar(select(InboundMessage))
    assert row is not None and row.key and row.reply_text == "" and row.response_body == ""
    session.rollback()
    # the key is kept: the same message is still not handled twice
    again = wecom.text(LIAISON, "查询 项目：NT-2026-001", msg_id="5550002")
    assert again.status == 200 and again.text == ""


def test_log_lines_carry_no_names_or_numbers() -> None:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PersonalDataFilter())
    log = logging.getLogger("tests.masking")
    log.addHandler(handler)
    try:
        try:
            raise KeyError(f"买买提·艾力 {TYPED_ID} {PHONE}")
        except KeyError:
            log.exception("lookup failed for %s", "张三")
    finally:
        log.removeHandler(handler)
    out = buf.getvalue()
    assert "lookup failed" in out and "KeyError" in out
    for secret in ("张三", "买买提", "艾力", TYPED_ID, PHONE):
        assert secret not in out


def test_a_file_named_after_an_id_number_is_stored_masked(wecom, seed, session):
    r = wecom.file(LIAISON, "m-named", f"{TYPED_ID}.csv")
    assert "正在后台校验导入" in r.text and TYPED_ID not in r.text
    try:
        job = session.scalar(select(Job))
        assert job is not None and TYPED_ID not in str(job.payload)
        assert job.payload["media_id"] == "m-named"  # ids are left as they are
    finally:
        session.rollback()
