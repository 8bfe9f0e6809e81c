"""Durable background jobs: work that outlives a callback, run once, resumed after a restart.

A job's effects, its `done` mark and the message that reports its result commit in one
transaction, so a crash mid-job leaves nothing behind and the job simply runs again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UserError
from models import Job, JobStatus
from models.outbox import enqueue
from models.outbox import text as text_message
from models.privacy import mask_text

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3


@dataclass
class JobContext:
    """What a job function gets besides its session: its row and the shared services."""

    job: Job
    services: Any
    now: datetime


# Runs one job and returns the text sent to the user; listed by kind in bot/wiring.py.
JobFn = Callable[[Session, JobContext], str]
UNKNOWN_KIND_REPLY = "后台任务无法执行（系统不认识这类任务），没有写入任何数据。请联系管理员。"


def check_kinds(factory: sessionmaker[Session], kinds: Collection[str]) -> None:
    """At start-up: refuse to run when queued jobs name a kind no code runs (renamed, removed)."""
    with factory() as session:
        queued = set(
            session.scalars(
                select(Job.kind)
                .where(Job.status.in_([JobStatus.PENDING, JobStatus.RUNNING]))
                .distinct()
            )
        )
    unknown = sorted(queued - set(kinds))
    if unknown:
        raise RuntimeError(
            f"queued jobs of unknown kind {', '.join(unknown)}: list them in bot/wiring.py "
            "JOB_KINDS, or mark those jobs failed"
        )


CRASHED = (
    "后台处理多次中断（例如文件过大或内容异常），已停止处理，没有写入任何数据。"
    "如是导入文件，请检查文件（或拆分成几个小文件）后重新发送；如仍不行，请联系管理员。"
)


def _claim(factory: sessionmaker[Session], now: datetime) -> int | None:
    while True:
        with factory() as session, session.begin():
            stmt = (
                select(Job)
                .where(
                    Job.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
                    Job.run_after <= now,
                    or_(Job.locked_until.is_(None), Job.locked_until < now),
                )
                .order_by(Job.id)
                .limit(1)
            )
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            job = session.scalar(stmt)
            if job is None:
                return None
            if job.attempts >= MAX_ATTEMPTS:
                # Its process died on every try (killed, out of memory): a lease ran out with
                # no outcome recorded. Stop here and tell the sender, instead of dying again.
                log.error("job %s stopped after %d interrupted attempts", job.id, job.attempts)
                _finish(session, job, JobStatus.FAILED, CRASHED, now)
                continue
            job.status = JobStatus.RUNNING
            job.locked_until = now + LEASE
            job.attempts += 1
            return job.id


def run_pending(
    factory: sessionmaker[Session],
    services: Any = None,
    *,
    now: datetime | None = None,
    limit: int = 10,
) -> int:
    """Run up to `limit` due jobs; returns how many finished."""
    done = 0
    for _ in range(limit):
        moment = now or datetime.now(UTC)
        job_id = _claim(factory, moment)
        if job_id is None:
            break
        _run_one(factory, job_id, services, moment)
        done += 1
    return done


def _finish(session: Session, job: Job, status: JobStatus, text: str, now: datetime) -> None:
    text = mask_text(text)  # a job's report may echo a file's cells
    job.status = status
    job.result = text
    job.finished_at = now
    job.locked_until = None
    if text:
        enqueue(session, [text_message(job.user_id, text, dedup_key=f"job:{job.id}", rule="job")])


def _run_one(factory: sessionmaker[Session], job_id: int, services: Any, now: datetime) -> None:
    try:
        with factory() as session, session.begin():
            job = session.get(Job, job_id)
            assert job is not None
            kinds = services.registry.job_kinds if services is not None else {}
            fn = kinds.get(job.kind)
            if fn is None:  # start-up refuses these; one queued since is a bug, said aloud
                _finish(session, job, JobStatus.FAILED, UNKNOWN_KIND_REPLY, now)
                log.error("no handler for job kind %s", job.kind)
                return
            savepoint = session.begin_nested()
            try:
                text = fn(session, JobContext(job=job, services=services, now=now))
                savepoint.commit()
                _finish(session, job, JobStatus.DONE, text, now)
            except UserError as err:
                savepoint.rollback()
                _finish(session, job, JobStatus.FAILED, err.message, now)
    except Exception:
        log.exception("job %s failed (attempt may be retried)", job_id)
        with factory() as session, session.begin():
            job = session.get(Job, job_id)
            if job is not None and job.attempts >= MAX_ATTEMPTS:
                _finish(
                    session,
                    job,
                    JobStatus.FAILED,
                    "后台处理失败，没有写入任何数据。请稍后重试或联系管理员。",
                    now,
                )
            elif job is not None:
                job.locked_until = None
                job.run_after = now + timedelta(seconds=30 * job.attempts)
