"""Text normalisation, word segmentation and character bigrams shared by index and query."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from handlers.policy.dictionary import tokenizer

# Runs of text that carry meaning: Chinese characters, digits, Latin letters, percent.
_RUN = re.compile(r"[\u4e00-\u9fff0-9a-z%]+")
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")
# 省、市、县 is a list of levels of government that people say as one word (市县, 县乡)
_LEVELS = re.compile(r"[省市县乡镇村](?:、[省市县乡镇村])+")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """The meaningful runs of a normalised text, punctuation and blanks dropped."""
    return _RUN.findall(text)


def cut_spans(text: str) -> list[tuple[str, int]]:
    """jieba's accurate mode (no HMM) over the runs of a normalised text: (word, offset)."""
    tok = tokenizer()
    out = []
    for run in _RUN.finditer(text):
        pos = run.start()
        for word in tok.cut(run.group(), HMM=False):
            out.append((word, pos))
            pos += len(word)
    return out


def cut(text: str) -> list[str]:
    """jieba's accurate mode (no HMM) over the runs of a normalised text."""
    return [w for w, _ in cut_spans(text)]


SUBWORD_MAX = 24  # longer runs are not searched for words inside them


def subwords(word: str) -> Iterator[str]:
    """Dictionary words inside a longer word, as jieba's cut_for_search yields (any length).
    A run longer than any dictionary word (a pasted string of 2,000 letters) holds none worth
    the quadratic search."""
    if len(word) <= 2 or len(word) > SUBWORD_MAX:
        return
    freq = tokenizer().FREQ
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            part = word[start : start + size]
            if freq.get(part):
                yield part


def is_word(text: str) -> bool:
    """Whether the tokenizer's dictionary holds `text` as a word."""
    return bool(tokenizer().FREQ.get(text))


def search_words(text: str) -> list[str]:
    """Every word and the dictionary words inside it, for indexing a normalised text; a
    list of levels (市、县) also as the words people say for it (市县)."""
    out: list[str] = []
    for word in cut(text):
        out.extend(subwords(word))
        out.append(word)
    for found in _LEVELS.finditer(text):
        levels = found.group().split("、")
        out.extend(a + b for a, b in zip(levels, levels[1:], strict=False))
        if len(levels) > 2:
            out.append("".join(levels))
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of each run (a one-character run counts as itself)."""
    out: list[str] = []
    for run in runs(text):
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def word_bigrams(word: str) -> list[str]:
    """Bigrams of one word (a one-character word counts as itself)."""
    return [word[i : i + 2] for i in range(len(word) - 1)] or [word]


def sentences(text: str) -> list[str]:
    """Split a clause into sentences after 。；！？, keeping the punctuation."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]
