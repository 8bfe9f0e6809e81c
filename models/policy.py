"""Policy documents loaded beside the built-in one (`yigong policy add`), kept as their text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, BigId, UTCDateTime, utcnow


class PolicyDocument(Base):
    """One policy document; its clauses are parsed from `content` when the index is built.

    Rows are never edited: replacing a document deletes the row and adds a new one, so
    (count, max id) changes whenever the set of documents does.
    """

    __tablename__ = "policy_documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(255), default="")  # the file name it came from
    content: Mapped[str] = mapped_column(Text)  # plain text, one paragraph a line
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    clause_count: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64), default="")
