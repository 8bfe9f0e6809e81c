"""UTF-8-byte-aware splitting: WeCom counts bytes, not characters (2048 for text)."""

from __future__ import annotations

import unicodedata

TEXT_LIMIT = 2048


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to half-width), trimmed: how every command,
    field and value is read."""
    return unicodedata.normalize("NFKC", text).strip()


def split_utf8(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split on line boundaries into chunks of at most `limit` UTF-8 bytes.

    A single line longer than the limit is cut between characters, never inside one.
    Nothing is dropped: "".join of the chunks, with the newlines between them, is the text.
    """
    if len(text.encode()) <= limit:
        return [text] if text else []
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _cut_line(line, limit):
            need = len(piece.encode()) + (1 if current else 0)
            if current and size + need > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
                need = len(piece.encode())
            current.append(piece)
            size += need
    if current:
        chunks.append("\n".join(current))
    return chunks


def _cut_line(line: str, limit: int) -> list[str]:
    if len(line.encode()) <= limit:
        return [line]
    pieces: list[str] = []
    buf: list[str] = []
    size = 0
    for ch in line:
        n = len(ch.encode())
        if size + n > limit:
            pieces.append("".join(buf))
            buf, size = [], 0
        buf.append(ch)
        size += n
    pieces.append("".join(buf))
    return pieces
