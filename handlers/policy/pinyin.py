"""Sound-alike slips and pinyin typing: 以工代振 → 以工代赈, 劳物 → 劳务, zb → 招标, ygdz → 以工代赈.

The readings come from pypinyin, written once into data/pinyin.txt (toneless, every reading)
for GB2312's characters, the small dictionary's and the shipped policy's; the running bot reads that
file only (importing pypinyin costs 0.4 s). Rebuild: `python -m handlers.policy.pinyin`.

- **Homophones:** a window of the question that sounds like a term (each character shares a
  reading with the term's character, at least one differs) is read as the term, unless the
  window is itself a dictionary word or overlaps one (工事 is no slip for 公示, and 优先上岗
  holds no 线上).
- **Initials and full pinyin:** a run of Latin letters that is the initials (ygdz) or the whole
  pinyin (yigongdaizhen) of exactly one term is read as that term.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable

from handlers.policy.dictionary import SHIPPED_POLICY, _load, data_path, tokenizer
from handlers.policy.synonyms import SYNONYMS
from handlers.policy.text import cut_spans

PINYIN = "pinyin.txt"
# 模糊音: the sounds much of China does not tell apart — flat and curled tongue (z/zh, c/ch,
# s/sh), n/l, f/h (湖南, 福建, 四川 …), front and back nasals (in/ing, en/eng, an/ang). Phone
# keyboards offer them as a setting and voice input hears them from such speakers, so a slip
# by one of them (森批 for 审批, 台脏 for 台账, 龙推 for 农推) is heard as the term.
_BLUR_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"))
_BLUR_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
# The commonest function characters, which no term holds near them in sound and sense, are typed
# on purpose: in a term of two or three characters one of them in place of the term's character
# is no slip (是县 is not 市县, 在审 not 再审); 不, 和, 有 are left out, since 不贴, 和同 and 有先
# are slips for 补贴, 合同, 优先
_MEANT = frozenset("是的了在我你他她这那个")


def blur(sound: str) -> str:
    """A toneless reading with the 模糊音 pairs merged (shen, sen → sen; nong, long → lon)."""
    for a, b in _BLUR_INITIALS:
        if sound.startswith(a) and sound != "ng":
            sound = b + sound[len(a) :]
            break
    for a, b in _BLUR_FINALS:
        if sound.endswith(a):
            return sound[: -len(a)] + b
    return sound


_LATIN = "abcdefghijklmnopqrstuvwxyz"
_LATIN_RUN = re.compile("[a-z]+")
_SYLLABLE_GAP = re.compile(r"(?<=[a-z]) +(?=[a-z])")
# The terms people abbreviate to initials when typing on a phone (zb, ygdz, lwbc …); their
# initials win over any other term's. Initials of other terms count from three characters.
COMMON_TERMS = [
    "以工代赈",
    "招标",
    "工资",
    "工钱",
    "劳务报酬",
    "劳务",  # lw报酬, lw公司
    "公益性岗位",
    "公益岗",
    "农推",
    "重推",
    # the programme's projects, typed as one word (ntxm, ztxm, ygdzxm)
    "农推项目",
    "重推项目",
    "以工代赈项目",
    "发改委",
    "人社局",
    "施工单位",
    "业主单位",
    "竣工验收",
    "验收",
    "技能培训",
    "培训",
    "台账",
    "公示",  # gs: the liaison's monthly 公示 (公司 is typed whole: lw公司)
    "定点联系人",
    "村委会",
    "合作社",
    "乡村振兴",
    "衔接资金",
    "项目清单",
    "劳务公司",
    "项目理事会",
    "以工代训",
    "监理",
    "审批",
    "发包",
    "管护",
    "综合赈济",
    "资产折股",
]


# A question typed all in pinyin (ygdz xiangmu gongqian anshi fa ma): once one run of it is
# read as a term, it is a pinyin sentence, and its other runs are read as the words people type
# that way — the function and question words of speech, then any two-character word of the
# terms spelled out in full (xiangmu 项目, anshi 按时). Outside such a sentence a Latin run
# (app, ok, a name) is left as it is.
_SPOKEN_PINYIN = {
    "ma": "吗",
    "ne": "呢",
    "ba": "吧",
    "a": "啊",
    "bu": "不",
    "mei": "没",
    "meiyou": "没有",
    "you": "有",
    "youmeiyou": "有没有",
    "keyi": "可以",
    "kebukeyi": "可不可以",
    "neng": "能",
    "nengbuneng": "能不能",
    "shi": "是",
    "bushi": "不是",
    "shibushi": "是不是",
    "yao": "要",
    "yaobuyao": "要不要",
    "zenme": "怎么",
    "zenmeban": "怎么办",
    "shenme": "什么",
    "shenmeshihou": "什么时候",
    "sha": "啥",
    "za": "咋",
    "shei": "谁",
    "shui": "谁",
    "nali": "哪里",
    "nage": "哪个",
    "na": "哪",
    "naxie": "哪些",
    "xie": "些",
    "duoshao": "多少",
    "duojiu": "多久",
    "jitian": "几天",
    "fa": "发",
    "gei": "给",
    "gan": "干",
    "de": "的",
    "le": "了",
    "wo": "我",
    "women": "我们",
    "an": "俺",
    "zan": "咱",
    "cun": "村",
    "cunli": "村里",
    "zhen": "镇",
    "xian": "县",
    "qian": "钱",
    "huo": "活",
    "ganhuo": "干活",
    "xiulu": "修路",
    "zhengfu": "政府",
    "guanli": "管理",
    # single syllables of speech, read so before the most frequent character spelled alike
    "he": "和",
    "gen": "跟",
    "zui": "最",
    "hai": "还",
    "dou": "都",
    "jiu": "就",
    "zai": "在",
    "ye": "也",
    "zhan": "占",
    "suan": "算",
    "dai": "代",
    "shang": "上",
    "li": "里",
    "ren": "人",
    "ge": "个",
    "ji": "几",
    "xiang": "想",
    "wen": "问",
}
# A run of a pinyin sentence that is neither is read as the dictionary word of two to four
# characters spelled so — a term of ours first, then the most frequent (qubie 区别, keyan
# 可研) — or split into such words and the ones above (laowubaochou 劳务 报酬); the word list
# is built on the first such run.
_WORD_SYLLABLES = range(2, 5)


@functools.cache
def readings() -> dict[str, tuple[str, ...]]:
    """Character -> toneless readings, most common first."""
    out = {}
    for line in data_path(PINYIN).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            ch, sounds = line.split(" ")
            out[ch] = tuple(sounds.split(","))
    return out


class PinyinFixer:
    """Rewrite sound-alike slips and pinyin abbreviations of known terms."""

    def __init__(self, terms: Iterable[str], common: Iterable[str] = COMMON_TERMS) -> None:
        sounds = readings()
        self._sounds = sounds
        self._terms: list[tuple[str, tuple[str, ...]]] = []
        self._by_first: dict[tuple[str, ...], list[int]] = {}  # by their first two sounds
        for term in sorted(set(terms)):
            if len(term) < 2 or not all(ch in sounds for ch in term):
                continue
            heard = tuple(blur(sounds[ch][0]) for ch in term)
            self._by_first.setdefault(heard[:2], []).append(len(self._terms))
            self._terms.append((term, heard))
        self._term_set = {t for t, _ in self._terms}
        # built on the first question typed with Latin letters, under a lock: the initials
        # run into the rest of a term (_prefixes), and words by their whole pinyin (_by_sound)
        self._words_lock = threading.Lock()
        self._prefixed: dict[str, list[tuple[str, str]]] | None = None
        self._words: tuple[dict[str, str], dict[str, str]] | None = None
        # the common terms' initials first (zb is 招标, not 张榜); then any other term of three
        # characters or more; an abbreviation that could be two terms is no abbreviation
        self._typed: dict[str, str] = {}
        for group, shortest in ((common, 2), ((t for t, _ in self._terms), 3)):
            typed: dict[str, set[str]] = {}
            for term in group:
                if len(term) >= shortest and all(ch in sounds for ch in term):
                    first = [sounds[ch][0] for ch in term]
                    typed.setdefault("".join(s[0] for s in first), set()).add(term)
                    typed.setdefault("".join(first), set()).add(term)
            for key, found in typed.items():
                if len(found) == 1:
                    self._typed.setdefault(key, found.pop())
        # two-character terms by their whole pinyin, where only one term is spelled so
        spelled: dict[str, set[str]] = {}
        for term, _ in self._terms:
            if len(term) == 2:
                spelled.setdefault("".join(sounds[ch][0] for ch in term), set()).add(term)
        self._spelled = {k: v.pop() for k, v in spelled.items() if len(v) == 1}
        self._known = tokenizer().FREQ
        self._first = {ch: blur(sounds[0]) for ch, sounds in self._sounds.items()}

    def fix(self, text: str, words: list[tuple[str, int]]) -> tuple[str, tuple[str, ...]]:
        """The text with slips and abbreviations replaced by the terms, and the terms used."""
        fixed: list[str] = []
        if any(ch in _LATIN for ch in text):
            typed = self._expand_latin(text, fixed)
            if typed != text:  # read as Chinese (a term or not): cut again
                text, words = typed, cut_spans(typed)
        heard = [self._first.get(ch, "") for ch in text]
        starts = [
            i
            for i, pair in enumerate(zip(heard, heard[1:], strict=False))
            if pair in self._by_first
        ]
        if not starts:  # nothing sounds like the start of a term: the common case
            return text, tuple(fixed)
        spans = [(at, at + len(w)) for w, at in words if len(w) > 1 and self._known.get(w)]
        out: list[str] = []
        i = 0
        for start in starts:
            if start < i:
                continue
            term = self._sounds_like(text, heard, start, spans)
            if term is not None:
                out.append(text[i:start] + term)
                fixed.append(term)
                i = start + len(term)
        out.append(text[i:])
        return "".join(out), tuple(fixed)

    def _expand_latin(self, text: str, fixed: list[str]) -> str:
        typed: list[str] = []
        text = self._complete_prefixes(text, typed)
        if not _LATIN_RUN.search(text):
            fixed += typed
            return text
        # a term's initials, or the whole pinyin of a term (peixun, fenhong): only one term
        # spells it so
        out = self._latin_runs(
            text, typed, lambda run: self._typed.get(run) or self._spelled.get(run)
        )
        if not typed:
            # no term typed, yet two runs or more, each spelling words, one of two characters
            # or more (keyan dai chushe, gongdi shang you peixun ma): a pinyin sentence too
            runs = _LATIN_RUN.findall(text)
            read = [self._pinyin_word(r) for r in runs]
            joined = len(runs) >= 3 and all(len(w or "") == 1 for w in read)
            if joined:
                # a syllable per run (yi gong dai xun shi sha yi si): the runs next to each
                # other are one run, split into words as one
                text = _SYLLABLE_GAP.sub("", text)
                runs = _LATIN_RUN.findall(text)
                read = [self._pinyin_word(r) for r in runs]
            if len(runs) < 2 and not joined:
                return out
            if not all(read) or all(len(w or "") < 2 for w in read):
                return out
            typed = [w for w in read if w and (w in self._term_set or w in SYNONYMS)]
        fixed += typed
        return self._pinyin_sentence(text)

    def _prefixes(self) -> dict[str, list[tuple[str, str]]]:
        """A term's first characters typed by their initials, the rest written out (dd联系单位
        is 定点联系单位, lw报酬 劳务报酬): initials -> (the rest, the term), longest first;
        initials and rest that two terms share (cz部: 村支部 or 财政部) are no abbreviation."""
        if self._prefixed is None:
            with self._words_lock:
                if self._prefixed is None:
                    sounds = self._sounds
                    spelt: dict[tuple[str, str], set[str]] = {}
                    for term in self._term_set:
                        for cut in range(2, len(term)):
                            key = "".join(sounds[ch][0][0] for ch in term[:cut])
                            spelt.setdefault((key, term[cut:]), set()).add(term)
                    prefixed: dict[str, list[tuple[str, str]]] = {}
                    order = sorted(spelt.items(), key=lambda p: (-len(p[0][1]), p[0]))
                    for (key, rest), terms in order:
                        if len(terms) == 1:
                            prefixed.setdefault(key, []).append((rest, next(iter(terms))))
                    self._prefixed = prefixed
        return self._prefixed

    def _complete_prefixes(self, text: str, fixed: list[str]) -> str:
        """Initials run straight into the rest of a term written out: the term."""
        out, at = [], 0
        prefixed = self._prefixes()
        for m in _LATIN_RUN.finditer(text):
            for rest, term in prefixed.get(m[0], ()):
                if text.startswith(rest, m.end()):
                    out.append(text[at : m.start()] + term)
                    at = m.end() + len(rest)
                    fixed.append(term)
                    break
        return "".join(out) + text[at:] if out else text

    def _pinyin_sentence(self, text: str) -> str:
        """Every Latin run read as a term or as words; the blanks between two runs dropped,
        so that the words they spell are cut as one phrase (zui shao 最少, not 最 少)."""
        out: list[str] = []
        latin = False  # the last piece was a run read as Chinese
        for m in re.finditer(r"[a-z]+|\s+|[^a-z\s]+", text):
            piece = m[0]
            if piece[0] in _LATIN:
                word = self._typed.get(piece) or self._pinyin_word(piece)
                if latin and out and out[-1].isspace() and word:
                    out.pop()
                out.append(word or piece)
                latin = word is not None
            else:
                out.append(piece)
                latin = latin and piece.isspace()
        return "".join(out)

    def _pinyin_word(self, run: str) -> str | None:
        """A run of a pinyin sentence as Chinese words, or None when it spells none."""
        by_sound, single = self._by_sound()

        def word_of(piece: str) -> str | None:
            return _SPOKEN_PINYIN.get(piece) or self._spelled.get(piece) or by_sound.get(piece)

        known = word_of(run)
        if known or len(run) > 40:
            return known
        if run in single:  # one syllable alone: its most frequent character
            return single[run]
        # split into words: fewest pieces, each a word above or, where none fits, a syllable
        # read as its most frequent character (fenhong zenme fen: the last 分)
        best: list[list[str] | None] = [[]] + [None] * len(run)
        for end in range(1, len(run) + 1):
            for start in range(max(0, end - 24), end):
                head = best[start]
                word = word_of(run[start:end]) or single.get(run[start:end])
                if (
                    head is not None
                    and word
                    and (best[end] is None or len(head) + 1 < len(best[end] or []))
                ):
                    best[end] = [*head, word]
        return "".join(best[-1]) if best[-1] else None

    def _by_sound(self) -> tuple[dict[str, str], dict[str, str]]:
        """Whole toneless pinyin -> the dictionary word spelled so, for words of two to four
        characters and for single characters: a term of ours first (keyan is 可研 here, not
        科研), then the most frequent. Built once, by the first thread that needs it."""
        if self._words is None:
            with self._words_lock:
                if self._words is None:
                    self._words = (
                        self._spelled_words(_WORD_SYLLABLES),
                        self._spelled_words(range(1, 2)),
                    )
        return self._words

    def _spelled_words(self, lengths: range) -> dict[str, str]:
        freq = tokenizer().FREQ
        out: dict[str, tuple[bool, int, str]] = {}
        for word, count in freq.items():
            if count and len(word) in lengths and all(ch in self._sounds for ch in word):
                key = "".join(self._sounds[ch][0] for ch in word)
                rank = (word in self._term_set or word in SYNONYMS, count, word)
                if rank > out.get(key, (False, 0, "")):
                    out[key] = rank
        return {key: word for key, (_, _, word) in out.items()}

    def _latin_runs(self, text: str, fixed: list[str], read: Callable[[str], str | None]) -> str:
        out, i = [], 0
        while i < len(text):
            if text[i] not in _LATIN:
                out.append(text[i])
                i += 1
                continue
            end = i
            while end < len(text) and text[end] in _LATIN:
                end += 1
            run = text[i:end]
            term = read(run)
            if term is not None:
                fixed.append(term)
            out.append(term or run)
            i = end
        return "".join(out)

    def _sounds_like(
        self, text: str, heard: list[str], start: int, spans: list[tuple[int, int]]
    ) -> str | None:
        """The longest term that the text at `start` sounds like but does not spell."""
        best: str | None = None
        for i in self._by_first.get(tuple(heard[start : start + 2]), ()):
            term, sounds = self._terms[i]
            end = start + len(term)
            window = text[start:end]
            if window == term or (best is not None and len(term) <= len(best)):
                continue
            if tuple(heard[start:end]) != sounds:
                continue
            if self._known.get(window) or (
                len(term) < 4  # four sounds alike are no accident (一功代真的 is 以工代赈)
                and any(a < end and start < b and not start <= a < b <= end for a, b in spans)
            ):
                continue  # a real word, or inside or across one (优先上岗 holds no 线上)
            if len(term) == 2 and window[0] != term[0] and window[1] != term[1]:
                continue  # two sound-alike characters of two: too likely another word
            if len(term) < 4 and any(
                a != b and a in _MEANT for a, b in zip(window, term, strict=True)
            ):
                continue  # 我是县交通局的: 是 is meant, no slip for 市县
            best = term
        return best


def main() -> None:
    from pypinyin import Style, pinyin  # dev dependency

    chars = set(data_path(SHIPPED_POLICY).read_text(encoding="utf-8"))
    for word in _load()[0]:
        chars.update(word)
    for hi in range(0xB0, 0xF8):  # GB2312's 6,763 characters: what people type
        for lo in range(0xA1, 0xFF):
            chars.update(bytes((hi, lo)).decode("gb2312", "ignore"))
    chars = {ch for ch in chars if "\u4e00" <= ch <= "\u9fff"}
    lines = ["# character readings, toneless, from pypinyin (python -m handlers.policy.pinyin)"]
    for ch in sorted(chars):
        sounds = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
        lines.append(f"{ch} {','.join(dict.fromkeys(sounds))}")
    out = data_path(PINYIN)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {len(lines) - 1} characters")


if __name__ == "__main__":
    main()
