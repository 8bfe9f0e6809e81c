"""Stored replies and job reports are kept only while a retry may need them (SPEC §8).

A reply is stored so that WeCom's retries (seconds) and a replayed callback (inside
WECOM_REPLAY_WINDOW) get the same answer. After that window plus a margin the text is
dropped and the key kept, so the message is still never handled twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session, sessionmaker

from models import InboundMessage, Job, JobStatus

log = logging.getLogger(__name__)

MARGIN = timedelta(hours=1)


def keep_for(replay_window: int) -> timedelta:
    """How long a stored reply keeps its text: the replay window (at least WeCom's retries)
    plus a margin."""
    return timedelta(seconds=max(replay_window, 60)) + MARGIN


def prune_stored_replies(session: Session, now: datetime, keep: timedelta) -> int:
    """Blank the text of replies and finished jobs' reports older than `keep`; returns rows."""
    before = now - keep
    replies = session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.received_at < before,
            or_(InboundMessage.reply_text != "", InboundMessage.response_body != ""),
        )
        .values(reply_text="", response_body="")
    )
    jobs = session.execute(
        update(Job)
        .where(
            Job.status.in_([JobStatus.DONE, JobStatus.FAILED]),
            Job.finished_at < before,
            Job.result != "",
        )
        .values(result="")
    )
    return int(replies.rowcount or 0) + int(jobs.rowcount or 0)  # type: ignore[attr-defined]


def prune(services: object) -> None:
    """The scheduled task (hourly, every replica: the UPDATE is idempotent)."""
    from models.base import utcnow

    factory: sessionmaker[Session] = services.session_factory  # type: ignore[attr-defined]
    window = services.settings.wecom_replay_window  # type: ignore[attr-defined]
    try:
        with factory() as session, session.begin():
            n = prune_stored_replies(session, utcnow(), keep_for(window))
        if n:
            log.info("pruned the text of %d stored replies and job reports", n)
    except Exception:
        log.exception("pruning stored replies failed")
