"""A question as weighted search terms and as the content words a clause must cover."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from handlers.policy import text as tx
from handlers.policy.concepts import concept_term, spoken_index
from handlers.policy.dictionary import pos_tag
from handlers.policy.phrases import phrase_matches
from handlers.policy.synonyms import DOMAIN_TERMS, STOPWORDS, SYNONYMS, is_stopword, kinds_named
from handlers.policy.variants import TRADITIONAL_CHARS, simplified

SYNONYM_WEIGHT = 0.6  # all synonyms of a word together weigh this much of the word
SYNONYM_CREDIT = 0.8  # a synonym covers the word it stands for, a little less surely
CONCEPT_WEIGHT = 0.8  # a spoken word no clause holds: its concepts carry it
PHRASE_WEIGHT = 1.0  # a spoken phrase (钱 … 发给) names its concept like a word of its own
KNOWN_CONCEPT_WEIGHT = 0.4  # a word the clauses hold: its concept adds its other wordings
SUBWORD_WEIGHT = 1.0  # dictionary words inside a longer question word (as cut_for_search)
SINGLE_CHAR_WEIGHT = 0.3  # one-character words say little
STRAY_CHAR_SHARE = 0.5  # a character no clause holds: debris of a spoken phrase, mostly
IDF_FLOOR = 0.5  # in coverage, even a word every clause holds is part of what was asked
VERB_WEIGHT = 0.5  # for words no clause holds: a verb says less about the topic than a noun
MINOR_WEIGHT = 0.3  # … and an adjective, adverb, numeral or pronoun less still
FUNCTION_WEIGHT = 0.5  # adverbs, pronouns, conjunctions … even where the clauses hold them
STORY_SHARE = 0.3  # words of the story told before what is asked count this much
MEMO_WORDS = 50_000  # words whose analysis is kept per index (a pure function of the word)
_FUNCTION_TAG_TEXT = "d ad df dg r rr rz rg p c u uj ul uv uz ud ug y e o m mq q"
_FUNCTION_TAGS = frozenset(_FUNCTION_TAG_TEXT.split())
_TIME_SUFFIXES = "后前时"
# 奖不奖, 管没管, 同意不同意: the yes-no form of a verb asks about the verb
_YES_NO = re.compile(r"(\w{1,2}?)[不没]\1")
# One character that, said alone, names an idea (奖 in 省里奖不奖): spoken Chinese says many
# verbs with one syllable where writing uses two (查 for 检查, 签 for 签订); the written word
# is what the clauses, the synonyms and the concepts know.
CHAR_WORDS = {
    "奖": "奖励",
    "罚": "处罚",
    "赏": "奖赏",
    "包": "承包",
    "批": "审批",
    "扫": "打扫",
    "学": "学习",
    "村": "村里",
    "教": "培训",
    "评": "评价",
    "查": "检查",
    "审": "审批",
    "验": "验收",
    "记": "记录",
    "列": "列入",
    "签": "签订",
    "贪": "贪污",
    "盯": "监督",
    "训": "培训",
    "雇": "雇用",
    "欠": "拖欠",
    "扣": "克扣",
}

# A character that, in a short spoken question of single characters (钱咋算, 活给谁, 谁来修),
# points at one idea: not enough to answer, enough to ask back with that idea's clauses.
CHAR_HINTS = {
    "钱": "发工钱",
    "活": "务工",
    "账": "台账",
    "岗": "公益岗",
    "股": "分红",
}

# What a question asks for (bits), and the sentences that hold it (same bits).
NUMBER, PERIOD, DEFINITION = 1, 2, 4
_ASKS = (
    (NUMBER, re.compile(r"多少|几|比例|占比|百分|多久|多长|多大|最低|最少|至少|不低于|几成|频率")),
    (PERIOD, re.compile(r"多久|多长时间|多长|几次|几回|频率|什么时候|定期|每隔")),
    (
        DEFINITION,
        re.compile(
            r"是什么|是啥|啥叫|什么叫|什么是|啥是|啥意思|什么意思|指什么|含义|定义|区别|不一样|啥不同|算不算|啥样的|什么样的|哪样的"
        ),
    ),
)
# 以工代赈咋回事, 说说农推: asks what the programme itself is (not 这个项目咋回事, which is vague)
_ABOUT_PROGRAMME = re.compile(
    r"(以工代赈|农推|重推).{0,6}(咋回事|怎么回事|是个啥|是个什么)|(介绍|说说|讲讲).{0,4}(以工代赈|农推|重推)"
)
HOLDS = (
    (NUMBER, re.compile(r"\d|%|百分之")),
    (PERIOD, re.compile(r"季度|年度|每年|每月|按月|周期|每季")),
    (DEFINITION, re.compile(r"简称|是指|指的是|所称|分为|包括")),
)


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
# 百分之十五 is how a share is said (百分十五, 百分之15 too, hurried or typed); the clauses
# write 15%
_SPOKEN_PERCENT = re.compile(r"百分之?([零一二两三四五六七八九十]{1,3}|\d{1,2})(?![\d%])")


# Function words of regional speech said as Mandarin writes them, so the period, the person and
# the phrases are read as they are in Mandarin: 哪个 before a verb is 谁 (西南官话: 哪个来管),
# 嘞 is 的 (中原, 西南: 修好嘞路), 几时/多会儿/多咱/啥时 is 什么时候 (粤, 北方), 冇 is 没,
# 唔 is 不, 嘅 is 的, 咗 is 了, 佢 is 他, 乜嘢 is 什么, 点样 is 怎样 (粤).
_DIALECT = (
    (re.compile(r"哪个(?=(来|去|管|修|负责|发|定|批|审|查|签|牵头|出钱|干|当|说了算|做主))"), "谁"),
    (re.compile(r"嘞|嘅"), "的"),
    (re.compile(r"咗"), "了"),
    (re.compile(r"佢"), "他"),
    (re.compile(r"几时|多会儿|多咱|啥时候?|(?<!什)么时候"), "什么时候"),
    (re.compile(r"有冇"), "有没有"),
    (re.compile(r"冇"), "没"),
    # 粤 (eleventh pass): 系咪/係咪/系唔系 ask 是不是 (before 咪 and 唔 are read alone); 俾 is 畀,
    # 给; 西南 (贵州, 云南): 哪样 is 什么 (搞哪样, 哪样清单)
    (re.compile(r"[系係](咪|唔[系係])"), "是不是"),
    # 粤 (sixteenth pass): 系 after a person or before what is asked is 是; 咩 before what it asks about (咩嚟, 咩事, 咩人)
    # or after a verb (做咩, 讲咩) is 什么, at the end of a sentence a particle (below); 乜 is 什么;
    # 喺 is 在, 边度/边处 哪里, 边间 哪家, 边位 哪位; 点整/点搞/点做/点算/点办 ask 怎么办; 嚟 is
    # 来, 睇 看, 揾/搵 找, 啱 对, 嘢 东西, a closing 未 asks 没 (俾足未); 出粮 is 发工资, 揾工
    # 找活干, 做嘢/做工 干活; 而家/依家 现在, 唔该 请, 唔使/唔洗 不用, 老细 老板
    (
        re.compile(
            r"(?<=[我你佢他她们])系(?![统列数])|(?<![联关体维派干世直旁])系(?=什么|咩|乜|唔|咪|边|谁|不是)"
        ),
        "是",
    ),
    (re.compile(r"咩(?=[嚟事人嘢意东时野样])|(?<=[做讲搞系係是为])咩(?![?？!！。，,]|$)"), "什么"),
    (re.compile(r"(?<!乜)乜(?!嘢)"), "什么"),
    (re.compile(r"出粮(?!食)"), "发工资"),
    (re.compile(r"(?<=[了足好完齐到发给做过资钱])未(?=$|[？?呀啊呢吖])"), "没"),
    (re.compile(r"[揾搵]工"), "找活干"),
    (re.compile(r"做嘢|做工(?![程作资艺具厂期夫业精细])"), "干活"),
    (re.compile(r"喺"), "在"),
    (re.compile(r"边度|边处(?![理置分])|边忽"), "哪里"),
    (re.compile(r"边间"), "哪家"),
    (re.compile(r"边位(?!置)"), "哪位"),
    (
        re.compile(
            r"(?<![重要特节地站试焦难优缺观热盲景据快早晚慢几一有差半两三])点(?:整|搞|做|算|办)(?=$|[？?，,。！!呀啊啦先好才])"
        ),
        "怎么办",
    ),
    (re.compile(r"嚟"), "来"),
    (re.compile(r"睇"), "看"),
    (re.compile(r"[揾搵]"), "找"),
    (re.compile(r"啱"), "对"),
    (re.compile(r"(?<!乜)嘢"), "东西"),
    (re.compile(r"(?<![然反因从进])而家(?![长庭属人])|依家(?![庭属])"), "现在"),
    (re.compile(r"唔该"), "请"),
    (re.compile(r"唔[使洗]"), "不用"),
    (re.compile(r"老细"), "老板"),
    # 吴 (sixteenth pass): 侬 is 你, 阿拉 我们, 覅/嫑 (also 西北) 不要, 勿 不, 辰光 时候,
    # 哪能 怎么, 做生活 干活, 铜钿 钱, a closing 伐 asks 吗
    (re.compile(r"侬"), "你"),
    (re.compile(r"阿拉(?!伯|丁|斯|善)"), "我们"),
    (re.compile(r"[覅嫑]"), "不要"),
    (re.compile(r"勿"), "不"),
    (re.compile(r"啥辰光"), "什么时候"),
    (re.compile(r"辰光"), "时候"),
    (re.compile(r"哪能(?!够)"), "怎么"),
    (re.compile(r"做生活(?!垃圾|用品|费|污水|必需)"), "干活"),
    (re.compile(r"铜钿"), "钱"),
    (re.compile(r"(?<![砍采步征讨杀])伐(?=$|[？?!！。])"), "吗"),
    (re.compile(r"俾"), "给"),
    (re.compile(r"哪样"), "什么"),
    # 湖北 么事, 湘 么子, 西南 啥子 are 什么 (什么事 stays); 啥人 (吴, 北方) is 谁
    (re.compile(r"(?<![什怎这那要多])么[事子]|啥子"), "什么"),
    (re.compile(r"啥人"), "谁"),
    (re.compile(r"唔"), "不"),
    (re.compile(r"乜嘢"), "什么"),
    (re.compile(r"(?<![试重节站地])点样"), "怎样"),
    # 粤 (fifth pass): 哋 is 们 (我哋, 佢哋), 嗰啲 那些, 啲 些, 係 是, 咁 这样, 畀 给, 攞 拿,
    # 点解 为什么, 边个 谁, 嘥 浪费; 整好/整完 (粤, 西南: made, built) is 建好; the sentence
    # particles 㗎 喎 咩 啩 吖 囉 咪 say nothing
    (re.compile(r"哋"), "们"),
    (re.compile(r"嗰啲|嗰些"), "那些"),
    (re.compile(r"嗰"), "那"),
    (re.compile(r"啲"), "些"),
    (re.compile(r"(?<=[关联体维])係"), "系"),
    (re.compile(r"係"), "是"),
    (re.compile(r"咁"), "这样"),
    (re.compile(r"畀"), "给"),
    (re.compile(r"攞"), "拿"),
    (re.compile(r"点解"), "为什么"),
    (re.compile(r"边个"), "谁"),
    (re.compile(r"嘥晒|嘥"), "浪费"),
    (re.compile(r"整(?=[好完成])"), "建"),
    (re.compile(r"[㗎喎咩啩吖囉咪]"), ""),
    # 客家: 𠊎 is 我, 𠊎兜/你兜/佢兜 我们…; 闽南: 这马 is 现在, 甘是/敢是 是不是, 有影 真的;
    # 自家 (客, 粤, 闽) is 自己
    (re.compile(r"𠊎"), "我"),
    (re.compile(r"(?<=[我你他])兜"), "们"),
    (re.compile(r"这马"), "现在"),
    (re.compile(r"[甘敢]是"), "是不是"),
    (re.compile(r"有影"), "真的"),
    (re.compile(r"自家"), "自己"),
    # 闽南 (sixth pass): 阮 is 我们, 予 after a verb of handing is 给, 敢会使/袂使 ask 能不能
    (re.compile(r"阮"), "我们"),
    (re.compile(r"(?<=[包交发送卖租分])予"), "给"),
    (re.compile(r"敢会使|敢会当|袂使"), "能"),
    # 西南, 湘 (fifteenth pass): 做活路 is 干活, 县头/镇头/乡头 and 屋头 are 县里… and 家里
    # (村头 stays the village's edge), 喊 people to work is to 组织 them (喊人 stays a word)
    (re.compile(r"[做干搞]活路"), "干活"),
    (re.compile(r"(?<=[县镇乡])头(?![头儿目])"), "里"),
    (re.compile(r"屋头"), "家里"),
    (re.compile(r"喊(?!人)(?=[^，。？?,]{0,6}(人|群众|老百姓|村民|大家|大伙|乡亲))"), "组织"),
)
_DIALECT_CHARS = frozenset(
    "哪嘞嘅咗佢几多啥么冇唔乜点哋嗰啲係咁畀攞边嘥整㗎喎咩啩吖囉咪𠊎兜马甘敢影自阮予袂系俾活头喊"
    "喺嚟睇揾搵啱嘢而依细侬阿覅嫑勿辰铜伐粮做未"
)


# 一年要调度几次: the year is the unit of a rate asked for, not the yearly list (年度清单)
_RATE_UNIT = re.compile(
    r"(一年|每年|一个月|每个月|每月|一季度|每季度?)(?=[^,，。？?]{0,8}(几次|几回|多少次|多少回|几趟))"
)


# Who said or asked it (驻村书记说…, 乡里干部问：…, 上头问…): the frame of a story, not its topic
_HEARSAY = re.compile(
    r"[\u4e00-\u9fff]{0,4}?(书记|干部|主任|村长|镇长|乡长|领导|上头|上面|人家|别人|有人|邻居|队长"
    r"|会计|支书|老板)(跟俺|跟我|给俺|给我)?(不是|都|也|早就|就)?(说|讲|问)(?!了算|[法明清说话题])[:：]?"
)


# 每年…越来越多, 年年往上加: the year is the unit of growth (the policy's 逐年扩大), not the
# yearly list (年度清单)
_GROWTH_UNIT = re.compile(
    r"(每年|年年|每一年|一年比一年|往后每年)(?=[^,，。？?]{0,20}"
    r"(往上加|增加|加码|扩大|涨|提高|更多|越来越多|变多|多投|多拿|多出|多给|多花|多掏|多发))"
)
# 每三个月, 隔三个月: a quarter, as the clauses write it (按季度)
_QUARTER = re.compile(r"(每|隔)(三|3)个?月|每个季度|一个季度")


# 人工 said of what is paid, owed or held back (粤 人工按时俾足, and 人工费拖着不给 everywhere) is
# the pay for the work, not the 人工作业 (work done by hand) of （一）
_LABOUR_PAY = re.compile(r"人工(?!钱)费?(?=[^，。,？?]{0,6}(发|给|结|拖|欠|按时|足额|到手|领|扣))")


# A long question tells a story and then asks (我去年跟着修水渠干了仨月 现在修完了 听说干过的人
# 优先去管护 是真的不): the phrase that asks — the last one with a question word, with the one
# before it when it asks about that one (是真的不, 这合规矩不, 咋弄才对) — is the question; the
# story before it says where the asker stands. Question words of Mandarin and of the spoken
# forms already read as Mandarin (_DIALECT), and the sentence-final 不/没/吗/么/呢 of a yes-no
# question.
_PHRASE = re.compile(r"[^,，。.！!？?；;、\s]+")
_ASKING = re.compile(
    r"[吗么呢嘛吧?？]|[不没](?=$|[了呀啊哇嘛])|啥|咋|怎|如何|谁|哪|几|多少|多久|多长|是否|能否|可否"
    r"|能不能|可不可以|有没有|要不要|行不行|对不对|算不算|该不该|得不得|是不是"
)
STORY_MIN_PHRASES = 3  # a story needs at least this many phrases, the asking one among them


def _asked_from(norm: str) -> int:
    """Where the asking part of a story-like question starts in `norm` (0: no story)."""
    phrases = [(m.start(), m.end()) for m in _PHRASE.finditer(norm)]
    if len(phrases) < STORY_MIN_PHRASES:
        return 0
    for n in range(len(phrases) - 1, 0, -1):
        start, end = phrases[n]
        tail = norm[start : end + 1]
        if _ASKING.search(tail):
            # a short asking phrase (是真的不, 这合规矩不) asks about the phrase before it
            if end - start <= 5 and n > 0:
                n -= 1
            return phrases[n][0] if n > 0 else 0
    return 0


def _as_mandarin(text: str) -> str:
    for pattern, mandarin in _DIALECT:
        text = pattern.sub(mandarin, text)
    return text


def _chinese_number(text: str) -> int | None:
    """一 … 九十九 as a number (十五 → 15, 二十 → 20), else None."""
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 and text in _DIGITS else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in _DIGITS):
        return None
    if ones and ones not in _DIGITS:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


# 一成半 is how villagers say 15% (a tenth and a half), 两成 20%: the clauses write 15%
_TENTHS = re.compile(r"([一二两三四五六七八九])成(半)?(?![本功立为熟绩不])")


def _tenths_as_percent(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return f"{_DIGITS[m.group(1)] * 10 + (5 if m.group(2) else 0)}%"

    return _TENTHS.sub(repl, text)


def _digits_for_percent(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        said = m.group(1)
        n = int(said) if said.isdigit() else _chinese_number(said)
        return m.group() if n is None else f"{n}%"

    return _SPOKEN_PERCENT.sub(repl, text)


def flags(text: str, patterns: tuple[tuple[int, re.Pattern[str]], ...]) -> int:
    """The bits of the patterns found in `text`."""
    return sum(bit for bit, pattern in patterns if pattern.search(text))


@dataclass(frozen=True)
class Vocabulary:
    """What the index knows about words: IDF of words and of single characters."""

    idf: dict[str, float]
    char_idf: dict[str, float]
    max_idf: float
    concepts: dict[str, Concept] = field(default_factory=dict, compare=False)  # memo per word


@dataclass(frozen=True)
class Concept:
    """One content word of the question and the ways a clause can cover it."""

    word: str
    weight: float  # IDF-based share of the question
    alternatives: tuple[tuple[tuple[str, ...], float], ...]  # (words a clause holds, credit)
    grams: tuple[str, ...]  # for partial credit
    terms: tuple[tuple[str, float], ...]  # what to search for, and how much each counts


@dataclass(frozen=True)
class Query:
    """Weighted terms to rank with, bigrams, concepts to cover, and what is asked for."""

    text: str  # normalised, typos fixed
    fixes: tuple[str, ...]  # the terms typos were read as
    terms: dict[str, float]
    grams: tuple[str, ...]
    concepts: tuple[Concept, ...]
    wants: int
    kinds: frozenset[int] = frozenset()  # the kinds of project it names (synonyms.KINDS)
    # a question of single characters whose only topic is a two-character phrase (给钱吗,
    # 钱给谁): too little to answer, enough to offer the clauses of that idea
    hinted: bool = False
    # a story told before the question (_asked_from): where the asking phrase starts, and
    # whether that phrase names something the clauses or the lexicon know
    asked: int = 0
    asked_ours: bool = False


Fixer = Callable[[str, list[tuple[str, int]]], tuple[str, tuple[str, ...]]]


def analyze(question: str, vocab: Vocabulary, fix: Fixer | None = None) -> Query:
    """Turn a question into a Query, after `fix` has corrected its typos."""
    norm = tx.normalize(question)
    if not TRADITIONAL_CHARS.isdisjoint(norm):
        norm = simplified(norm)
    if "百分" in norm:
        norm = _digits_for_percent(norm)
    if "成" in norm:
        norm = _tenths_as_percent(norm)
    if not _DIALECT_CHARS.isdisjoint(norm):
        norm = _as_mandarin(norm)
    if "不" in norm or "没" in norm:
        norm = _YES_NO.sub(r"\1", norm)
    if "说" in norm or "讲" in norm or "问" in norm:
        norm = _HEARSAY.sub("", norm)
    if "几" in norm or "多少" in norm:
        norm = _RATE_UNIT.sub("", norm)
    if "年" in norm:
        norm = _GROWTH_UNIT.sub("逐年", norm)
    if "月" in norm or "季度" in norm:
        norm = _QUARTER.sub("每季度", norm)
    if "人工" in norm:
        norm = _LABOUR_PAY.sub("工钱", norm)
    spans = tx.cut_spans(norm)
    fixes: tuple[str, ...] = ()
    if fix is not None:
        fixed_norm, fixes = fix(norm, spans)
        if fixed_norm != norm:
            norm, spans = fixed_norm, tx.cut_spans(fixed_norm)
    asked = _asked_from(norm)
    asked_ours = False
    terms: dict[str, float] = {}
    concepts: list[Concept] = []
    segments: list[list[str]] = [[]]
    offsets: list[int] = []  # where each concept's word stands in the question
    for word, at in spans:
        word = CHAR_WORDS.get(word) or _without_time_suffix(word)
        if _says_nothing(word, vocab):
            segments.append([])
            continue
        segments[-1].append(word)
        concept = vocab.concepts.get(word)
        if concept is None:
            if len(vocab.concepts) >= MEMO_WORDS:
                vocab.concepts.clear()
            concept = vocab.concepts[word] = _concept(word, vocab)
        # a word of the story that names nothing the clauses or the lexicon know (东莞, 带娃)
        # is where the asker stands, not what is asked
        share = (
            STORY_SHARE
            if at < asked and word not in vocab.idf and len(concept.alternatives) == 1
            else 1.0
        )
        if share < 1.0:
            concept = replace(concept, weight=concept.weight * share)
        concepts.append(concept)
        offsets.append(at)
        if asked and at >= asked and len(word) > 1:
            asked_ours = asked_ours or word in vocab.idf or len(concept.alternatives) > 1
        for term, weight in concept.terms:
            weight *= share
            if weight > terms.get(term, 0.0):
                terms[term] = weight
    # a phrase of two characters gives a question of single characters (给钱吗) no more to go
    # on; a longer one (路…坏了) says what it is about
    worded = any(len(c.word) > 1 for c in concepts)
    hinted = False
    said: list[tuple[int, int]] = []  # the spans of the phrases that name a concept
    for key, start, end in phrase_matches(norm):
        term = concept_term(key)
        if term not in vocab.idf:  # no clause here writes the concept
            continue
        size = end - start
        hinted = hinted or (not worded and size < 3)
        asked_ours = asked_ours or bool(asked and start >= asked)
        said.append((start, end))
        if term in terms:  # a word named it already (技术 → 培训): the phrase says it surely
            terms[term] = max(terms[term], PHRASE_WEIGHT)
        else:
            terms[term] = PHRASE_WEIGHT
            weight = PHRASE_WEIGHT * vocab.idf[term]
            concepts.append(Concept(term, weight, (((term,), 1.0),), (), ((term, PHRASE_WEIGHT),)))
    if said:  # a character of a phrase (跑 of 跑了好多趟, 留 of 留点活) is the phrase's
        concepts = [
            c
            for c, at in zip(concepts, offsets + [-1] * (len(concepts) - len(offsets)), strict=True)
            if len(c.word) > 1 or not any(a <= at < b for a, b in said)
        ]
    if not worded and not hinted and sum(map(len, tx.runs(norm))) >= 3:
        # 钱咋算, 活给谁: a short question of single characters, one of which names an idea
        # (钱 the wages, 活 the work …): too little to answer, enough to offer its clauses
        for c in concepts:
            hint = CHAR_HINTS.get(c.word)
            if hint is not None and concept_term(hint) in vocab.idf:
                hinted = True
                term = concept_term(hint)
                terms[term] = max(terms.get(term, 0.0), PHRASE_WEIGHT)
                weight = PHRASE_WEIGHT * vocab.idf[term]
                concepts.append(
                    Concept(term, weight, (((term,), 1.0),), (), ((term, PHRASE_WEIGHT),))
                )
                break
    grams = tuple(g for seg in segments if seg for g in tx.bigrams("".join(seg)))
    return Query(
        norm,
        fixes,
        terms,
        grams,
        tuple(concepts),
        flags(norm, _ASKS) | (DEFINITION if _ABOUT_PROGRAMME.search(norm) else 0),
        kinds_named(norm),
        hinted and not worded,
        asked,
        asked_ours,
    )


def _without_time_suffix(word: str) -> str:
    """完工后 → 完工, 验收时 → 验收: jieba keeps a few such words whole, most it splits
    (建成/后), so 完工后 would count twice where it is written (as itself and as 完工) and the
    synonyms of 完工 (→ 建成) would never apply. 后, 前 and 时 on their own are stopwords."""
    if len(word) > 2 and word[-1] in _TIME_SUFFIXES and tx.is_word(word[:-1]):
        return word[:-1]
    return word


def _says_nothing(word: str, vocab: Vocabulary) -> bool:
    """A stopword, or a word of stopwords (干什么) that no clause holds, that is no noun and
    that the synonym table does not know (没给 → 按时足额)."""
    if word in STOPWORDS:
        return True
    if word in vocab.idf or word in SYNONYMS or word in spoken_index():
        return False
    if pos_tag(word).startswith("n"):
        return False
    return is_stopword(word)


def _concept(word: str, vocab: Vocabulary) -> Concept:
    """A content word: its search terms and the ways a clause can cover it."""
    single = len(word) == 1
    known = word in vocab.idf
    if single:
        base = SINGLE_CHAR_WEIGHT
    elif known:  # jieba's tags are rough (清单 is an "adjective"): only adverbs & co. lose
        base = FUNCTION_WEIGHT if pos_tag(word) in _FUNCTION_TAGS else 1.0
    else:
        base = _topic_weight(word)
    terms: dict[str, float] = {word: base}
    keys = spoken_index().get(word, ())
    # a spoken phrase means its concept, not its parts (干活的 is a worker, not 干活)
    if known or not keys:
        for part in tx.subwords(word):
            _put(terms, part, base * SUBWORD_WEIGHT)
    alternatives: list[tuple[tuple[str, ...], float]] = [((word,), 1.0)]
    synonyms = synonym_words(word)
    for need in synonyms:
        for part in need:
            _put(terms, part, base * SYNONYM_WEIGHT / len(synonyms) / len(need))
        alternatives.append((need, SYNONYM_CREDIT))
    for key in keys:
        share = (KNOWN_CONCEPT_WEIGHT if known else CONCEPT_WEIGHT) / len(keys)
        _put(terms, concept_term(key), base * share)
        alternatives.append(((concept_term(key),), SYNONYM_CREDIT))
    if single:
        weight = base * vocab.char_idf.get(word, vocab.max_idf * STRAY_CHAR_SHARE)
    elif known:
        weight = base * max(vocab.idf[word], IDF_FLOOR)
    else:
        weight = base * vocab.max_idf
    return Concept(
        word, weight, tuple(alternatives), tuple(tx.word_bigrams(word)), tuple(terms.items())
    )


# Abstract nouns that name an aspect of what is asked about, not a topic (成效评价的对象, 学习的
# 机会, 务工期间, 有啥讲究): how questions about any clause are framed in Chinese, official or
# spoken. They weigh as little as an adjective when no clause writes them (where one does —
# 要求, 方式, 依据 — it is a word of the clauses and weighs by its IDF).
_ASPECT_TEXT = """对象 范围 条件 情况 问题 事情 事儿 东西 方面 期间 时候 过程 机会 内容 方式 办法 措施 做法
    规定 要求 标准 程序 流程 步骤 手续 作用 意义 目的 区别 关系 理由 原因 细节 事项 情形 前提
    途径 形式 类型 种类 安排 说法 讲究 门道 名堂 章程 规矩 具体 详细 具体内容 相关规定"""
ASPECT_NOUNS = frozenset(_ASPECT_TEXT.split())


def _topic_weight(word: str) -> float:
    """How much a word no clause holds says about the topic: nouns fully, verbs less."""
    if word in SYNONYMS or word in DOMAIN_TERMS or word in spoken_index():
        return 1.0
    if word in ASPECT_NOUNS:
        return MINOR_WEIGHT
    tag = pos_tag(word)
    if not tag or tag[0] in "nijlx" or tag in ("vn", "eng"):
        return 1.0
    return VERB_WEIGHT if tag[0] == "v" else MINOR_WEIGHT


@functools.cache
def synonym_words(word: str) -> tuple[tuple[str, ...], ...]:
    """Per synonym of `word`: its words (a clause must hold all of them to cover `word`)."""
    return tuple(need for t in SYNONYMS.get(word, ()) if (need := tuple(tx.cut(t))))


def _put(terms: dict[str, float], term: str, weight: float) -> None:
    if weight > terms.get(term, 0.0):
        terms[term] = weight
