"""Questions people asked, with the clause that answered them: a nearest-neighbour vote.

The matcher reads a question against the clauses' own words; people ask in theirs. The
example bank holds questions written by people who read only the policy (tests/data/
policy_questions*.tsv), each labelled with the clause that answers it or "-" when the policy
does not. A new question is compared with them by its analysed terms (the same words,
concepts and corrected typos the matcher uses): binary vectors weighted by IDF, cosine
similarity, the K nearest voting with weight similarity ** VOTE_POWER. A clear vote from
close neighbours decides between the matcher's readings; matcher.py says how.

The terms of every example are computed once, when the shipped file is generated
(`make examples`, i.e. `python -m handlers.policy.examples`), so that loading costs no word
segmentation; tests/handlers/test_policy_examples.py fails when they no longer match what
the analysis gives today.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from handlers.policy.dictionary import data_path

if TYPE_CHECKING:
    from handlers.policy.matcher import Index
    from handlers.policy.query import Query

EXAMPLES = "examples.tsv"
K = 7  # neighbours that vote
VOTE_POWER = 4  # a neighbour's vote: its similarity to this power (the nearest outweigh the rest)
COMMON_SHARE = 0.1  # a term in more than this share of the examples is left out …
COMMON_MIN = 20  # … and in more than this many (a small bank has no common terms)
LONG = 150  # posting lists longer than this are looked up, not walked
OFF_TOPIC = "-"


# what kind of thing a question asks for, read from its interrogative words: two questions
# with the same topic words ask different clauses when one asks when and the other how much
_ASK_KINDS = (
    ("?when", re.compile(r"什么时候|啥时候|几时|多久|哪天|何时|时限|期限|多长时间|啥时")),
    ("?who", re.compile(r"谁|哪个部门|哪个单位|哪些人|什么人|啥人|找哪")),
    ("?much", re.compile(r"多少|几成|比例|百分之|%|占比|几个")),
    ("?how", re.compile(r"咋|怎么|怎样|如何|啥办法|什么办法")),
    ("?may", re.compile(r"能不能|可不可以|能否|可以|能.{0,6}[吗不么]|行不行|中不中")),
    ("?what", re.compile(r"什么|啥|哪些")),
)


def asks(text: str) -> tuple[str, ...]:
    """The kinds of thing a normalised question asks for (?when, ?who, ?much …)."""
    return tuple(key for key, pattern in _ASK_KINDS if pattern.search(text))


def terms_of(q: Query) -> tuple[str, ...]:
    """What an analysed question is compared by: its terms and what kind of thing it asks."""
    return (*q.terms, *asks(q.text))


class Example(NamedTuple):
    """A question, the clauses that answer it (none: the policy does not), the set it came
    from and its analysed terms."""

    question: str
    clauses: tuple[str, ...]
    source: str
    terms: tuple[str, ...]


class Verdict(NamedTuple):
    """What the nearest examples say: the clause that won the vote (None: "the policy does
    not answer this"), its share of the vote and the nearest example's similarity."""

    clause: str | None
    share: float
    similarity: float
    unanswered: float = 0.0
    # the clauses voted for, with their shares, most first ("-" left out)
    ranking: tuple[tuple[str, float], ...] = ()


class ExampleBank:
    """Examples indexed by term; immutable."""

    def __init__(self, examples: Sequence[Example]) -> None:
        self.examples = tuple(examples)
        n = len(self.examples)
        df = Counter(term for ex in self.examples for term in ex.terms)
        # what a question asks for (?when …) is never common: it is there to tell apart
        # questions of the same words
        cut = max(COMMON_SHARE * n, COMMON_MIN)
        self._common = frozenset(t for t, d in df.items() if d > cut and not t.startswith("?"))
        self._idf = {
            t: math.log((n + 1) / (d + 1)) + 1 for t, d in df.items() if t not in self._common
        }
        # a word no example holds tells the question from all of them: the highest weight
        self._unknown = math.log(n + 1) + 1
        # each example's terms as _unit weighs them (every term of an example is known),
        # written out here because 9,000 calls of _unit are a fifth of a cold start
        postings: dict[str, list[tuple[int, float]]] = {}
        idf = self._idf
        for i, ex in enumerate(self.examples):
            weights = {t: idf[t] for t in ex.terms if t in idf}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for term, weight in weights.items():
                held = postings.get(term)
                if held is None:
                    postings[term] = [(i, weight / norm)]
                else:
                    held.append((i, weight / norm))
        self._postings = postings
        # a long posting list is looked up for the examples the rarer terms found, not
        # walked (a question's nearest examples share at least one rarer term with it)
        self._by_example = {t: dict(p) for t, p in self._postings.items() if len(p) > LONG}

    def __len__(self) -> int:
        return len(self.examples)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ex.source for ex in self.examples))

    def without(self, *sources: str, questions: Collection[str] = ()) -> ExampleBank:
        """The bank less the examples of some sets and less any example asked in the same
        words as `questions`: a set is measured against the others, its repeats of their
        questions (kept under the set that had them first) taken out too."""
        return ExampleBank(
            [
                ex
                for ex in self.examples
                if ex.source not in sources and ex.question not in questions
            ]
        )

    def without_set(self, path: Path) -> ExampleBank:
        """The bank as if the question set at `path` had never been written."""
        return self.without(source_of(path), questions={q for q, _ in read_set(path)})

    def _unit(self, terms: Iterable[str]) -> dict[str, float]:
        """Terms weighted by IDF and scaled to length 1; common terms left out. A term no
        example holds counts at the highest weight, so padding a question with unknown
        words makes it less like every example, not more."""
        idf, unknown, common = self._idf, self._unknown, self._common
        weights = {t: idf.get(t, unknown) for t in terms if t not in common}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def nearest(self, terms: Iterable[str], k: int = K) -> list[tuple[Example, float]]:
        """The k examples most similar to these terms, most similar first."""
        return [(self.examples[i], sim) for i, sim in self._nearest(terms, k)]

    def _nearest(self, terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        sims: dict[int, float] = {}
        get = sims.get
        postings, by_example = self._postings, self._by_example
        common: list[tuple[dict[int, float], float]] = []
        for term, weight in self._unit(terms).items():
            if term in by_example:
                common.append((by_example[term], weight))
                continue
            for i, w in postings.get(term, ()):
                sims[i] = get(i, 0.0) + weight * w
        for weights, weight in common:
            if sims:  # only the examples found already can gain
                for i in list(sims):
                    held = weights.get(i)
                    if held is not None:
                        sims[i] += weight * held
            else:  # nothing rarer to go by: walk the list
                sims.update((i, weight * held) for i, held in weights.items())
        return [(i, sims[i]) for i in heapq.nlargest(k, sims, key=sims.__getitem__)]

    def vote(self, terms: Iterable[str]) -> Verdict | None:
        """The nearest examples' vote; None when no example shares a telling term."""
        nearest = self._nearest(terms, K)
        if not nearest:
            return None
        votes: dict[str, float] = {}
        for i, sim in nearest:
            labels = self.examples[i].clauses or (OFF_TOPIC,)
            for label in labels:
                votes[label] = votes.get(label, 0.0) + sim**VOTE_POWER / len(labels)
        label, weight = max(votes.items(), key=lambda p: p[1])
        clause = None if label == OFF_TOPIC else label
        total = sum(votes.values())
        ranking = tuple(
            (c, w / total)
            for c, w in sorted(votes.items(), key=lambda p: p[1], reverse=True)
            if c != OFF_TOPIC
        )
        unanswered = votes.get(OFF_TOPIC, 0.0) / total
        return Verdict(clause, weight / total, nearest[0][1], unanswered, ranking)


def parse(text: str) -> list[Example]:
    """The rows of the shipped file: question, expected, source, terms (space separated)."""
    out = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected, source, terms = line.split("\t")
            clauses = () if expected == OFF_TOPIC else tuple(expected.split("/"))
            out.append(Example(question, clauses, source, tuple(terms.split())))
    return out


@functools.cache
def shipped_bank() -> ExampleBank:
    """The bank shipped in handlers/policy/data/examples.tsv."""
    return ExampleBank(parse(data_path(EXAMPLES).read_text(encoding="utf-8")))


# -- generating the shipped file ------------------------------------------------------------
HEADER = (
    "# Questions written from the policy text alone, with the clause that answers them"
    " (- : the policy does not); generated by `make examples` from the sets below, do not edit\n"
    "# columns: question<TAB>expected<TAB>source set<TAB>analysed terms (space separated)\n"
)


def read_set(path: Path) -> list[tuple[str, str]]:
    """(question, expected) rows of a question set (tests/data/policy_questions*.tsv)."""
    from handlers.policy.loader import normalize_ref

    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected = (f.strip() for f in line.split("\t")[:2])
            if expected != OFF_TOPIC:
                expected = "/".join(normalize_ref(p) for p in expected.split("/"))
            rows.append((question, expected))
    return rows


def source_of(path: Path | str) -> str:
    """The name a set's examples carry: policy_questions_dev2.tsv → dev2 (the first: dev)."""
    return Path(path).stem.removeprefix("policy_questions").strip("_") or "dev"


def example(index: Index, question: str, expected: str, source: str) -> Example:
    """A question with its label ("（五）", "（三）/（十）" or "-"), analysed by `index`."""
    clauses = () if expected == OFF_TOPIC else tuple(expected.split("/"))
    return Example(question, clauses, source, terms_of(index.query(question)))


def generate(paths: Sequence[Path], index: Index) -> str:
    """The shipped file's text for these question sets, analysed by `index`."""
    lines = [HEADER, "# sets: " + " ".join(p.name for p in paths) + "\n"]
    numbers = {c.number for c in index.documents[0].clauses}
    seen: set[str] = set()
    for path in paths:
        for question, expected in read_set(path):
            if question in seen:  # the same question in two sets: the first set's label
                continue
            seen.add(question)
            ex = example(index, question, expected, source_of(path))
            if not set(ex.clauses) <= numbers or "" in ex.clauses:
                raise ValueError(f"{path.name}: {question}: no such clause {expected!r}")
            lines.append(f"{question}\t{expected}\t{ex.source}\t{' '.join(ex.terms)}\n")
    return "".join(lines)


def main(argv: Sequence[str]) -> None:
    """`python -m handlers.policy.examples SET.tsv ...`: write the shipped file."""
    from handlers.policy.kb import builtin_document
    from handlers.policy.matcher import Index

    text = generate([Path(a) for a in argv], Index([builtin_document()]))
    data_path(EXAMPLES).write_text(text, encoding="utf-8")
    print(f"{EXAMPLES}: {text.count(chr(10)) - 3} examples")


if __name__ == "__main__":
    main(sys.argv[1:])
