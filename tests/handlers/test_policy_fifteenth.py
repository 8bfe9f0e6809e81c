"""Issue 16, fifteenth pass: what a term the policy names means (the clause that introduces
it), and pinyin sentences read word by word. The questions were written for these tests, not
taken from a question set; each fails without the mechanism it names."""

from __future__ import annotations

import pytest

from handlers.policy.definitions import Definitions, named_terms
from handlers.policy.kb import KnowledgeBase, builtin_document
from handlers.policy.loader import parse_text
from handlers.policy.text import normalize
from tests.handlers.policy_support import best


@pytest.mark.parametrize(
    "question",
    [
        # 农推 is written in nine clauses; （一） introduces it (以下简称“重推”和“农推”)
        "农推这俩字到底指的是啥，开会老听人讲",
        "重推和农推分别是啥意思？俺家老汉问我我也答不上",
        "么子叫重推哦",
        "“农推”这俩字指的啥",
        "重推是啥的缩写",
        "农腿项目是个啥子",  # a slip, heard as 农推
        "nongtui shi sha yisi",  # typed in pinyin
    ],
)
def test_what_a_named_term_means_is_the_clause_introducing_it(
    matcher_kb: KnowledgeBase, question: str
):
    assert best(matcher_kb, question) == "（一）"
    # the point quoted is the sentence that names it
    assert "以下简称" in matcher_kb.ask(question).best.sentence


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("“力工”是啥意思嘛", "（七）"),
        ("市县抓落实是个啥说法", "（二）"),
        ("职能不变是什么意思", "（十一）"),
    ],
)
def test_a_part_of_a_named_phrase_is_named_too(question: str, clause: str):
    clauses = builtin_document().clauses
    terms = named_terms((i, normalize(c.full_text)) for i, c in enumerate(clauses))
    at = Definitions(terms).asked(normalize(question))
    assert at is not None and clauses[at[0]].number == clause


def test_what_is_asked_about_a_named_term_is_no_definition():
    definitions = Definitions({"农推": 0, "重推": 0})
    assert definitions.asked("农推是个啥") == (0, "农推")
    assert definitions.asked("啥叫重推") == (0, "重推")
    # something else is asked of the term: its time, its share, its rule
    assert definitions.asked("农推项目是什么时候开始搞的") is None
    assert definitions.asked("农推项目劳务报酬的比例是啥") is None
    assert definitions.asked("什么是农推项目的验收标准") is None


def test_an_added_documents_named_terms_are_read_from_its_text():
    doc = parse_text(
        "《示范办法》\n（一）总则。本办法所称“两金”，指工伤保险金和医疗保险金。\n"
        "（二）办理。“两金”由乡镇人民政府统一办理，“一站式”受理。",
        name="示范办法",
    )
    terms = named_terms((i, normalize(c.full_text)) for i, c in enumerate(doc.clauses))
    assert terms == {"两金": 0, "一站式": 1}
    assert Definitions(terms).asked("两金是啥意思") == (0, "两金")


@pytest.mark.parametrize(
    ("question", "heard", "clause"),
    [
        # no typed term in it: the runs spell words (可研 before the commoner 科研)
        ("keyan dai chushe shi sha", "可研代初设", "（四）"),
        # one syllable a run: the words they spell are cut as one phrase (最少, 多少)
        ("nongtui laowu baochou zui shao zhan duo shao", "最少占多少", "（一）"),
        ("gongyi gangwei you naxie", "公益岗位有哪些", "（九）"),
    ],
)
def test_a_pinyin_sentence_is_read_word_by_word(
    matcher_kb: KnowledgeBase, question: str, heard: str, clause: str
):
    assert heard in matcher_kb.index.query(question).text
    assert best(matcher_kb, question) == clause


@pytest.mark.parametrize(
    "question", ["hello world", "wifi mima shi duoshao", "ok 收到", "zhang san app"]
)
def test_latin_words_that_spell_no_chinese_are_left_alone(kb: KnowledgeBase, question: str):
    # not every run spells words (wifi, hello, app), or a lone run: no pinyin sentence
    assert kb.index.query(question).text == normalize(question)


def test_a_pinyin_sentence_of_no_term_is_cut_again(kb: KnowledgeBase):
    q = kb.index.query("wo xiang wen yixia nongtui shi sha")
    assert q.text.startswith("我想问一下")
    assert all(not w.isascii() for w in q.terms)  # no stale Latin terms


def test_initials_two_terms_share_are_no_abbreviation():
    from handlers.policy.pinyin import PinyinFixer

    fixer = PinyinFixer(["村支部", "财政部", "定点联系单位"], common=[])
    assert fixer.fix("cz部说了算", [])[0] == "cz部说了算"  # 村支部 or 财政部: neither
    assert fixer.fix("dd联系单位", [])[0] == "定点联系单位"


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # 财政审核 holds 政审 (a worker's political vetting): no such demand
        ("立项审批和财政审核能不能并联着办", "（四）"),
        # a standing rule for after-care is no company's articles of association
        ("村里的水渠建成后有没有长期管护的章程", "（九）"),
        # a township setting up a company is （六）'s 乡建公司, not a private registration
        ("镇里开公司带着乡亲们干工程，政策上认不认", "（六）"),
        # money paid to the workers, as a share of what the treasury puts in: the 15%
        ("用衔接资金修的村道，发给务工乡亲的钱占财政投入的比例最少多少", "（一）"),
        ("县里拿了衔接资金，付给干活乡亲的钱占总投入有没有个最低比例", "（一）"),
        # 正在编制 (drafting) holds 在编 (on the payroll)
        ("我们的农推项目正在编制实施方案，要不要采用两类综合赈济模式", "（八）"),
        # a system's name is no person's
        ("调度监管用的那个线上系统叫啥名字", "（三）"),
        # a call told is no phone number asked
        ("我爸打电话说村里合作社要接活，村集体的劳务合作社能直接承接农推项目不", "（五）"),
    ],
)
def test_a_word_inside_another_is_no_demand_the_policy_leaves_open(
    matcher_kb: KnowledgeBase, question: str, clause: str
):
    result = matcher_kb.ask(question)
    assert not result.unstated and not result.neighbours
    assert best(matcher_kb, question) == clause


@pytest.mark.parametrize(
    "question",
    [
        "合作社的章程怎么写",
        "我想自己开公司要办啥手续",
        "务工人员要不要政审",
        "以工代赈项目的举报电话是多少",
    ],
)
def test_the_demands_themselves_are_still_refused(kb: KnowledgeBase, question: str):
    result = kb.ask(question)
    assert result.best is None and (result.unstated or result.neighbours)


def test_four_sounds_alike_are_the_term_even_across_a_word(kb: KnowledgeBase):
    # 真的 is a word reaching past the slip's end; four sounds alike are no accident
    assert "以工代赈" in kb.index.query("一功代真的活儿工钱咋算").text
    # two or three sounds alike inside or across a real word stay as written
    assert "线上" not in kb.index.query("优先上岗的都是啥人").text


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # the asker names their post before the question: a programme there is who asks
        ("驻村工作队问：村里人上工地干活，要不要签个书面的用工协议？", "（十）"),
        # a span of ages describes a group, not an age limit asked
        ("来上工的多是五六十岁的人，技能培训能不能照顾他们的文化水平", "（七）"),
        # how often, said with a number of years or months (几年定一回)
        ("这个农推清单是每年都编一回，还是几年编一回？", "（三）"),
        # 往后几年 is the years ahead, not a number of years asked
        ("往后几年以工代赈的活会不会越来越多", "（一）"),
    ],
)
def test_what_frames_the_question_is_not_what_it_asks(
    matcher_kb: KnowledgeBase, question: str, clause: str
):
    result = matcher_kb.ask(question)
    assert not result.unstated and not result.neighbours
    assert best(matcher_kb, question) == clause


@pytest.mark.parametrize(
    "question",
    ["驻村工作队的生活补贴谁来发", "六十五岁了还能去工地干活不", "农推清单要几年才能批下来"],
)
def test_the_same_words_asked_for_themselves_are_still_refused(kb: KnowledgeBase, question: str):
    result = kb.ask(question)
    assert result.best is None and (result.unstated or result.neighbours)


def test_south_western_words_for_work_and_place_are_read_as_mandarin(kb: KnowledgeBase):
    text = kb.index.query("镇头修水渠，是不是要喊村里的人去做活路").text
    assert "镇里" in text and "组织" in text and "干活" in text
    assert "喊人" in kb.index.query("各村自己喊人").text  # 喊人 is a word of its own


def test_lw_is_typed_for_labour(matcher_kb: KnowledgeBase):
    assert "劳务报酬" in matcher_kb.index.query("农推项目lw报酬最低多少").text
    assert best(matcher_kb, "lw公司能不招标直接接活吗") == "（五）"


@pytest.mark.parametrize(
    ("question", "heard", "clause"),
    [
        ("dd联系单位平时干些啥", "定点联系单位", "（十一）"),
        ("gyx岗位先给哪些人", "公益性岗位", "（九）"),
        ("lw报酬最少占多少", "劳务报酬", "（一）"),
    ],
)
def test_initials_run_into_the_rest_of_a_term_are_the_term(
    matcher_kb: KnowledgeBase, question: str, heard: str, clause: str
):
    assert heard in matcher_kb.index.query(question).text
    assert best(matcher_kb, question) == clause


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        # the sums are what the ledger holds, or what was only said, not what is asked
        ("每个人出了几天工、拿了多少钱，都要记清楚吗", "（十）"),
        # a few villagers said, then what they did: no count asked
        ("我们村几个老党员合计着带大伙自己修路，政策上支持不", "（六）"),
    ],
)
def test_a_sum_or_a_count_told_is_not_asked(matcher_kb: KnowledgeBase, question: str, clause: str):
    result = matcher_kb.ask(question)
    assert not result.unstated and not result.neighbours
    assert best(matcher_kb, question) == clause


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("省里的厅局要不要常跟北京那边的大部门走动", "（二）"),  # 国家部委
        ("条件够的小工程，是不是不用管钱的部门再核造价了", "（四）"),  # 财政评审
        ("材料能不能合成一本一次批掉", "（四）"),  # 简化 approval
        ("有没有单位包干盯住一个工程", "（十一）"),  # 定点联系
    ],
)
def test_the_fifteenth_passs_spoken_words_reach_their_concept(
    matcher_kb: KnowledgeBase, question: str, clause: str
):
    assert best(matcher_kb, question) == clause


def test_a_long_run_of_letters_is_not_searched_for_words_inside_it():
    from handlers.policy.text import SUBWORD_MAX, subwords

    assert list(subwords("x" * (SUBWORD_MAX + 1))) == []
    assert "劳务" in list(subwords("农推项目劳务报酬"))  # a word's parts are still found


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("人居环境整治项目想让村民自己组织起来干，有没有现成的组织模式", "（六）"),
        ("村里修公共厕所这个农推项目，收尾以后能设公益性岗位管护不", "（九）"),
    ],
)
def test_another_programme_named_as_what_a_project_builds_is_its_kind(
    matcher_kb: KnowledgeBase, question: str, clause: str
):
    result = matcher_kb.ask(question)
    assert not result.neighbours
    assert best(matcher_kb, question) == clause
    # asked for itself, it is still the other programme's
    assert matcher_kb.ask("人居环境整治的补助标准是多少").neighbours
