"""Loading policy documents: plain text and .docx, sections 一、 and clauses （一）."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from handlers.policy.kb import builtin_document
from handlers.policy.loader import (
    PolicyFormatError,
    chinese_number,
    load_file,
    normalize_ref,
    parse_chinese_number,
    parse_text,
)

SAMPLE = """《某县以工代赈项目管理办法》

为规范项目管理，制定本办法。
一、总则
（一）适用范围。本办法适用于全县以工代赈项目。
（二）管理原则。坚持公开透明。
项目信息应当公示。
二、资金管理
（三）劳务报酬。劳务报酬按月发放，不得拖欠。
"""


def test_builtin_policy_has_twelve_clauses_in_four_sections():
    doc = builtin_document()
    assert doc.builtin
    assert doc.title == "关于大力推广以工代赈方式促进群众就地就近就业增收的意见（送审稿）"
    assert [c.number for c in doc.clauses][:3] == ["（一）", "（二）", "（三）"]
    assert len(doc.clauses) == 12
    assert len({c.section for c in doc.clauses}) == 4
    first = doc.clauses[0]
    assert first.title == "持续扩大实施范围" and first.section == "一、稳步扩大实施规模"
    assert "不低于项目财政资金总额的15%" in first.text


def test_builtin_policy_is_a_verbatim_copy_of_the_shared_one():
    shared = Path("/work/shared/policy/tuiguang-yigong-daizhen-yijian.txt")
    if not shared.exists():
        pytest.skip("shared policy not present")
    from handlers.policy.dictionary import SHIPPED_POLICY, data_path

    assert data_path(SHIPPED_POLICY).read_bytes() == shared.read_bytes()


def test_plain_text_clauses_sections_title_and_continuation_lines(tmp_path: Path):
    path = tmp_path / "办法.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    doc = load_file(path)
    assert doc.title == "某县以工代赈项目管理办法" and doc.name == doc.title
    assert doc.source == "办法.txt"
    assert [(c.number, c.title, c.section) for c in doc.clauses] == [
        ("（一）", "适用范围", "一、总则"),
        ("（二）", "管理原则", "一、总则"),
        ("（三）", "劳务报酬", "二、资金管理"),
    ]
    assert doc.clauses[1].text == "管理原则。坚持公开透明。项目信息应当公示。"
    assert doc.find("3") is doc.clauses[2] and doc.find("(三)") is doc.clauses[2]


def test_gb18030_text_is_read(tmp_path: Path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(SAMPLE.encode("gb18030"))
    assert len(load_file(path).clauses) == 3


def test_docx_paragraphs_become_lines(tmp_path: Path):
    document = docx.Document()
    for line in SAMPLE.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "办法.docx"
    document.save(str(path))
    doc = load_file(path, name="管理办法")
    assert doc.name == "管理办法" and doc.title == "某县以工代赈项目管理办法"
    assert [c.number for c in doc.clauses] == ["（一）", "（二）", "（三）"]
    assert doc.clauses[2].section == "二、资金管理"


def test_numbers_restarting_per_section_get_section_refs():
    doc = parse_text("一、甲\n（一）甲一。内容。\n二、乙\n（一）乙一。内容。\n")
    assert [c.ref for c in doc.clauses] == ["一、（一）", "二、（一）"]
    assert doc.find("二、（一）") is doc.clauses[1]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", "没有编号的一段话。", "没有找到条款"),
        ("a.doc", "x", "另存为 .docx"),
        ("a.pdf", "x", "只支持"),
    ],
)
def test_unreadable_documents_are_refused_with_a_reason(
    tmp_path: Path, name: str, content: str, message: str
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyFormatError, match=message):
        load_file(path)


def test_broken_docx_is_refused(tmp_path: Path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(PolicyFormatError, match="无法读取"):
        load_file(path)


def test_chinese_numbers_round_trip():
    for n in range(1, 100):
        assert parse_chinese_number(chinese_number(n)) == n
    assert chinese_number(12) == "十二" and chinese_number(20) == "二十"
    assert parse_chinese_number("十十") is None and parse_chinese_number("甲") is None


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("（三）", "（三）"),
        ("(3)", "（三）"),
        ("3", "（三）"),
        ("第十二条", "（十二）"),
        ("十一", "（十一）"),
    ],
)
def test_clause_refs_are_normalised(ref: str, expected: str):
    assert normalize_ref(ref) == expected
