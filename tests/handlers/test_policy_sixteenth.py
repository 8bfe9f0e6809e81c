"""Sixteenth pass of issue 16: 粤 and 吴 function words, pinyin typed a syllable at a time or a
term in full, function characters that are no sound-alike slip, and a refusal that names the
clauses it read (政策里相近的条款) when the example bank, not the matcher, refused."""

from __future__ import annotations

import pytest

from handlers.policy.answer import answer_text, as_json
from handlers.policy.examples import ExampleBank, example
from handlers.policy.kb import KnowledgeBase, builtin_document, builtin_kb
from handlers.policy.matcher import EXAMPLE_POINT
from tests.handlers.policy_support import best


# -- 粤 and 吴 said as Mandarin -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("spoken", "read", "not_read"),
    [
        ("公示喺边度贴", "在哪里", "喺"),
        ("工钱台账点整？", "怎么办", "点整"),
        ("农推系咩嚟㗎", "是什么", "咩"),
        ("我系县里派来的", "我是", "系"),
        ("佢哋几时出粮", "发工资", "出粮"),
        ("人工俾足未", "没", "未"),
        ("有冇培训", "有", "冇"),
        ("侬晓得伐", "你晓得吗", "侬"),
        ("阿拉村里修路覅招标", "我们村里修路不要招标", "覅"),
        ("工钿啥辰光发", "什么时候", "辰光"),
        ("农推指么子", "指什么", "么子"),
        ("重推指啥子", "指什么", "啥子"),
        ("农推指么事", "指什么", "么事"),
        ("工地上啥人记工", "谁", "啥人"),
    ],
)
def test_cantonese_and_wu_function_words_are_read_as_mandarin(
    matcher_kb: KnowledgeBase, spoken: str, read: str, not_read: str
):
    text = matcher_kb.index.query(spoken).text
    assert read in text and not_read not in text, text


@pytest.mark.parametrize(
    "words",
    [
        "重点整治哪些项目",
        "联系体系怎么建",
        "阿拉伯数字",
        "出了什么事找谁",
        "出了问题该联系谁",
        "体系不是很完善",
        "谁来做工程",
        "做工精细",
        "村里这边处理不了找谁",
        "干到几点算",
        "产出粮食",
        "依家庭收入",
        "然而家里",
        "要么子女",
        "做生活垃圾清运",
        "林木能砍伐",
    ],
)
def test_mandarin_words_holding_those_characters_stay(matcher_kb: KnowledgeBase, words: str):
    assert matcher_kb.index.query(words).text == words


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("工钱台账点整？", "（十）"),  # how is the wage ledger kept
        ("gs 喺边度贴", "（十）"),  # where is the 公示 posted
        ("以工代赈工地请人，佢哋几时出粮？", "（十）"),
        ("侬晓得劳务报酬占几成伐", "（一）"),
        ("培训做咩嘅？", "（七）"),
    ],
)
def test_such_questions_reach_their_clause(matcher_kb: KnowledgeBase, question: str, clause: str):
    assert best(matcher_kb, question) == clause


# -- pinyin ----------------------------------------------------------------------------------
def test_pinyin_typed_a_syllable_at_a_time_is_read_as_words(matcher_kb: KnowledgeBase):
    assert matcher_kb.index.query("yi gong dai xun shi sha yi si").text == "以工代训是啥意思"
    assert best(matcher_kb, "yi gong dai xun shi sha yi si") == "（七）"
    assert matcher_kb.index.query("lao wu bao chou zhan duo shao").text == "劳务报酬占多少"
    assert matcher_kb.index.query("fen hong zen me fen").text == "分红怎么分"  # a lone syllable
    assert matcher_kb.index.query("banana").text == "banana"  # one run: no sentence
    # syllables that spell no words stay Latin
    assert matcher_kb.index.query("ni hao").text == "ni hao"


def test_a_term_typed_in_full_pinyin_is_the_term(matcher_kb: KnowledgeBase):
    q = matcher_kb.index.query("修好的东西还能给俺们fenhong？")
    assert "分红" in q.text and "分红" in q.fixes
    assert best(matcher_kb, "修好的东西还能给俺们fenhong？") == "（八）"
    assert matcher_kb.index.query("gs多久").text == "公示多久"  # the liaison's 公示 by initials


def test_a_common_function_character_is_no_sound_alike_slip(matcher_kb: KnowledgeBase):
    q = matcher_kb.index.query("我是县交通局的干部，联系重推项目要做什么")
    assert q.fixes == () and "我是县" in q.text  # 是县 is not 市县
    assert best(matcher_kb, "我是县交通局的干部，联系重推项目要做什么") == "（十一）"
    assert matcher_kb.index.query("以工代振").fixes == ("以工代赈",)  # a real slip still is one
    # 不, 和, 有 are often slips (补贴, 合同, 优先), so they are read as such
    for slip, term in (("务工有不贴吗", "补贴"), ("和同咋签", "合同"), ("有先上岗", "优先")):
        assert term in matcher_kb.index.query(slip).fixes


# -- a refusal names what it read -------------------------------------------------------------
QUESTION = "项目建成了村里能分到啥"


def refusing_bank(*rows: str) -> KnowledgeBase:
    """A bank of questions the policy does not answer (how much, in money)."""
    rows = rows or ("村里能分到多少钱", "村里能分到几成", "村里能分多少")  # loosely like QUESTION
    index = builtin_kb().index
    bank = ExampleBank([example(index, q, "-", "test") for q in rows])
    return KnowledgeBase.of([builtin_document()], bank)


def test_a_question_the_bank_refuses_names_the_clauses_the_matcher_read(matcher_kb: KnowledgeBase):
    assert best(matcher_kb, QUESTION) is not None  # the matcher alone would answer
    kb = refusing_bank()
    result = kb.ask(QUESTION)
    assert result.best is None and not result.ask_back
    named = [h.clause.number for h in result.pointed]
    assert named and len(named) <= 2
    reply = answer_text(kb, result)
    assert reply.startswith("政策里没有找到直接回答这个问题的条款")
    assert f"政策里相近的条款：{named[0]}" in reply and f"全文 {named[0]}" in reply
    out = as_json(kb, result)
    assert out["clause"] is None and out["related"] == named
    verdict = kb.index._verdict(kb.index.query(QUESTION))
    assert verdict is not None and verdict.similarity < EXAMPLE_POINT


def test_a_near_copy_of_a_refused_question_names_nothing():
    kb = refusing_bank("项目建成了村里能分到多少钱", "项目建成了村里能分到几成")
    result = kb.ask(QUESTION)
    assert result.best is None and result.pointed == ()
    assert answer_text(kb, result).startswith("没有找到相关条款")


def test_a_named_refusal_says_how_it_read_a_slip():
    kb = refusing_bank("村里能分到多少钱", "村里能分到几成", "村里能分多少")
    result = kb.ask("以工代振项目建成了村里能分到啥")
    assert result.pointed and result.fixes == ("以工代赈",)
    assert "（按“以工代赈”理解）" in answer_text(kb, result)


def test_a_refusal_of_what_is_not_ours_names_no_clause():
    kb = refusing_bank()
    for question in ("今天天气怎么样", "低保每个月能领多少钱"):
        result = kb.ask(question)
        assert result.best is None and result.pointed == ()
        assert as_json(kb, result)["related"] == []
        assert "相近的条款" not in answer_text(kb, result)


def test_an_unstated_demand_reports_the_clauses_it_points_at():
    kb = builtin_kb()
    result = kb.ask("以工代赈项目一天工钱多少钱")
    assert result.unstated and result.best is None
    out = as_json(kb, result)
    assert out["clause"] is None
    assert out["related"] == [h.clause.ref for h in result.pointed] != []
    assert f"政策里相近的条款：{out['related'][0]}" in out["answer"]
