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
        # windows that keep the term's first or last character, in the order of their start
        firsts = [i for i, ch in enumerate(text) if ch == term[0]]
        lasts = [i for i, ch in enumerate(text) if ch == term[-1]]
        for width in (size, size - 1, size + 1):
            last_start = len(text) - width
            starts = sorted({*firsts, *(i - width + 1 for i in lasts)})
            for start in starts:
                if start < 0 or start > last_start:
                    continue
                window = text[start : start + width]
                if Levenshtein.distance(window, term, score_cutoff=1) > 1:
                    continue
                end = start + width
                # inside a word it is no typo; cutting one in half (项目单|位) neither; nor is
                # a character more that makes a word the term does not hold (专项债|资金 is no
                # 专项资金; a character changed may be a spoken variant: 后头管护 is 后期管护)
                if not any(
                    a <= start
                    and end <= b
                    or a < start < b
                    or a < end < b
                    or (width > size and start <= a and b <= end and text[a:b] not in term)
                    for a, b in spans
                ):
                    return text[:start] + term + text[end:]
        return text

    def _word_spans(self, text: str, words: list[tuple[str, int]] | None) -> list[tuple[int, int]]:
        """Spans of the dictionary words jieba finds: a window inside one is no typo."""
        if words is None:
            words = cut_spans(text)
        return [(at, at + len(w)) for w, at in words if len(w) > 1 and self._known.get(w)]


# Spoken two-character words as common as the policy's own, heard by their sound too
COMMON_SPOKEN = ("甲方", "乙方", "工头", "合同", "分红", "补贴", "工地", "干活", "打工")


class SoundAndTypoFixer:
    """Sound-alike slips and pinyin first (以工代振 is 以工代赈, not 以工代训), then one edit."""

    def __init__(self, written: Iterable[str] = ()) -> None:
        """`written`: the words the clauses hold; those of three characters or more are
        heard too (田间地头, 内生动力, 可行性), so every term of every clause has its sound."""
        from handlers.policy.concepts import CONCEPTS
        from handlers.policy.pinyin import COMMON_TERMS, PinyinFixer
        from handlers.policy.text import is_word, subwords

        official = [*DOMAIN_TERMS, *(w for c in CONCEPTS for w in c.policy)]
        spoken = [w for c in CONCEPTS for w in c.spoken if len(w) > 2 and not w.isascii()]
        # two-character terms only as the policy writes them (劳物 → 劳务): a sound-alike
        # of a spoken two-character word is too often another word
        parts = [p for t in official for p in subwords(t) if len(p) == 2 and is_word(p)]
        own = [w for w in written if len(w) > 2 and is_word(w)]
        # the two-character words people type most (工钱, 甲方 …): a voice slip of them (工前)
        # is as likely as of a policy word
        common = [w for w in (*COMMON_TERMS, *COMMON_SPOKEN) if len(w) == 2]
        self._sounds = PinyinFixer([*official, *spoken, *parts, *own, *common])
        self._typos = TypoFixer()

    def fix(self, text: str, words: list[tuple[str, int]]) -> tuple[str, tuple[str, ...]]:
        heard_text, heard = self._sounds.fix(text, words)
        if heard_text != text:
            text, words = heard_text, cut_spans(heard_text)
        text, typed = self._typos.fix(text, words)
        return text, tuple(dict.fromkeys(heard + typed))
