"""Typo tolerance for long domain terms: 以工带赈 → 以工代赈, 技能陪训 → 技能培训.

Only terms of four or more characters are corrected, and only by one edit (rapidfuzz
Levenshtein), since a one-character slip in a two- or three-character word is usually
another word. A character index keeps the candidates to a handful per question.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from handlers.policy.dictionary import tokenizer
from handlers.policy.synonyms import DOMAIN_TERMS

MIN_LENGTH = 4


class TypoFixer:
    """Replace a window of the question that is one edit away from a known term."""

    def __init__(self, terms: Iterable[str] = DOMAIN_TERMS) -> None:
        self._terms = sorted({t for t in terms if len(t) >= MIN_LENGTH})
        self._by_char: dict[str, list[int]] = {}
        for i, term in enumerate(self._terms):
            for ch in set(term):
                self._by_char.setdefault(ch, []).append(i)
        self._known = tokenizer().FREQ

    def fix(self, text: str) -> tuple[str, tuple[str, ...]]:
        """The text with each near-miss of a term replaced by the term, and the terms used."""
        hits: dict[int, int] = {}
        for ch in set(text):
            for i in self._by_char.get(ch, ()):
                hits[i] = hits.get(i, 0) + 1
        fixed: list[str] = []
        for i in sorted(hits):  # sorted: the same result whatever the hash seed
            term = self._terms[i]
            if hits[i] >= len(set(term)) - 1 and term not in text:
                new = self._replace(text, term)
                if new != text:
                    text = new
                    fixed.append(term)
        return text, tuple(fixed)

    def _replace(self, text: str, term: str) -> str:
        size = len(term)
        words: list[tuple[int, int]] | None = None
        for width in (size, size - 1, size + 1):
            for start in range(len(text) - width + 1):
                window = text[start : start + width]
                if window[0] != term[0] and window[-1] != term[-1]:
                    continue
                if Levenshtein.distance(window, term, score_cutoff=1) > 1:
                    continue
                if words is None:
                    words = self._word_spans(text)
                end = start + width
                if not any(a <= start and end <= b for a, b in words):
                    return text[:start] + term + text[end:]
        return text

    def _word_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of the dictionary words jieba finds: a window inside one is no typo."""
        spans = []
        pos = 0
        for word in tokenizer().cut(text, HMM=False):
            if len(word) > 1 and self._known.get(word):
                spans.append((pos, pos + len(word)))
            pos += len(word)
        return spans
