"""微信客服 state: the sync cursor per 客服 account and each customer's send window and budget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

KF_PREFIX = "kf:"  # a customer's account everywhere inside the bot: "kf:" + external_userid


class KfCursor(Base):
    """One 客服 account's place in kf/sync_msg, and the durable "pull again" request.

    A callback raises `requested`; a sync that reaches the end without `has_more` sets
    `synced` to what it saw requested. The cursor moves in the same transaction as the
    messages of the page it covers.
    """

    __tablename__ = "kf_cursors"

    open_kfid: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(255), default="")
    token: Mapped[str] = mapped_column(String(255), default="")  # the latest callback's Token
    token_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    requested: Mapped[int] = mapped_column(Integer, default=0)
    synced: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KfCustomer(Base):
    """A WeChat customer of a 客服 account: the 48-hour window and the 5-message budget."""

    __tablename__ = "kf_customers"

    external_userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    last_msg_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_msgid: Mapped[str] = mapped_column(String(128), default="")
    sent: Mapped[int] = mapped_column(Integer, default=0)  # messages sent since last_msg_at
    project_code: Mapped[str] = mapped_column(String(32), default="")  # from the QR's scene
    # kf/service_state as last seen (events, our transfers); 2 queued / 3 a person serves it
    service_state: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
