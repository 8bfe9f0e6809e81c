"""The knowledge base: the built-in policy plus stored documents, indexed once per version."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.policy.dictionary import SHIPPED_POLICY, data_path
from handlers.policy.examples import ExampleBank, shipped_bank
from handlers.policy.loader import Clause, Document, normalize_ref, parse_text
from handlers.policy.matcher import Index, Result

if TYPE_CHECKING:  # SQLAlchemy is imported only when a database is involved (fast `yigong ask`)
    from sqlalchemy.engine import URL
    from sqlalchemy.orm import Session

    from models.direct import DirectStatement

TABLE = "policy_documents"


@functools.cache
def builtin_document() -> Document:
    """The policy shipped in handlers/policy/data/ (SPEC §1's first knowledge base)."""
    text = data_path(SHIPPED_POLICY).read_text(encoding="utf-8")
    return parse_text(text, source=SHIPPED_POLICY, builtin=True)


def builtin_sha256() -> str:
    """SHA-256 of the built-in text, as `policy add` hashes a document's text."""
    text = data_path(SHIPPED_POLICY).read_text(encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KnowledgeBase:
    """Documents in answer order (built-in first) and their index."""

    documents: tuple[Document, ...]
    index: Index

    @classmethod
    def of(
        cls, documents: Sequence[Document], examples: ExampleBank | None = None
    ) -> KnowledgeBase:
        """Documents (the built-in one first) and, for the built-in policy, the questions
        people asked of it (examples.py); the shipped ones unless others are given."""
        bank = shipped_bank() if examples is None else examples
        return cls(tuple(documents), Index(documents, bank))

    def ask(self, question: str) -> Result:
        return self.index.search(question)

    @property
    def several(self) -> bool:
        return len(self.documents) > 1

    def find(self, ref: str, hint: str = "") -> list[tuple[Document, Clause]]:
        """Clauses named `ref` (（一）, 1, 二、（一）), in documents whose name/title hold `hint`."""
        key = normalize_ref(ref)
        out = []
        for doc in self.documents:
            if hint and hint not in doc.name and hint not in doc.title:
                continue
            clause = doc.find(key)
            if clause is not None:
                out.append((doc, clause))
        return out


@functools.cache
def builtin_kb() -> KnowledgeBase:
    """The built-in document alone: what `yigong ask` uses without a database."""
    return KnowledgeBase.of([builtin_document()])


class _Cache:
    """The last knowledge base built per database, rebuilt when its documents change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # keyed by the engine's URL object: hashable, and no string to render per question
        self._by_db: dict[URL, tuple[tuple[int, int], KnowledgeBase]] = {}
        self._has_table: set[URL] = set()
        self._version: DirectStatement | None = None

    def get(self, session: Session) -> KnowledgeBase:
        from sqlalchemy import Engine, func, inspect, select

        from models.direct import DirectStatement, connection_of
        from models.policy import PolicyDocument

        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        url = engine.url
        if url not in self._has_table:
            # through the session's own connection: a second one would wait for its lock
            if not inspect(session.connection()).has_table(TABLE):
                return builtin_kb()  # schema not created yet: `yigong db upgrade`
            self._has_table.add(url)
        if self._version is None:
            self._version = DirectStatement(
                select(func.count(PolicyDocument.id), func.max(PolicyDocument.id))
            )
        # every question: an indexed aggregate on the driver (models/direct.py)
        [(count, max_id)] = self._version.execute(connection_of(session), {})
        version = (int(count), int(max_id or 0))
        cached = self._by_db.get(url)
        if cached is not None and cached[0] == version:
            return cached[1]
        if count == 0:
            kb = builtin_kb()
        else:
            with self._lock:
                kb = KnowledgeBase.of([builtin_document(), *stored_documents(session)])
        self._by_db[url] = (version, kb)
        return kb


_cache = _Cache()


def knowledge_base(session: Session | None) -> KnowledgeBase:
    """The knowledge base for a message or a command; built-in only without a session."""
    return builtin_kb() if session is None else _cache.get(session)


def stored_documents(session: Session) -> list[Document]:
    """Documents added with `yigong policy add`, oldest first."""
    from sqlalchemy import select

    from models.policy import PolicyDocument

    rows = session.scalars(select(PolicyDocument).order_by(PolicyDocument.id))
    return [parse_text(r.content, name=r.name, source=r.source) for r in rows]
