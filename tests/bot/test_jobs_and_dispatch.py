"""Background jobs run once and survive restarts; concurrent retries of one message write once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.jobs import UNKNOWN_KIND_REPLY, check_kinds, run_pending
from bot.router import Router
from bot.services import Registry, Services
from models import AuditLog, InboundMessage, Job, JobStatus, OutboxMessage

CALLS: list[int] = []


def _count_job(session: Session, jc) -> str:  # type: ignore[no-untyped-def]
    CALLS.append(jc.job.id)
    session.add(
        AuditLog(
            actor=jc.job.user_id, channel="job", action="test", subject=str(jc.job.payload["n"])
        )
    )
    if jc.job.payload.get("refuse"):
        raise UserError("第 3 行：身份证号校验位不对")
    return f"处理完成：{jc.job.payload['n']} 行"


# What the composition root would give the runner: the job kinds it knows.
KNOWN = SimpleNamespace(registry=Registry(job_kinds={"test-count": _count_job}))


def _add_job(
    factory: sessionmaker[Session], key: str, kind: str = "test-count", **payload: object
) -> None:
    with factory() as s, s.begin():
        s.add(Job(kind=kind, key=key, user_id="liaison1", payload=payload))


def _audit(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def test_job_runs_once_and_reports_to_the_user(session_factory: sessionmaker[Session]) -> None:
    CALLS.clear()
    _add_job(session_factory, "k1", n=12)
    assert run_pending(session_factory, KNOWN) == 1
    assert run_pending(session_factory, KNOWN) == 0  # never twice
    assert len(CALLS) == 1 and _audit(session_factory) == 1
    with session_factory() as s:
        out = s.scalars(select(OutboxMessage)).all()
        assert [o.payload["content"] for o in out] == ["处理完成：12 行"]
        assert s.scalars(select(Job)).one().status == JobStatus.DONE


def test_refused_job_writes_nothing_and_says_why(session_factory: sessionmaker[Session]) -> None:
    _add_job(session_factory, "k2", n=3, refuse=True)
    run_pending(session_factory, KNOWN)
    assert _audit(session_factory) == 0
    with session_factory() as s:
        assert s.scalars(select(Job)).one().status == JobStatus.FAILED
        assert "校验位" in s.scalars(select(OutboxMessage)).one().payload["content"]


def test_a_queued_job_of_unknown_kind_stops_start_up_and_is_not_dropped_silently(
    session_factory: sessionmaker[Session],
) -> None:
    _add_job(session_factory, "k9", kind="renamed-kind", n=1)
    check_kinds(session_factory, {"test-count", "renamed-kind"})  # all known: starts
    _add_job(session_factory, "k10", kind="gone-kind", n=1)
    try:
        check_kinds(session_factory, {"test-count", "renamed-kind"})
    except RuntimeError as err:
        assert "gone-kind" in str(err)
    else:
        raise AssertionError("start-up accepted a queued job no code runs")
    # A runner that meets one anyway fails it and tells the user, once.
    run_pending(session_factory, KNOWN)
    with session_factory() as s:
        jobs = {j.kind: j.status for j in s.scalars(select(Job))}
        assert jobs == {"renamed-kind": JobStatus.FAILED, "gone-kind": JobStatus.FAILED}
        told = [o.payload["content"] for o in s.scalars(select(OutboxMessage))]
        assert told == [UNKNOWN_KIND_REPLY, UNKNOWN_KIND_REPLY]


def test_job_left_running_by_a_crash_resumes_after_its_lease(
    session_factory: sessionmaker[Session],
) -> None:
    CALLS.clear()
    _add_job(session_factory, "k3", n=5)
    crashed_at = datetime.now(UTC) - timedelta(minutes=30)
    with session_factory() as s, s.begin():
        job = s.scalars(select(Job)).one()
        job.status, job.locked_until, job.attempts = (
            JobStatus.RUNNING,
            crashed_at + timedelta(minutes=10),
            1,
        )
    assert run_pending(session_factory, KNOWN) == 1
    assert len(CALLS) == 1 and _audit(session_factory) == 1


def test_concurrent_twins_of_one_message_write_once(
    services: Services, session_factory: sessionmaker[Session]
) -> None:
    r = Router("twins")
    gate = threading.Barrier(2)

    @r.command("慢写入", help="test")
    def slow(msg: Incoming, ctx: HandlerContext) -> Reply:
        ctx.session.add(AuditLog(actor=ctx.user.userid, channel="chat", action="twin"))
        return Reply("写好了")

    services.router.include(r)
    msg = Incoming("u9", "text", text="慢写入", msg_id="987654321", create_time=1)
    replies: list[str] = []

    def go() -> None:
        gate.wait()
        replies.append(services.dispatcher.feed(msg).reply)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert replies == ["写好了", "写好了"]
    assert _audit(session_factory) == 1
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 1
