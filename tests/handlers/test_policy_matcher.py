"""The policy matcher: IDF, synonyms, typos, numbers, ties, refusals, and replies within 2048 bytes."""

from __future__ import annotations

import pytest

from handlers.policy import text as tx
from handlers.policy.answer import MAX_BYTES, answer_text, clause_pages
from handlers.policy.dictionary import JIEBA_TOTAL, tokenizer
from handlers.policy.kb import KnowledgeBase
from handlers.policy.loader import parse_text
from handlers.policy.matcher import Index, lucene_idf
from handlers.policy.synonyms import DOMAIN_TERMS


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_lucene_idf_stays_positive_and_ranks_rarer_terms_higher():
    n = 12
    idfs = [lucene_idf(n, df) for df in range(n + 1)]
    assert all(i > 0 for i in idfs)
    assert idfs == sorted(idfs, reverse=True)
    # rank_bm25 would floor the IDF of a term in half the clauses above rarer ones
    assert lucene_idf(n, 6) < lucene_idf(n, 5)


def test_small_dictionary_keeps_jieba_costs_and_domain_terms_whole():
    tok = tokenizer()
    assert tok.total >= JIEBA_TOTAL
    assert len(tok.FREQ) < 100_000  # jieba's own dictionary has 349,046 words
    for term in ("以工代赈", "劳务报酬", "公益性岗位", "资产折股量化分红", "定点联系人"):
        assert term in tx.cut(f"关于{term}的规定"), term
    assert set(DOMAIN_TERMS) <= {w for w, f in tok.FREQ.items() if f}


def test_search_words_add_the_words_inside_long_ones():
    words = tx.search_words("劳务报酬发放台账")
    assert {"劳务报酬", "劳务", "报酬", "台账"} <= set(words)


def test_bigrams_let_partial_words_match():
    assert tx.bigrams("农推项目") == ["农推", "推项", "项目"]
    assert tx.bigrams("审批，a") == ["审批", "a"]


def test_spec_example_is_clause_one_with_the_15_percent_sentence_first(kb: KnowledgeBase):
    result = kb.ask("农推项目劳务报酬比例有什么要求？")
    assert result.best is not None
    assert result.best.clause.number == "（一）"
    assert "15%" in result.best.sentence
    reply = answer_text(kb, result)
    first, second = reply.splitlines()[:2]
    assert first.startswith("【（一）持续扩大实施范围】") and "一、稳步扩大实施规模" in first
    assert "15%" in second


def test_the_share_set_for_one_kind_of_project_is_not_quoted_for_the_other(kb: KnowledgeBase):
    # the policy sets 15% for 农推 only; for 重推 it sets no share (fourteenth pass: five
    # writers of question sets, each on their own, found no answer; this row was relabelled)
    result = kb.ask("重推项目劳务报酬比例是多少")
    assert result.best is None and "比例" in {u.key for u in result.unstated}
    reply = answer_text(kb, result)
    assert reply.startswith("这份政策没有讲") and "农推项目不低于15%" in reply
    assert "（一）" in reply  # the clause is pointed at
    hit = kb.ask("农推项目劳务报酬比例是多少").best
    assert hit is not None and "15%" in hit.sentence
    hit = kb.ask("劳务报酬比例是多少").best  # names no kind: the number, as before
    assert hit is not None and "15%" in hit.sentence
    hit = kb.ask("重推和农推的劳务报酬比例分别是多少").best  # 农推's is set: answered
    assert hit is not None and "15%" in hit.sentence


def test_synonyms_bridge_colloquial_words_at_a_lower_weight(kb: KnowledgeBase):
    q = kb.index.query("工钱发多少")
    assert 0 < q.terms["劳务报酬"] < q.terms["工钱"]
    assert kb.ask("工钱最少占项目资金多少").best.clause.number == "（一）"  # type: ignore[union-attr]
    assert kb.ask("护林员谁能当").best.clause.number == "（九）"  # type: ignore[union-attr]


def test_a_time_suffix_falls_off_the_word_so_its_synonyms_apply(kb: KnowledgeBase):
    q = kb.index.query("项目完工后有什么岗位")
    assert "完工后" not in q.terms and "完工" in q.terms and "建成" in q.terms  # 完工 → 建成
    result = kb.ask("项目完工后有什么岗位")  # （九）: 项目建成后 … 公益性岗位
    assert result.best is not None and result.best.clause.number == "（九）"
    hit = kb.ask("项目完工后工人的信息要保存吗").best
    assert hit is not None and hit.clause.number == "（七）"


@pytest.mark.parametrize("question", ["工钱没发怎么办", "没给工资", "工资没收到", "欠薪"])
def test_unpaid_wages_get_the_payment_clauses_and_the_12333_hotline(
    kb: KnowledgeBase, question: str
):
    result = kb.ask(question)
    numbers = [h.clause.number for h in result.hits]
    assert result.best is not None and {"（三）", "（十）"} <= set(numbers[:3]), numbers
    assert "12333" in answer_text(kb, result)


def test_a_question_about_how_often_wages_are_paid_gets_the_period(kb: KnowledgeBase):
    result = kb.ask("一个月发一次工资吗")  # （十）: 劳务报酬发放标准、周期
    assert result.best is not None and result.best.clause.number == "（十）"
    assert "周期" in result.best.sentence
    for question in ("一个月发一次工资吗", "工资必须按时发吗", "农推项目劳务报酬比例有什么要求"):
        assert "12333" not in answer_text(kb, kb.ask(question)), question


def test_even_a_refusal_about_unpaid_wages_names_12333():
    text = "测试办法\n一、总则\n（一）道路养护。村道的养护由乡镇负责。\n"
    kb = KnowledgeBase.of([parse_text(text, name="测试办法")])
    result = kb.ask("工资没发怎么办")
    assert result.best is None
    reply = answer_text(kb, result)
    assert reply.startswith("没有找到相关条款") and "12333" in reply


def test_typos_in_domain_terms_are_read_as_the_term(kb: KnowledgeBase):
    result = kb.ask("以工带赈的项目劳务报筹比例不低于多少")
    assert set(result.fixes) == {"以工代赈", "劳务报酬"}
    assert result.best is not None and result.best.clause.number == "（一）"
    first_line = answer_text(kb, result).splitlines()[0]
    assert first_line.startswith("（按") and "“以工代赈”" in first_line


def test_a_word_inside_a_known_word_is_no_typo(kb: KnowledgeBase):
    assert kb.index.query("以工代训是什么").fixes == ()
    assert kb.ask("以工代训是什么").best.clause.number == "（七）"  # type: ignore[union-attr]


def test_how_much_questions_prefer_the_sentence_with_the_number(kb: KnowledgeBase):
    hit = kb.ask("项目多久调度一次").best
    assert hit is not None and hit.clause.number == "（十二）"
    assert "按季度" in hit.sentence


def test_question_phrases_made_of_stopwords_do_not_count(kb: KnowledgeBase):
    # jieba keeps 干什么/做什么/有什么 whole; they are 干/做/有 + 什么 and say nothing
    assert "干什么" not in kb.index.query("定点联系人是干什么的").terms
    for question in ("定点联系人是干什么的", "定点联系人是做什么的", "定点联系人有什么用"):
        hit = kb.ask(question).best
        assert hit is not None and hit.clause.number == "（十一）", question
    assert "会同" in kb.index.query("发改部门会同哪些部门").terms  # the clauses hold it


@pytest.mark.parametrize("question", ["今天天气怎么样", "你好", "猪肉多少钱一斤", "", "？？？"])
def test_off_topic_questions_get_no_clause(kb: KnowledgeBase, question: str):
    result = kb.ask(question)
    assert result.best is None
    reply = answer_text(kb, result)
    assert reply.startswith("没有找到相关条款")
    assert "农推项目劳务报酬比例有什么要求？" in reply and "帮助" in reply


def test_house_land_is_another_programme_with_its_own_office(kb: KnowledgeBase):
    # 宅基地 was refused as 没有找到 before; now it is a neighbour that says where to ask
    result = kb.ask("宅基地怎么审批")
    assert result.best is None and result.neighbours
    reply = answer_text(kb, result)
    assert "这份政策没有讲" in reply and "自然资源局" in reply


@pytest.mark.parametrize("question", ["钱", "账", "钱呢？"])
def test_a_question_of_single_characters_is_asked_to_say_more(kb: KnowledgeBase, question: str):
    result = kb.ask(question)
    assert result.best is None and result.too_short
    assert answer_text(kb, result).startswith("没有找到相关条款。问题太短")
    assert kb.ask("发钱吗").best is not None  # one word, but a word


def test_the_example_questions_of_the_refusal_are_answered(kb: KnowledgeBase):
    from handlers.policy.answer import EXAMPLES

    for question in EXAMPLES:
        assert kb.ask(question).best is not None, question


def test_nearly_tied_clauses_are_both_given():
    text = (
        "测试办法\n一、总则\n（一）道路养护。村道的养护由乡镇负责。\n"
        "（二）桥梁养护。村里桥梁的养护由乡镇负责。\n（三）其他。其余事项另行规定。\n"
    )
    kb = KnowledgeBase.of([parse_text(text, name="测试办法")])
    result = kb.ask("养护由谁负责")
    assert result.tie
    reply = answer_text(kb, result)
    assert "这两条都相关" in reply and "（一）道路养护" in reply and "（二）桥梁养护" in reply


def test_every_reply_fits_wecom_and_long_clauses_point_to_full_text():
    sentence = "各级各部门要按照以工代赈相关政策要求，按时足额发放劳务报酬并规范台账管理。"
    text = "长文件\n一、总则\n（一）劳务报酬发放。" + sentence * 60 + "\n（二）台账。台账要规范。\n"
    kb = KnowledgeBase.of([parse_text(text, name="长文件")])
    reply = answer_text(kb, kb.ask("劳务报酬怎么发放"))
    assert size(reply) <= MAX_BYTES
    assert "回复“全文 （一）”看全文" in reply
    doc = kb.documents[0]
    pages = clause_pages(kb, doc, doc.clauses[0])
    assert len(pages) > 1 and all(size(p) <= MAX_BYTES for p in pages)
    assert "全文 （一） 2" in pages[0]
    body = "".join(p.split("\n", 2)[2].split("\n（未完")[0] for p in pages)
    assert body == doc.clauses[0].full_text


def test_replies_to_the_whole_dev_set_fit_2048_bytes(kb: KnowledgeBase):
    from tests.handlers.test_policy_qa_devset import load

    for question, _ in load("policy_questions.tsv"):
        assert size(answer_text(kb, kb.ask(question))) <= MAX_BYTES, question


def test_answers_name_the_document_when_several_are_loaded(kb: KnowledgeBase):
    other = parse_text(
        "《护林员管理办法》\n一、选聘\n（一）选聘条件。生态护林员从脱贫人口中选聘，每年考核一次。\n",
        name="护林员管理办法",
    )
    both = KnowledgeBase.of([*kb.documents, other])
    result = both.ask("生态护林员从哪些人里选聘")
    assert result.best is not None and result.best.clause.document == "护林员管理办法"
    assert "出自：《护林员管理办法》" in answer_text(both, result)


def test_index_of_no_documents_answers_nothing():
    assert Index([]).search("劳务报酬").best is None
