"""Policy questions through the encrypted callback: any text that is no command is a question."""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.policy.kb import builtin_kb, knowledge_base
from models import PolicyDocument

VILLAGER = "villager-001"
RULES = "《护林员管理办法》\n一、选聘\n（一）选聘条件。生态护林员从脱贫人口中选聘，每年考核一次。\n"


def add_document(session: Session, content: str = RULES, name: str = "护林员管理办法") -> None:
    import hashlib

    session.add(
        PolicyDocument(
            name=name,
            title=name,
            content=content,
            sha256=hashlib.sha256(content.encode()).hexdigest(),
            clause_count=1,
        )
    )
    session.commit()


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_a_question_gets_the_clause_with_its_number(wecom):
    reply = wecom.text(VILLAGER, "农推项目劳务报酬比例有什么要求？")
    assert reply.status == 200
    assert reply.text.startswith("【（一）持续扩大实施范围】")
    assert "15%" in reply.text.splitlines()[1]
    assert size(reply.text) <= 2048


def test_an_off_topic_message_gets_no_clause(wecom):
    reply = wecom.text(VILLAGER, "食堂几点开饭")
    assert reply.text.startswith("没有找到相关条款")
    assert "（" not in reply.text.splitlines()[0]


def test_full_text_command_pages_and_spellings(wecom):
    whole = wecom.text(VILLAGER, "全文 （十）").text
    assert whole.startswith("【（十）全流程常态化监督】")
    assert "群众务工台账是否真实" in whole and size(whole) <= 2048
    assert wecom.text(VILLAGER, "全文（十二）").text.startswith("【（十二）抓好评价结果运用】")
    assert wecom.text(VILLAGER, "原文 3").text.startswith("【（三）分级编制项目清单】")
    assert "没有找到条款" in wecom.text(VILLAGER, "全文 （二十）").text
    assert "请写条款编号" in wecom.text(VILLAGER, "全文").text


def test_stored_documents_are_answered_and_the_index_rebuilt_only_on_change(wecom, session):
    before = wecom.text(VILLAGER, "生态护林员从哪些人里选聘").text
    assert "护林员管理办法" not in before
    add_document(session)
    after = wecom.text(VILLAGER, "生态护林员从哪些人里选聘").text
    assert after.startswith("【（一）选聘条件】") and "出自：《护林员管理办法》" in after
    full = wecom.text(VILLAGER, "全文 （一） 护林员").text
    assert full.startswith("【（一）选聘条件】")
    kb = knowledge_base(session)
    assert knowledge_base(session) is kb  # same documents: same index
    assert kb is not builtin_kb() and len(kb.documents) == 2
