"""Rank clauses for a question: BM25 (Lucene IDF) over words and bigrams, plus the best sentence.

A clause scores BM25 over its jieba words and its character bigrams (BIGRAM_WEIGHT, so that
partial words still match), its heading words (TITLE_WEIGHT), and SENTENCE_WEIGHT times its best
sentence. Coverage — the share of the question's IDF weight a clause covers — reranks the best
RERANK_POOL clauses and decides whether to answer at all (THRESHOLD). docs/POLICY_QA.md explains.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.policy import text as tx
from handlers.policy.concepts import (
    CONCEPTS,
    by_key,
    concept_term,
    concept_words,
    concepts_in,
    spoken_index,
)
from handlers.policy.definitions import Definitions, named_terms
from handlers.policy.examples import Example, ExampleBank, Verdict, terms_of
from handlers.policy.intents import clause_intents, question_intents
from handlers.policy.loader import Clause, Document
from handlers.policy.neighbours import Neighbour, neighbours_named
from handlers.policy.query import HOLDS, Concept, Query, Vocabulary, analyze, flags
from handlers.policy.synonyms import kinds_named
from handlers.policy.typos import SoundAndTypoFixer
from handlers.policy.unstated import (
    Unstated,
    demanded,
    measure_kinds,
    measures_asked,
    stated_kinds,
)

K1 = 1.2
B = 0.75
BIGRAM_WEIGHT = 0.3
TITLE_WEIGHT = 1.5  # words of the clause heading (its topic) add weight x IDF
SENTENCE_WEIGHT = 0.6
NUMBER_BONUS = 1.0  # a sentence that holds what is asked (a number, a period …) counts double
NEAR_CHARS = 20  # … when it stands within this many characters of a question word
NEAR_MIN_WEIGHT = 0.5  # … that says something (weight x IDF; 项目 is next to everything)
SENTENCE_MIN_WEIGHT = 0.1  # words below this (项目 …) do not pick sentences: saves time
RERANK_POOL = 5
COVERAGE_POWER = 0.5  # final score = BM25 score x coverage ** COVERAGE_POWER
PARTIAL_CREDIT = 0.5  # a word found only as some of its bigrams
THRESHOLD = 0.4  # below this coverage: no answer
ANSWER_SHARE = 0.5  # … and a clause above it, with this share of the best score, goes first
TIE_RATIO = 0.9  # a second clause this close to the best is answered too
INTENT_MARGIN = 0.75  # answers this close: the one answering the question's intent first
RELATED_RATIO = 0.35  # related clauses score at least this share of the best …
RELATED_MIN = 2  # … but the two next clauses that cover the question as well are shown anyway
RELATED_COVER = 0.5  # (coverage at least this share of the best's): a second guess in view
RELATED_VOTE = 0.1  # the examples' favourite other clause, with this share of the vote, too
ASK_FLOOR = 0.2  # below the threshold but above this coverage, in the domain: ask back
ASK_CHOICES = 3
POINTED = 2  # a refusal names at most this many clauses near the question (not quoted)
DOMAIN_SHARE = 0.75
TOPIC_MIN = 2  # a concept written this often, and TOPIC_LEAD times more than in any other
TOPIC_LEAD = 2  # clause, is one of the clause's topics
QUERY_MEMO = 4096  # analysed questions kept (a Query is immutable, about 2 KB)
CREDIT_MEMO = 50_000  # content words whose per-clause credit is kept
VAGUE_IDF = 0.3  # a word in all but one or two of twelve clauses names no topic
DIVERSE_AT = 2  # after this many clauses by score, one for a topic they hold less fully
FOREIGN_SHARE = 0.99  # an unknown word weighing this share of the rarest word's is a topic
EXAMPLE_NEAR = 0.35  # the nearest example at least this similar (cosine of terms) …
EXAMPLE_SHARE = 0.6  # … and this share of the neighbours' vote for one clause: it answers
EXAMPLE_REFUSE = 0.4  # an off-topic example this similar, winning the vote: no answer …
EXAMPLE_KEEP_COVER = 0.7  # … unless the answer covers this share of the question
# … and when the nearest refused example is less similar than this, the refusal names the
# clauses the matcher read (on the 42 sets: 7 right clauses named against 11 traps given one;
# with no bar, 9 against 41)
EXAMPLE_POINT = 0.6
EXAMPLE_DOUBT = 0.3  # this share of the vote for "does not answer", won or not, …
EXAMPLE_DOUBT_COVER = 0.5  # … asks back for an answer covering less than this of the question
EXAMPLE_OFFER = 0.4  # a plain refusal whose nearest example is this similar …
EXAMPLE_OFFER_SHARE = 0.8  # … and whose vote for one clause is this clear: offered back
_NONE: frozenset[int] = frozenset()


_UNSEEN = object()


def _remember(memo: dict[str, Any], key: str, value: Any, limit: int = QUERY_MEMO) -> None:
    """Keep `value` under `key`, dropping the oldest entry when full. Lane threads share
    the index: another may have dropped that entry, or be adding one, at the same time."""
    if len(memo) >= limit:
        with contextlib.suppress(KeyError, RuntimeError, StopIteration):
            del memo[next(iter(memo))]
    memo[key] = value


@dataclass(frozen=True)
class Hit:
    """A ranked clause, its final score, its coverage of the question and its best sentence."""

    clause: Clause
    score: float
    coverage: float
    sentence: str


@dataclass(frozen=True)
class Result:
    """What a question found: ranked hits; `confident` false means no answer."""

    question: str
    hits: tuple[Hit, ...]
    confident: bool
    tie: bool = False
    fixes: tuple[str, ...] = ()  # domain terms the question's typos were read as
    too_short: bool = False  # refused because no word of two characters or more was left
    neighbours: tuple[Neighbour, ...] = ()  # other programmes it asks about: refused
    ask_back: bool = False  # in the domain but not sure: offer the hits as choices
    # what it demands that no clause states (a sum, an age, a phone number …): refused
    # honestly, the closest clauses only pointed at
    unstated: tuple[Unstated, ...] = ()
    # refused by the example bank, though the matcher read it in the domain: its reading
    near: tuple[Hit, ...] = ()

    @property
    def choices(self) -> tuple[Hit, ...]:
        """What to offer when asking back (the closest clauses)."""
        return self.hits[:ASK_CHOICES] if self.ask_back else ()

    @property
    def pointed(self) -> tuple[Hit, ...]:
        """The clauses a refusal names without quoting them (政策里相近的条款): those
        nearest a demand no clause states, or the reading the example bank refused."""
        if self.confident or self.ask_back or self.neighbours:
            return ()
        return self.near or (self.hits[:POINTED] if self.unstated else ())

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.confident and self.hits else None

    @property
    def related(self) -> tuple[Hit, ...]:
        return self.hits[1:] if self.confident else ()


@dataclass
class _Field:
    """BM25 postings of one field: term -> [(clause, saturated tf x IDF)]."""

    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    holders: dict[str, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]]) -> _Field:
        n = len(docs)
        avg = sum(len(d) for d in docs) / max(n, 1) or 1.0
        out = cls()
        counts = [Counter(d) for d in docs]
        df = Counter(t for c in counts for t in c)
        out.idf = {t: lucene_idf(n, c) for t, c in df.items()}
        for i, (d, c) in enumerate(zip(docs, counts, strict=True)):
            norm = K1 * (1 - B + B * len(d) / avg)
            for term, tf in c.items():
                weight = out.idf[term] * tf * (K1 + 1) / (tf + norm)
                out.postings.setdefault(term, []).append((i, weight))
        out.holders = {t: frozenset(i for i, _ in p) for t, p in out.postings.items()}
        return out


def _by_weight(c: Concept) -> float:
    return c.weight


@functools.cache
def _is_place(word: str) -> bool:
    """Whether a word only names a place (村里, 县上, §乡镇): where the asker lives."""
    keys = (word[1:],) if word.startswith("§") else spoken_index().get(word, ())
    concepts = by_key()
    return bool(keys) and all(k in concepts and concepts[k].kind == "place" for k in keys)


def lucene_idf(n: int, df: int) -> float:
    """Lucene's BM25 IDF: positive and falling with df (rank_bm25 floors it instead)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class _Sentence:
    clause: int
    text: str  # verbatim
    norm: str
    holds: int  # NUMBER | PERIOD | DEFINITION bits
    kinds: frozenset[int]  # the kinds of project it names (synonyms.KINDS)


class Index:
    """An immutable search index over the clauses of some documents."""

    def __init__(self, documents: Sequence[Document], examples: ExampleBank | None = None) -> None:
        self.documents = tuple(documents)
        self.clauses: tuple[Clause, ...] = tuple(c for d in self.documents for c in d.clauses)
        # the example bank's labels are the built-in policy's clause numbers (examples.py)
        self._examples = examples if examples is not None and len(examples) else None
        builtin = self.documents[0].clauses if self.documents and self.documents[0].builtin else ()
        self._builtin_clauses = len(builtin)  # they come first in self.clauses
        self._example_clause = {c.number: i for i, c in enumerate(builtin)}
        self._votes: dict[str, Verdict | None] = {}
        self._sentences: list[_Sentence] = []
        self._title_holders: dict[str, list[int]] = {}
        self._sent_by_word: dict[str, list[int]] = {}
        self._sent_by_gram: dict[str, list[int]] = {}
        word_docs: list[list[str]] = []
        gram_docs: list[list[str]] = []
        chars: dict[str, set[int]] = {}
        for ci, clause in enumerate(self.clauses):
            word_docs.append([])
            gram_docs.append([])
            for n, text in enumerate(tx.sentences(clause.text)):
                norm = tx.normalize(text)
                words, grams = tx.search_words(norm), tx.bigrams(norm)
                words += [concept_term(k) for k in concepts_in(norm)]
                word_docs[ci] += words
                gram_docs[ci] += grams
                for ch in norm:
                    chars.setdefault(ch, set()).add(ci)
                if n == 0 and clause.title:  # the heading: its own field, shown anyway
                    for word in set(words):
                        self._title_holders.setdefault(word, []).append(ci)
                    continue
                si = len(self._sentences)
                self._sentences.append(
                    _Sentence(ci, text, norm, flags(norm, HOLDS), kinds_named(norm))
                )
                for word in set(words):
                    self._sent_by_word.setdefault(word, []).append(si)
                for gram in set(grams):
                    self._sent_by_gram.setdefault(gram, []).append(si)
        self._add_topic_concepts()
        self._words = _Field.build(word_docs)
        self._grams = _Field.build(gram_docs)
        self._char_holders = {ch: frozenset(s) for ch, s in chars.items()}
        n = len(self.clauses)
        self.vocab = Vocabulary(
            idf=self._words.idf,
            char_idf={ch: lucene_idf(n, len(s)) for ch, s in chars.items()},
            max_idf=lucene_idf(n, 0),
        )
        self._first_sentence = {s.clause: s.text for s in reversed(self._sentences)}
        # what each clause answers (intents.py): a tie-breaker between close answers
        self._intents = [clause_intents(tx.normalize(c.text)) for c in self.clauses]
        self._typos = SoundAndTypoFixer(self._words.idf)
        self._text = "\n".join(tx.normalize(c.full_text) for c in self.clauses)
        # the terms the documents name in quotation marks, by the clause introducing them
        self._definitions = Definitions(
            named_terms((ci, tx.normalize(c.full_text)) for ci, c in enumerate(self.clauses))
        )
        self._stated = stated_kinds(tx.normalize(c.full_text) for c in self.clauses)
        self._queries: dict[str, Query] = {}
        # per question: the kinds it demands, and the quantities it asks for (unstated.py)
        self._demand_memo: dict[str, tuple[tuple[Unstated, ...], tuple[Unstated, ...]]] = {}
        # per clause: the quantities its text writes (a share, a rate …)
        self._measured = [measure_kinds(tx.normalize(c.full_text)) for c in self.clauses]
        # per content word: how fully each clause holds it (a pure function of the word and
        # the index, like the per-word analysis; CREDIT_MEMO kept)
        self._credit_memo: dict[str, dict[int, float]] = {}
        self._all = frozenset(range(len(self.clauses)))
        self._position = {id(c): i for i, c in enumerate(self.clauses)}
        # per content word: _holders's answer (() for a word that names no topic)
        self._holder_memo: dict[
            str, tuple[float, dict[int, float], tuple[int, ...]] | tuple[()]
        ] = {}
        # bigrams that may pick a sentence: their weight there and the sentences holding them
        self._telling_grams = {
            gram: (weight, tuple(holders))
            for gram, holders in self._sent_by_gram.items()
            if (weight := BIGRAM_WEIGHT * self._grams.idf.get(gram, 0.0)) >= SENTENCE_MIN_WEIGHT
        }

    def _add_topic_concepts(self) -> None:
        """A concept the clause writes at least twice, and twice as often as any other clause,
        is one of its topics, like its heading: （九） names six kinds of 公益性岗位, （八）
        names the posts twice among other things."""
        texts = [tx.normalize(c.text) for c in self.clauses]
        for concept in CONCEPTS:
            counts = [sum(text.count(word) for word in concept.policy) for text in texts]
            top, second = sorted([0, 0, *counts])[-1:-3:-1]
            if top >= TOPIC_MIN and top >= TOPIC_LEAD * second:
                holders = self._title_holders.setdefault(concept_term(concept.key), [])
                if counts.index(top) not in holders:
                    holders.append(counts.index(top))

    def query(self, question: str) -> Query:
        """The analysed question; the same words asked again (a group's common questions,
        a retyped one) are not cut, heard and corrected twice (QUERY_MEMO kept, oldest
        dropped first)."""
        q = self._queries.get(question)
        if q is None:
            q = analyze(question, self.vocab, self._typos.fix)
            _remember(self._queries, question, q)
        return q

    def search(self, question: str, k: int = 4) -> Result:
        """The k best clauses for a question and whether the best is good enough to answer."""
        q = self.query(question)
        result, scores = self._search(question, q, k)
        defined = self._defined(q, result, scores)
        if defined is not None:
            return defined
        if not self._consults_examples(result):
            return result
        if result.confident or result.ask_back:
            settled = self._doubted(q, self._as_examples_say(q, result, scores))
            return self._with_voted_related(q, settled, scores)
        return self._asked_back_by_examples(q, result, scores)

    def _with_voted_related(self, q: Query, result: Result, scores: Sequence[float]) -> Result:
        """An answer's related clauses (相关条款) include the clause with the most votes of
        the nearest examples among those not shown first already (the answer and the next
        one): people who asked like this were answered there. A related clause is only
        shown, never answered, so no nearness is asked of the vote (a bar at EXAMPLE_NEAR
        lost more right clauses than it kept out)."""
        if not result.confident or not scores:
            return result
        verdict = self._verdict(q)
        if verdict is None:
            return result
        shown = {h.clause for h in result.hits[:2]}
        for number, share in verdict.ranking:
            if share < RELATED_VOTE:
                break
            ci = self._example_clause.get(number)
            if ci is None:
                continue
            clause = self.clauses[ci]
            if clause in shown:
                continue
            hit = next((h for h in result.hits if h.clause is clause), None)
            rest = [h for h in result.hits[2:] if h.clause is not clause]
            hits = (*result.hits[:2], hit or self._hit(q, ci, scores), *rest)
            return Result(result.question, hits, True, result.tie, result.fixes)
        return result

    def _defined(self, q: Query, result: Result, scores: Sequence[float]) -> Result | None:
        """What a term the policy names means (农推是个啥, 啥叫力工): the clause introducing
        it answers, the others found stay related (definitions.py). A question refused for a
        reason (another programme, a demand no clause states) stays refused."""
        if result.neighbours or result.unstated or not scores:
            return None
        asked = self._definitions.asked(q.text)
        if asked is None:
            return None
        ci, term = asked
        clause = self.clauses[ci]
        hit, rest = self._promoted(q, result, ci, scores)
        # the point quoted is the sentence that names the term (以下简称“重推”和“农推”)
        quoting = [t for t in tx.sentences(clause.text) if term in t and "“" in t]
        naming = next(
            (t for t in quoting if f"“{term}" in t), quoting[0] if quoting else hit.sentence
        )
        hit = Hit(hit.clause, hit.score, hit.coverage, naming)
        return Result(result.question, (hit, *rest), True, fixes=result.fixes)

    def _doubted(self, q: Query, result: Result) -> Result:
        """An answer that covers little of the question, asked in words a good share of whose
        nearest examples the policy does not answer, is asked back instead: the clause shares
        the topic, the question may ask what it never says (成效评价结果要不要向社会公开)."""
        verdict = self._verdict(q)
        if (
            result.confident
            and verdict is not None
            and verdict.unanswered >= EXAMPLE_DOUBT
            and result.hits[0].coverage < EXAMPLE_DOUBT_COVER
        ):
            return Result(result.question, result.hits, False, fixes=result.fixes, ask_back=True)
        return result

    def _as_examples_say(self, q: Query, result: Result, scores: Sequence[float]) -> Result:
        """An answer or an ask-back, settled by what the nearest examples (questions people
        asked, examples.py) vote for clearly. The clause they vote for answers, unless the
        matcher's answer holds more of what is asked (when, who, how much: intents.py); a
        question worded like the off-topic examples is refused, unless its answer covers
        most of its words (以工代赈项目拖欠工资咋办 is not 包工头欠俺工钱咋告他)."""
        top = self._position[id(result.hits[0].clause)]
        verdict = self._verdict(q)
        if verdict is None or verdict.similarity < EXAMPLE_NEAR or verdict.share < EXAMPLE_SHARE:
            return result
        if verdict.clause is None:
            if (
                result.confident
                and verdict.similarity >= EXAMPLE_REFUSE
                and result.hits[0].coverage < EXAMPLE_KEEP_COVER
                and not self._writes_measure_asked(q, result.hits[0])
            ):
                # refused; when the question is ours in words and the refused examples are
                # only loosely like it (项目建成了村里能分到啥 beside 能分到多少钱), the matcher's
                # reading is named, not quoted; a near copy of a refused question names nothing
                loose = verdict.similarity < EXAMPLE_POINT and self._in_domain(q)
                near = result.hits[:POINTED] if loose else ()
                near = tuple(h for h in near if h.coverage >= THRESHOLD)
                return Result(result.question, (), False, fixes=result.fixes, near=near)
            return result
        ci = self._example_clause.get(verdict.clause)
        if ci is None or (result.confident and ci == top):
            return result
        if result.confident:
            asked = question_intents(q.text)
            if len(asked & self._intents[top]) > len(asked & self._intents[ci]):
                return result
        hit, rest = self._promoted(q, result, ci, scores)
        return Result(result.question, (hit, *rest), True, fixes=result.fixes)

    def _promoted(
        self, q: Query, result: Result, ci: int, scores: Sequence[float]
    ) -> tuple[Hit, tuple[Hit, ...]]:
        """Clause `ci` as the answer — its ranked hit, or one scored like it — and the
        other hits, in their order, as its related clauses."""
        clause = self.clauses[ci]
        hit = next((h for h in result.hits if h.clause is clause), None)
        rest = tuple(h for h in result.hits if h.clause is not clause)
        return hit or self._hit(q, ci, scores), rest

    def _writes_measure_asked(self, q: Query, hit: Hit) -> bool:
        """Whether the question asks a quantity (how often, what share) that the answer's
        clause writes: 一年要调度几次 is （十二）'s 按季度, however many near questions ask
        the day of the month a report is due, which no clause writes."""
        measured = self._measured[self._position[id(hit.clause)]]
        return bool(measured) and any(m.key in measured for m in self._asks(q.text)[1])

    def _asked_back_by_examples(self, q: Query, result: Result, scores: Sequence[float]) -> Result:
        """A plain refusal (nothing in the domain the matcher could answer) whose nearest
        examples vote for one clause clearly: that clause is offered back (您是不是想问), not
        answered — 定点联系是不是要新设一个机构 names no word the matcher holds enough of, but
        people asked it of （十一） in the same words. Answering such refusals outright cost
        more off-topic refusals than it won."""
        verdict = self._verdict(q)
        if (
            verdict is None
            or verdict.clause is None
            or verdict.similarity < EXAMPLE_OFFER
            or verdict.share < EXAMPLE_OFFER_SHARE
        ):
            return result
        ci = self._example_clause.get(verdict.clause)
        if ci is None:
            return result
        hit = self._hit(q, ci, scores)
        return Result(result.question, (hit,), False, fixes=result.fixes, ask_back=True)

    def voters(self, result: Result) -> list[tuple[Example, float]]:
        """The examples whose vote was weighed for this result, most similar first: none
        when the bank was not asked (no bank, another programme, an unstated demand, a
        question too short, an answer from an added document)."""
        if not self._consults_examples(result):
            return []
        assert self._examples is not None
        return self._examples.nearest(terms_of(self.query(result.question)))

    def _consults_examples(self, result: Result) -> bool:
        """Whether the bank may settle this reading of the matcher's. What it refused for a
        reason (another programme, a demand no clause states, too short) stays refused:
        near an answered example, a question may still ask what the policy never says. The
        bank's labels are the built-in policy's: a reading with a clause of a document added
        later is left alone (its `-` means only that the built-in policy does not answer)."""
        if self._examples is None or result.neighbours or result.unstated or result.too_short:
            return False
        return all(self._position[id(h.clause)] < self._builtin_clauses for h in result.hits)

    def _verdict(self, q: Query) -> Verdict | None:
        """The example bank's vote for an analysed question (QUERY_MEMO kept)."""
        verdict = self._votes.get(q.text, _UNSEEN)
        if verdict is _UNSEEN:
            assert self._examples is not None
            verdict = self._examples.vote(terms_of(q))
            _remember(self._votes, q.text, verdict)
        return verdict  # type: ignore[return-value]

    def _hit(self, q: Query, ci: int, scores: Sequence[float]) -> Hit:
        """A clause as a hit for this question, outside the ranked ones, scored as they are
        (score × coverage ** COVERAGE_POWER)."""
        sentence = self._best_sentences(q).get(ci)
        cover = self._coverage(q, [ci])[ci]
        return Hit(
            self.clauses[ci],
            scores[ci] * cover**COVERAGE_POWER if scores else 0.0,
            cover,
            sentence[1] if sentence else self._first_sentence.get(ci, ""),
        )

    def _search(self, question: str, q: Query, k: int) -> tuple[Result, list[float]]:
        """What the clauses' own words say, and every clause's score (none when the
        question was refused before scoring)."""
        # another programme (低保, 医保 …) that no clause names: say so, quote nothing
        others = tuple(
            n
            for n, name in neighbours_named(q.text)
            if name not in self._text
            and (not n.nearby or self._names_words(q))
            # named only in the story told before a question of ours (我在浙江工厂干了五年
            # …修好的路以后谁来管护): where the asker stands, not what is asked; but wages
            # owed elsewhere are the story and the question both (…老板拖了工钱不给，咋办)
            and not (q.asked_ours and name not in q.text[q.asked :] and not n.elsewhere)
        )
        if others:
            return Result(question, (), False, fixes=q.fixes, neighbours=others), []
        if not q.concepts or not self.clauses:
            return Result(question, (), False), []
        if all(len(c.word) == 1 for c in q.concepts):  # 钱, 账: too little to pick a clause by
            return Result(question, (), False, too_short=True), []
        scores = [0.0] * len(self.clauses)
        idf = self._words.idf
        for term, w in q.terms.items():
            for ci, bm in self._words.postings.get(term, ()):
                scores[ci] += w * bm
            for ci in self._title_holders.get(term, ()):
                scores[ci] += TITLE_WEIGHT * w * idf[term]
        for gram in q.grams:
            for ci, bm in self._grams.postings.get(gram, ()):
                scores[ci] += BIGRAM_WEIGHT * bm
        sentences = self._best_sentences(q)
        for ci, (s_score, _) in sentences.items():
            scores[ci] += SENTENCE_WEIGHT * s_score
        pool = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:RERANK_POOL]
        pool = [ci for ci in pool if scores[ci] > 0]
        if not pool:
            return Result(question, (), False), scores
        cover = self._coverage(q, pool)
        final = {ci: scores[ci] * cover[ci] ** COVERAGE_POWER for ci in pool}
        # a clause that covers too little of the question is no answer when one nearly as
        # good covers enough: 镇政府能不能自己当业主 is （五）'s, not （六）'s, which only
        # scores higher for writing 乡镇政府 more often
        best = max(final.values())
        ranked = sorted(
            pool,
            key=lambda ci: (
                cover[ci] >= THRESHOLD and final[ci] >= ANSWER_SHARE * best,
                final[ci],
            ),
            reverse=True,
        )[:k]
        hits = [
            Hit(
                self.clauses[ci],
                final[ci],
                cover[ci],
                sentences[ci][1] if ci in sentences else self._first_sentence.get(ci, ""),
            )
            for ci in ranked
        ]
        if (
            len(hits) > 1
            and hits[1].score >= INTENT_MARGIN * hits[0].score
            and min(hits[0].coverage, hits[1].coverage) >= THRESHOLD
        ):
            hits = self._by_intent(q, hits)
        top = hits[0]
        kept = [top] + [
            h
            for n, h in enumerate(hits[1:])
            if h.score >= RELATED_RATIO * top.score > 0
            or (n < RELATED_MIN and h.coverage >= RELATED_COVER * top.coverage > 0)
        ]
        vague = self._vague(q)
        confident = top.coverage >= THRESHOLD and not vague and not q.hinted
        ask_back = not confident and top.coverage >= ASK_FLOOR and (q.hinted or self._in_domain(q))
        if vague and ask_back:  # every clause covers it alike: offer them in the document's
            # order, whose first clauses say what the programme is and where it applies
            order = {c: i for i, c in enumerate(self.clauses)}
            kept = sorted(hits, key=lambda h: order[h.clause])
            top = kept[0]
        tie = (
            confident
            and len(kept) > 1
            and min(kept[1].score, top.score) >= TIE_RATIO * max(kept[1].score, top.score)
            and kept[1].coverage >= THRESHOLD
        )
        # 一天工钱多少, 举报电话, 系统密码: in the domain, but no clause states it, so none
        # answers it (one already refused, 猪肉多少钱一斤, keeps the plain refusal)
        missing = self._demanded(q.text, kept[:2] if tie else kept[:1])
        if missing and (confident or ask_back or self._names_domain(q, missing)):
            pointed = tuple(h for h in kept if h.coverage >= THRESHOLD)
            return Result(question, pointed, False, fixes=q.fixes, unstated=missing), scores
        if not confident and not ask_back and not missing and top.coverage >= ASK_FLOOR:
            # 定点联系单位应当履行哪些主要职责, 新修的路…有没有人专门养护: the policy's own
            # words outweigh the topics it never names, yet no clause covers enough to
            # answer; the closest clauses are offered rather than 没有找到
            ask_back = self._signals_domain(q)
        if ask_back and not vague:  # offer the closest clauses, not only the answer's peers
            kept = hits
        if (confident or ask_back) and not vague:
            kept = self._diverse(q, kept, scores, sentences)
        return Result(question, tuple(kept), confident, tie, q.fixes, ask_back=ask_back), scores

    def _by_intent(self, q: Query, hits: list[Hit]) -> list[Hit]:
        """Close answers (within INTENT_MARGIN of the best, among the first three): the one
        whose clause answers most of the question's intents goes first, the best by score
        when none answers more (who may take the work vs how the villagers do it, intents.py).
        """
        asked = question_intents(q.text)
        if not asked:
            return hits
        at = self._position
        close = [
            n
            for n, h in enumerate(hits[:3])
            if h.score >= INTENT_MARGIN * hits[0].score and h.coverage >= THRESHOLD
        ]
        counts = {n: len(asked & self._intents[at[id(hits[n].clause)]]) for n in close}
        pick = max(close, key=lambda n: (counts[n], -n))
        if pick == 0:
            return hits
        return [hits[pick], *hits[:pick], *hits[pick + 1 :]]

    def _diverse(
        self,
        q: Query,
        kept: list[Hit],
        scores: list[float],
        sentences: dict[int, tuple[float, str]],
    ) -> list[Hit]:
        """The answer (or first choice) and the next by score stay; the third place goes to
        the clause that holds best the strongest topic of the question neither of them holds
        as fully (村里小项目审批能不能快一点 …: （三） and （六） hold 村里 and 项目, （四） holds
        审批), so a question read wrongly still shows the clause of its other topic."""
        at = self._position
        taken = [at[id(h.clause)] for h in kept[:DIVERSE_AT]]
        memo = self._holder_memo
        pick = -1
        for c in sorted(q.concepts, key=_by_weight, reverse=True):
            found = memo.get(c.word)
            if found is None:
                found = self._holders(c.word)
            if not found:
                continue
            top, credits, holders = found
            for ci in taken:
                if credits.get(ci, 0.0) >= top:
                    break
            else:
                best = max(holders, key=scores.__getitem__)
                if scores[best] > 0:
                    pick = best
                    break
        if pick < 0:
            return kept
        cover = self._coverage(q, [pick])[pick]
        hit = Hit(
            self.clauses[pick],
            scores[pick] * cover**COVERAGE_POWER,
            cover,
            sentences[pick][1] if pick in sentences else self._first_sentence.get(pick, ""),
        )
        rest = [h for h in kept[DIVERSE_AT:] if h.clause is not hit.clause]
        return [*kept[:DIVERSE_AT], hit, *rest][: max(len(kept), len(taken) + 1)]

    def _holders(self, word: str) -> tuple[float, dict[int, float], tuple[int, ...]] | None:
        """For a content word that names a topic: the fullest credit any clause has for it,
        every clause's credit, and the clauses with the fullest; None for a word that names
        none (钱, 项目, 村里). Kept per word, like the credits."""
        memo = self._holder_memo
        if len(memo) >= CREDIT_MEMO:
            memo.clear()
        credits = self._credit_memo.get(word)
        if credits is None:  # dropped with a full credit memo just now: judged next time
            return None
        found = None
        if (
            credits
            and len(word) > 1
            and self._words.idf.get(word, VAGUE_IDF) >= VAGUE_IDF
            and not _is_place(word)
        ):
            top = max(credits.values())
            found = (top, credits, tuple(ci for ci, v in credits.items() if v == top))
        memo[word] = found if found else ()
        return found

    def _demanded(self, text: str, answers: Sequence[Hit]) -> tuple[Unstated, ...]:
        """What a normalised question demands that no clause states; failing that, the
        quantities it asks for that its answers (the best hit, both when tied) write none of:
        公示要挂多少天 is not （十）'s, which names the notice and no days."""
        if not answers or answers[0].coverage < ASK_FLOOR:
            return ()
        demands, measures = self._asks(text)
        if demands or not measures:
            return demands
        at = self._position
        written: set[str] = set()
        for h in answers:
            written |= self._measured[at[id(h.clause)]]
        return tuple(m for m in measures if m.key not in written)

    def _asks(self, text: str) -> tuple[tuple[Unstated, ...], tuple[Unstated, ...]]:
        """What a normalised question demands that no clause states, and the quantities it
        asks for (unstated.py); kept per question (about 20 µs, paid once)."""
        found = self._demand_memo.get(text)
        if found is None:
            found = (demanded(text, self._stated), measures_asked(text))
            _remember(self._demand_memo, text, found)
        return found

    def _vague(self, q: Query) -> bool:
        """Only words every clause has (项目, 以工代赈) and nothing asked about them (no number,
        no definition): no clause answers that better than another, so ask which is meant."""
        idf = self._words.idf
        return not q.wants and all(
            c.word in idf and idf[c.word] < VAGUE_IDF and len(c.alternatives) == 1
            for c in q.concepts
        )

    def _names_domain(self, q: Query, demands: Sequence[Unstated]) -> bool:
        """Whether a word of two characters or more, other than the demand itself (多少钱),
        is one the clauses or the lexicon know (公益岗, 保洁员; not 猪肉)."""
        idf = self._words.idf
        return any(
            len(c.word) > 1
            and (c.word in idf or len(c.alternatives) > 1)
            and not any(d.asks.search(c.word) for d in demands)
            for c in q.concepts
        )

    def _signals_domain(self, q: Query) -> bool:
        """Whether the words of the policy's topics outweigh the topics it never names.

        Signal: a word of two characters or more that the clauses or the lexicon know, unless
        every clause holds it (项目, 以工代赈: the programme itself, no topic) or it only says
        where the asker lives (村里, 县里, 乡镇: places); a single character the lexicon
        reads as an idea (钱 the wages). Foreign: a noun nobody here knows, at full weight
        (猪肉, 高铁, 路灯, 贷款; a story's nouns weigh less and count less). 村里的路灯坏了找谁
        is no question of ours; 定点联系单位应当履行哪些主要职责 is, though no clause writes 履行.
        """
        idf = self._words.idf
        full = self.vocab.max_idf * FOREIGN_SHARE
        signal = foreign = 0.0
        for c in q.concepts:
            known = c.word in idf or len(c.alternatives) > 1
            if len(c.word) == 1:
                signal += c.weight if len(c.alternatives) > 1 else 0.0
            elif known:
                if idf.get(c.word, VAGUE_IDF) >= VAGUE_IDF and not _is_place(c.word):
                    signal += c.weight
            elif c.weight >= full:
                foreign += c.weight
        return signal > foreign

    def _names_words(self, q: Query) -> bool:
        """Whether a word of two characters or more is one the clauses or the lexicon know."""
        idf = self._words.idf
        return any(
            len(c.word) > 1 and (c.word in idf or len(c.alternatives) > 1) for c in q.concepts
        )

    def _in_domain(self, q: Query) -> bool:
        """The words the clauses or the lexicon know carry most of the question
        (DOMAIN_SHARE of its weight), one of them a word of two characters or more.

        Words nobody here knows (宅基地, 天气) say the question is about something else; one
        spoken word we lack among policy words (经常下村看) still leaves it ours.
        """
        idf = self._words.idf
        known = total = 0.0
        named = False
        for c in q.concepts:
            total += c.weight
            if len(c.word) == 1:
                continue
            if c.word in idf or len(c.alternatives) > 1:
                known += c.weight
                named = True
        return named and known >= DOMAIN_SHARE * total

    def _best_sentences(self, q: Query) -> dict[int, tuple[float, str]]:
        """Per clause: the score and text of its best sentence for this query."""
        s_scores: dict[int, float] = {}
        idf = self._words.idf
        for term, w in q.terms.items():
            weight = w * idf.get(term, 0.0)
            if weight >= SENTENCE_MIN_WEIGHT:
                for si in self._sent_by_word.get(term, ()):
                    s_scores[si] = s_scores.get(si, 0.0) + weight
        telling = self._telling_grams
        for gram in set(q.grams):
            found = telling.get(gram)
            if found is not None:
                weight, holders = found
                for si in holders:
                    s_scores[si] = s_scores.get(si, 0.0) + weight
        sents = self._sentences
        if not q.kinds and not q.wants:  # the common case: per clause, its first best sentence
            best: dict[int, tuple[float, str]] = {}
            for si, score in s_scores.items():
                sent = sents[si]
                old = best.get(sent.clause)
                if old is None or score > old[0]:
                    best[sent.clause] = (score, sent.text)
            return best
        top: dict[int, float] = {}
        picked: dict[int, tuple[tuple[bool, float, bool], str]] = {}
        for si, score in s_scores.items():
            sent = self._sentences[si]
            if q.wants & sent.holds and self._near(q, sent):
                score *= 1 + NUMBER_BONUS
            top[sent.clause] = max(score, top.get(sent.clause, 0.0))
            # a sentence about another kind of project only (农推's 15% for a question on
            # 重推) is quoted last, one that names no other kind first among equals; the
            # clause still scores by its best sentence
            aside = bool(q.kinds and sent.kinds and not q.kinds & sent.kinds)
            key = (not aside, score, bool(q.kinds) and sent.kinds <= q.kinds)
            if sent.clause not in picked or key > picked[sent.clause][0]:
                picked[sent.clause] = (key, sent.text)
        return {ci: (top[ci], text) for ci, (_, text) in picked.items()}

    def _near(self, q: Query, sent: _Sentence) -> bool:
        """Whether what the question asks for stands next to a telling question word."""
        spots = [
            m.start()
            for bit, pattern in HOLDS
            if q.wants & sent.holds & bit
            for m in pattern.finditer(sent.norm)
        ]
        idf = self._words.idf
        telling = [t for t, w in q.terms.items() if w * idf.get(t, 0.0) >= NEAR_MIN_WEIGHT]
        if not telling:  # 以工代赈是啥意思: nothing but the programme's name, so the
            return True  # sentence that holds what is asked (the 简称) is the one
        for term in telling:
            # a concept stands where its policy words are written
            for word in concept_words(term[1:]) if term.startswith("§") else (term,):
                start = sent.norm.find(word)
                while start >= 0:
                    if any(abs(start - spot) <= NEAR_CHARS + len(word) for spot in spots):
                        return True
                    start = sent.norm.find(word, start + 1)
        return False

    def _coverage(self, q: Query, pool: Sequence[int]) -> dict[int, float]:
        """Per clause of `pool`: the share of the question's weight it covers (0..1)."""
        within = frozenset(pool)
        covered = dict.fromkeys(pool, 0.0)
        total = 0.0
        memo = self._credit_memo
        for concept in q.concepts:
            total += concept.weight
            credits = memo.get(concept.word)
            if credits is None:
                if len(memo) >= CREDIT_MEMO:
                    memo.clear()
                credits = memo[concept.word] = self._credits(concept, self._all)
            for ci, credit in credits.items():
                if ci in within:
                    covered[ci] += concept.weight * credit
        return {ci: c / total if total else 0.0 for ci, c in covered.items()}

    def _credits(self, c: Concept, within: frozenset[int]) -> dict[int, float]:
        """Per clause: how fully it holds a concept (word 1, synonym less, bigrams partly;
        a single character anywhere in the clause counts)."""
        single = len(c.word) == 1
        out: dict[int, float] = {}
        if single:
            out = dict.fromkeys(self._char_holders.get(c.word, _NONE) & within, 1.0)
        holders = self._words.holders
        for need, credit in c.alternatives[1:] if single else c.alternatives:
            for ci in within.intersection(*(holders.get(t, _NONE) for t in need)):
                if credit > out.get(ci, 0.0):
                    out[ci] = credit
        if not single and c.grams and len(out) < len(within):
            step = PARTIAL_CREDIT / len(c.grams)
            for gram in c.grams:
                for ci in self._grams.holders.get(gram, _NONE) & within:
                    if out.get(ci, 0.0) < PARTIAL_CREDIT:
                        out[ci] = out.get(ci, 0.0) + step
        return out
