"""A private jieba tokenizer on a small dictionary, and the script that builds that dictionary.

jieba's own dictionary has 349,046 words and takes about a second to load; ours keeps the words
that occur in the shipped policy plus the most frequent common words, with jieba's frequencies
and jieba's total, so segmentation matches jieba's while loading takes milliseconds.
Regenerate with `python -m handlers.policy.dictionary` after changing the shipped policy.
"""

from __future__ import annotations

import functools
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from handlers.policy.synonyms import DOMAIN_TERMS, STOPWORDS, SYNONYMS

if TYPE_CHECKING:
    import jieba

DICT_NAME = "jieba_small.txt"
SHIPPED_POLICY = "tuiguang-yigong-daizhen-yijian.txt"
COMMON_WORDS = 20_000  # most frequent words of jieba's dictionary kept besides the corpus words
JIEBA_TOTAL = 60_101_967  # sum of frequencies in jieba 0.42's dict.txt: keeps word costs equal
DOMAIN_FREQ = 20_000  # high enough that a domain term beats any split into common words
SYNONYM_FREQ = 500


def data_path(name: str) -> Path:
    """A file shipped in handlers/policy/data/."""
    return Path(str(resources.files("handlers.policy") / "data" / name))


def _read(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """Parse `word freq tag` lines into jieba's prefix dictionary and the part-of-speech tags."""
    freq: dict[str, int] = {}
    tags: dict[str, str] = {}
    for line in text.splitlines():
        word, count, tag = line.split(" ")
        freq[word] = int(count)
        tags[word] = tag
    for word in list(freq):
        for end in range(1, len(word)):
            freq.setdefault(word[:end], 0)
    return freq, tags


@functools.cache
def _load() -> tuple[dict[str, int], dict[str, str]]:
    return _read(data_path(DICT_NAME).read_text(encoding="utf-8"))


def pos_tag(word: str) -> str:
    """jieba's part-of-speech tag of a dictionary word ("" when unknown, "n" for domain words)."""
    return _load()[1].get(word, "")


@functools.cache
def tokenizer() -> jieba.Tokenizer:
    """The process-wide private tokenizer (built on first use, never at import)."""
    with warnings.catch_warnings():  # jieba's regexes warn when compiled without bytecode
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba  # imported on first use: it costs 50 ms even with bytecode

    tok = jieba.Tokenizer(dictionary=str(data_path(DICT_NAME)))
    tok.FREQ = dict(_load()[0])
    tok.total = JIEBA_TOTAL
    tok.initialized = True  # skips jieba's own loader, its log lines and its cache file
    for term in DOMAIN_TERMS:
        _add(tok, term, DOMAIN_FREQ)
    from handlers.policy.concepts import spoken_index

    # colloquial words and spoken function words stay whole (谁来管, 干活的钱, 中不中)
    for word in [*SYNONYMS, *spoken_index(), *(w for w in STOPWORDS if len(w) > 1)]:
        if len(word) > 1 and not word.isascii():
            _add(tok, word, max(SYNONYM_FREQ, tok.FREQ.get(word, 0)))
            # a word of very common characters (年年, 要人) loses to them at that frequency
            if next(tok.cut(word, HMM=False)) != word:
                _add(tok, word, DOMAIN_FREQ)
    from handlers.policy.unstated import DEMAND_WORDS

    for word in DEMAND_WORDS:  # what no clause states, asked for by name (专项债, 资格证)
        _add(tok, word, max(SYNONYM_FREQ, tok.FREQ.get(word, 0)))
    return tok


def _add(tok: jieba.Tokenizer, word: str, freq: int) -> None:
    old = tok.FREQ.get(word, 0)
    tok.FREQ[word] = freq
    tok.total += freq - old
    for end in range(1, len(word)):
        tok.FREQ.setdefault(word[:end], 0)


def build_dictionary(corpus: str, common: int = COMMON_WORDS) -> list[tuple[str, int, str]]:
    """Corpus words (every dictionary word found in `corpus`) plus the `common` most frequent."""
    import jieba

    full = jieba.Tokenizer()
    entries: dict[str, tuple[int, str]] = {}
    with full.get_dict_file() as f:
        for line in f:
            word, freq, tag = line.decode("utf-8").split()
            entries[word] = (int(freq), tag)
    full.check_initialized()
    keep = {w for w in full.cut(corpus, cut_all=True) if w in entries}
    keep.update(sorted(entries, key=lambda w: -entries[w][0])[:common])
    return sorted((w, *entries[w]) for w in keep)


def main() -> None:
    corpus = data_path(SHIPPED_POLICY).read_text(encoding="utf-8")
    entries = build_dictionary(corpus)
    out = data_path(DICT_NAME)
    out.write_text("".join(f"{w} {f} {t}\n" for w, f, t in entries), encoding="utf-8")
    print(f"{out}: {len(entries)} words")


if __name__ == "__main__":
    main()
