"""State of the pages opened inside WeCom: used single-use links and uploads awaiting confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow


class WebLinkUse(Base):
    """A signed single-use link (a worker's wage page) that has been opened: never again."""

    __tablename__ = "web_link_uses"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[int] = mapped_column(BigId)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebUpload(Base):
    """A file checked on the upload page, kept until its owner confirms (or it expires)."""

    __tablename__ = "web_uploads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    owner: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
