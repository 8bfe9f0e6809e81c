"""The development set: colloquial questions with their expected clause, and off-topic ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.policy.kb import KnowledgeBase, builtin_kb
from handlers.policy.synonyms import SYNONYMS
from tests.handlers.policy_support import kb_without

DATA = Path(__file__).resolve().parent.parent / "data"


def load(name: str) -> list[tuple[str, str]]:
    """(question, expected clause or "-") rows of a TSV in tests/data/ (a kind column after
    them, where there is one, is left out: see load_kinds)."""
    return [(q, e) for q, e, _ in load_kinds(name)]


def load_kinds(name: str) -> list[tuple[str, str, str]]:
    """(question, expected, kind) rows; rows of two columns are "official" or "offtopic"."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected, *kind = line.split("\t")
            default = "offtopic" if expected == "-" else "official"
            rows.append((question, expected, kind[0] if kind else default))
    return rows


@pytest.fixture(scope="module")
def devset() -> list[tuple[str, str]]:
    return load("policy_questions.tsv")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """Each set is measured without its own questions in the example bank (examples.py);
    this one is the first development set's."""
    return kb_without("policy_questions.tsv")


def test_devset_is_big_enough(devset: list[tuple[str, str]]):
    on_topic = [q for q, e in devset if e != "-"]
    assert len(on_topic) >= 80
    assert len(devset) - len(on_topic) >= 15
    assert len({q for q, _ in devset}) == len(devset)


def test_no_question_is_copied_into_the_synonym_table(devset: list[tuple[str, str]]):
    phrases = set(SYNONYMS) | {t for targets in SYNONYMS.values() for t in targets}
    policy = "".join(c.text for c in builtin_kb().documents[0].clauses)
    # off-topic rows are exempt: a synonym could only help them to a (wrong) answer (钱 → 资金)
    others = (
        load("policy_questions_dev2.tsv")
        + load("policy_questions_dev3.tsv")
        + load("policy_questions_dev4.tsv")
        + load("policy_questions_dev5.tsv")
        + load("policy_questions_dev6.tsv")
        + load("policy_questions_dev7.tsv")
        + load("policy_questions_holdout.tsv")
    )
    for question, expected in devset + others:
        if expected == "-":
            continue
        bare = question.strip("？?！!。 ")
        if bare in policy:  # a question that is a term of the policy (后期管护) copies nothing
            continue
        assert bare not in phrases, question
    assert max(len(k) for k in SYNONYMS) <= 4  # words, not phrases


def test_top1_at_least_97_percent_and_top3_at_least_99(
    kb: KnowledgeBase, devset: list[tuple[str, str]]
):
    # the rows written before issue 16, without a kind column (the others are checked below)
    lines = (DATA / "policy_questions.tsv").read_text(encoding="utf-8").splitlines()
    first = {line.split("\t")[0] for line in lines if line.count("\t") == 1}
    on_topic = [(q, e) for q, e in devset if e != "-" and q in first]
    top1 = top3 = 0
    misses = []
    for question, expected in on_topic:
        result = kb.ask(question)
        numbers = [h.clause.number for h in result.hits] if result.confident else []
        top1 += numbers[:1] == [expected]
        top3 += expected in numbers[:3]
        if numbers[:1] != [expected]:
            misses.append((question, expected, numbers[:3]))
    assert top1 / len(on_topic) >= 0.97, misses
    # one known miss (招不到本地工人咋办 → （二）) needs more than keyword matching
    assert top3 / len(on_topic) >= 0.99, misses


def test_spoken_rows_at_least_88_percent_top1_and_98_top3(kb: KnowledgeBase):
    """Issue 16's rows (colloquial, dialect, typos, details), tuned on: a regression floor."""
    lines = (DATA / "policy_questions.tsv").read_text(encoding="utf-8").splitlines()
    later = {line.split("\t")[0] for line in lines if line.count("\t") == 2}
    rows = [r for r in load_kinds("policy_questions.tsv") if r[0] in later and r[1] != "-"]
    assert len(rows) >= 100
    top1 = top3 = 0
    misses = []
    for question, expected, _ in rows:
        result = kb.ask(question)
        numbers = [h.clause.number for h in (result.hits if result.confident else result.choices)]
        accepted = set(expected.split("/"))  # a row may accept several clauses: （三）/（十）
        top1 += result.confident and bool(accepted & set(numbers[:1]))
        top3 += bool(accepted & set(numbers[:3]))
        if not result.confident or not accepted & set(numbers[:1]):
            misses.append((question, expected, numbers[:3]))
    assert top1 / len(rows) >= 0.88, misses
    assert top3 / len(rows) >= 0.98, misses


def test_every_off_topic_question_is_refused(kb: KnowledgeBase, devset: list[tuple[str, str]]):
    # the rows written before issue 16, without a kind column; the later traps are below
    lines = (DATA / "policy_questions.tsv").read_text(encoding="utf-8").splitlines()
    first = {line.split("\t")[0] for line in lines if line.count("\t") == 1}
    answered = [
        (q, kb.ask(q).hits[0].clause.number)
        for q, e in devset
        if e == "-" and q in first and kb.ask(q).best
    ]
    assert answered == []


def test_near_domain_traps_at_least_95_percent_refused(kb: KnowledgeBase):
    """Issue 16's off-topic rows: other programmes and near-domain traps (tuned on)."""
    lines = (DATA / "policy_questions.tsv").read_text(encoding="utf-8").splitlines()
    traps = [line.split("\t")[0] for line in lines if line.count("\t") == 2 and "\t-\t" in line]
    assert len(traps) >= 40
    answered = [q for q in traps if kb.ask(q).best]
    assert len(answered) / len(traps) <= 0.05, answered


@pytest.mark.parametrize(
    ("name", "floors", "least_traps"),
    [
        # dev2, written independently and measured untouched first (docs/POLICY_QA.md), then
        # tuned on: a regression floor, below its figures
        ("policy_questions_dev2.tsv", (0.93, 0.98, 0.94), 40),
        # dev3: untouched 94.1% top-1, 97.1% top-3, 55/58 traps refused with qa3's code; then
        # tuned on: a floor below its figures, so a change that costs it shows
        ("policy_questions_dev3.tsv", (0.96, 0.98, 0.93), 50),
        # dev4: untouched 89.9% top-1, 94.7% top-3, 42/55 traps refused with qa4's code; then
        # tuned on (fifth pass): a floor below its figures
        ("policy_questions_dev4.tsv", (0.90, 0.95, 0.96), 50),
        # dev5: untouched 83.6% top-1 (paraphrase 60%), 92.3% top-3, 44/50 traps refused with
        # qa5's code; then tuned on (sixth pass): a floor below its figures
        ("policy_questions_dev5.tsv", (0.93, 0.97, 0.96), 50),
        # dev6 (villagers): untouched 81.4% top-1 (colloquial 80.3%), 89.2% top-3, 39/44 traps
        # refused with qa6's code; then tuned on (seventh pass, on half of its misses): a floor
        # below its figures
        ("policy_questions_dev6.tsv", (0.82, 0.90, 0.95), 40),
        # dev7 (officials and project staff): untouched 89.7% top-1 (paraphrase 81.4%), 94.3%
        # top-3, only 18/35 traps refused; then tuned on (seventh pass): a floor below its figures;
        # 35/35 refused after the twelfth pass (near-domain traps)
        ("policy_questions_dev7.tsv", (0.90, 0.95, 0.94), 35),
        # dev8 (mixed users): untouched 92.8% top-1 (colloquial 90.2%), 95.0% top-3, 41/46
        # traps refused; only checked on in the eighth pass (asking back on the policy's
        # words): 92.8%, 96.1%, 41/46. A floor below its figures
        ("policy_questions_dev8.tsv", (0.91, 0.94, 0.86), 45),
        # dev9 (60% villagers): untouched 83.4% top-1 (colloquial 74.3%), 93.7% top-3, 50/58
        # traps refused; the eleventh pass designed on its even rows' misses only: 88.6%,
        # 96.0%, 53/58. A floor below its figures; 57/58 refused after the twelfth pass
        ("policy_questions_dev9.tsv", (0.87, 0.95, 0.95), 55),
        # dev10 (villagers) and dev11 (officials, liaisons), written for the example bank and
        # measured untouched without their own examples: 91.3% / 95.1% / 55 of 60 traps and
        # 98.4% / 98.9% / 37 of 50 (matcher alone 86.9% and 92.6% top-1). Floors below those;
        # the twelfth pass (near-domain traps) refuses 60/60 and 50/50
        ("policy_questions_dev10.tsv", (0.89, 0.93, 0.96), 60),
        ("policy_questions_dev11.tsv", (0.96, 0.97, 0.96), 50),
        # dev12 (near-domain traps on both sides of the boundary) and dev13 (workers and their
        # families), written last: untouched 97.0% / 99.3% / 85 of 130 traps and 93.0% / 98.6% /
        # 95 of 111 (matcher alone 95.5% and 86.0% top-1). Floors below those
        ("policy_questions_dev12.tsv", (0.95, 0.97, 0.69), 120),
        ("policy_questions_dev13.tsv", (0.91, 0.96, 0.83), 100),
        # dev14 (officials' traps) and dev15 (villagers' traps), the last written: untouched
        # 98.2% / 98.2% / 57% and 95.0% / 98.0% / 58% of 120 and 124 traps refused (matcher
        # alone 61% and 56%): what a writer asked only for traps finds. Floors below those;
        # the thirteenth pass (quantities the answering clause does not write) refuses 91/130
        # of dev12's traps, 74/120 of dev14's and 75/124 of dev15's
        ("policy_questions_dev14.tsv", (0.95, 0.96, 0.61), 120),
        ("policy_questions_dev15.tsv", (0.92, 0.95, 0.60), 120),
    ],
)
def test_later_development_sets_stay_where_they_were_tuned(
    name: str, floors: tuple[float, float, float], least_traps: int
):
    kb = kb_without(name)
    rows = load_kinds(name)
    on_topic = [(q, set(e.split("/"))) for q, e, _ in rows if e != "-"]
    traps = [q for q, e, _ in rows if e == "-"]
    assert len(on_topic) >= 100 and len(traps) >= least_traps
    top1 = top3 = 0
    for question, accepted in on_topic:
        result = kb.ask(question)
        numbers = [h.clause.number for h in (result.hits if result.confident else result.choices)]
        top1 += result.confident and bool(accepted & set(numbers[:1]))
        top3 += bool(accepted & set(numbers[:3]))
    least_top1, least_top3, least_refused = floors
    assert top1 / len(on_topic) >= least_top1
    assert top3 / len(on_topic) >= least_top3
    assert sum(not kb.ask(q).best for q in traps) / len(traps) >= least_refused


def test_holdout_set_stays_usable():
    """Never tuned on; a floor that catches regressions (figures in docs/POLICY_QA.md)."""
    kb = kb_without("policy_questions_holdout.tsv")
    rows = load("policy_questions_holdout.tsv")
    on_topic = [(q, e) for q, e in rows if e != "-"]
    top3 = sum(e in [h.clause.number for h in kb.ask(q).hits[:3]] for q, e in on_topic)
    assert top3 / len(on_topic) >= 0.9
