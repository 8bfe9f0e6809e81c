"""The number a user sends after an ask-back ("您是不是想问：1. … 2. …"): which clause it picks.

No table of its own: the bot already keeps every reply per user (`inbound_messages`, for
WeCom's retries), in the database every replica shares. The choices are read back from the
user's last reply when it was an ask-back and is recent enough.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.policy.answer import parse_choices

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ASK_TTL = timedelta(minutes=30)  # a number sent later is no longer an answer to the question
_PICK = re.compile(r"^第?([1-9一二三四五])(?:个|条|项|种)?[.。、)）]?$")
_CHINESE = "一二三四五"


def picked(text: str) -> int | None:
    """1 for "1", "1.", "第一个", "一" …; None for anything else."""
    m = _PICK.match(text.strip())
    if not m:
        return None
    digit = m.group(1)
    return _CHINESE.index(digit) + 1 if digit in _CHINESE else int(digit)


def last_choices(session: Session, user_id: str) -> list[tuple[str, str]]:
    """The (clause ref, document) choices of the user's last reply, if it asked back lately."""
    from sqlalchemy import select

    from models import InboundMessage
    from models.base import utcnow

    row = session.scalars(
        select(InboundMessage.reply_text)
        .where(
            InboundMessage.user_id == user_id,
            InboundMessage.received_at >= utcnow() - ASK_TTL,
        )
        .order_by(InboundMessage.received_at.desc())
        .limit(1)
    ).first()
    return parse_choices(row) if row else []
