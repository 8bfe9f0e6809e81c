"""Typo tolerance for long domain terms: 以工带赈 → 以工代赈, 技能陪训 → 技能培训.

Only terms of four or more characters are corrected, and only by one edit (rapidfuzz
Levenshtein), since a one-character slip in a two- or three-character word is usually
another word. Only terms sharing all but one of their characters with the question are tried.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from handlers.policy.dictionary import tokenizer
from handlers.policy.synonyms import DOMAIN_TERMS
from handlers.policy.text import cut_spans

MIN_LENGTH = 4


class TypoFixer:
    """Replace a window of the question that is one edit away from a known term."""

    def __init__(self, terms: Iterable[str] = DOMAIN_TERMS) -> None:
        self._terms = sorted({t for t in terms if len(t) >= MIN_LENGTH})
        self._chars = [(frozenset(t), len(set(t)) - 1) for t in self._terms]
        # a window that is one edit away keeps the term's first or last character
        self._by_end: dict[str, list[int]] = {}
        for i, term in enumerate(self._terms):
            for ch in {term[0], term[-1]}:
                self._by_end.setdefault(ch, []).append(i)
        self._known = tokenizer().FREQ

    def fix(
        self, text: str, words: list[tuple[str, int]] | None = None
    ) -> tuple[str, tuple[str, ...]]:
        """The text with each near-miss of a term replaced by the term, and the terms used.

        `words` is `text.cut_spans(text)` when the caller has it already.
        """
        present = set(text)
        fixed: list[str] = []
        spans: list[tuple[int, int]] | None = None
        candidates = sorted({i for ch in present for i in self._by_end.get(ch, ())})
        for i in candidates:  # sorted: the same result whatever the hash seed
            term, (chars, need) = self._terms[i], self._chars[i]
            if len(chars & present) < need or term in text:
                continue
            if spans is None:
                spans = self._word_spans(text, words)
            new = self._replace(text, term, spans)
            if new != text:
                text, spans = new, None
                fixed.append(term)
        return text, tuple(fixed)

    @staticmethod
    def _replace(text: str, term: str, spans: list[tuple[int, int]]) -> str:
        size = len(term)
        for width in (size, size - 1, size + 1):
            for start in range(len(text) - width + 1):
                window = text[start : start + width]
                if window[0] != term[0] and window[-1] != term[-1]:
                    continue
                if Levenshtein.distance(window, term, score_cutoff=1) > 1:
                    continue
                end = start + width
                if not any(a <= start and end <= b for a, b in spans):
                    return text[:start] + term + text[end:]
        return text

    def _word_spans(self, text: str, words: list[tuple[str, int]] | None) -> list[tuple[int, int]]:
        """Spans of the dictionary words jieba finds: a window inside one is no typo."""
        if words is None:
            words = cut_spans(text)
        return [(at, at + len(w)) for w, at in words if len(w) > 1 and self._known.get(w)]
