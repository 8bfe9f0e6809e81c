"""Edge cases of the shared parser and validators."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from domain.parsing import (
    check_id_number,
    check_phone,
    parse_amount,
    parse_date,
    parse_days,
    parse_fields,
    parse_period,
    split_line,
)
from handlers.demo import valid_id

TODAY = date(2026, 11, 20)
ALIASES = {"项目": ("项目编号",), "日期": (), "人员": ("姓名",)}


def test_fields_aliases_separators_and_body():
    fields, body = parse_fields("项目编号＝NT-1，日期：今天\n人员:张三,李四\n张三 1天", ALIASES)
    assert fields == {"项目": "NT-1", "日期": "今天", "人员": "张三,李四"}
    assert body == ["张三 1天"]
    assert parse_fields("张三：1天", ALIASES) == ({}, ["张三:1天"])
    with pytest.raises(UserError, match="不认识的字段“颜色”"):
        parse_fields("项目：NT-1 颜色：红", ALIASES)
    with pytest.raises(UserError, match="写了两次"):
        parse_fields("项目：A 项目编号：B", ALIASES)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1500", 150000),
        ("1500元", 150000),
        ("1,500.50元", 150050),
        ("0.15万元", 150000),
        ("１５０元", 15000),
        ("1,000,000", 100000000),
        ("１，５００元", 150000),
        ("¥1,500.50", 150050),
    ],
)
def test_amounts(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize("text", ["-1", "1.005", "abc", "1e5"])
def test_bad_amounts(text):
    with pytest.raises(UserError):
        parse_amount(text)


@pytest.mark.parametrize("text", ["1,50", "1500,00", "1,5000", "12,345,6", "1,500,00元", ",150"])
def test_comma_must_be_a_thousands_separator(text):
    with pytest.raises(UserError, match="千位分隔符"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("line", "tokens"),
    [
        ("赵六 1,500.50元", ["赵六", "1,500.50元"]),
        ("赵六，1,500元", ["赵六", "1,500元"]),
        ("张三,1天,180元", ["张三", "1天", "180元"]),
        ("142329198503121233,150元", ["142329198503121233", "150元"]),
        ("张三 1,50元", ["张三", "1,50元"]),  # kept whole, so that parse_amount refuses it
    ],
)
def test_split_line_keeps_numbers_whole(line, tokens):
    assert split_line(line) == tokens


def test_dates_and_periods():
    assert parse_date("2026年11月20日", TODAY) == TODAY
    assert parse_date("12月1日", TODAY) == date(2025, 12, 1)
    assert parse_date("昨天", TODAY) == date(2026, 11, 19)
    with pytest.raises(UserError, match="不存在"):
        parse_date("2026-02-30", TODAY)
    assert parse_period("11月", TODAY) == "2026-11"
    assert parse_period("12月", TODAY) == "2025-12"
    assert parse_period("上月", date(2026, 1, 5)) == "2025-12"
    assert parse_days("半天") == parse_days("0.5天")


def test_id_numbers_and_phones():
    assert check_id_number("14232919850312123x".replace("3x", "33")) == ("142329198503121233", [])
    with pytest.raises(UserError, match="校验位"):
        check_id_number("142329198503121234")
    assert check_phone("+86 138 0013 8000") == "13800138000"
    assert check_phone("0351-1234567") == "0351-1234567"
    with pytest.raises(UserError):
        check_phone("12345")


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)), st.integers(0, 999))
def test_generated_ids_validate(birth, seq):
    number = valid_id("142329", birth, seq)
    assert check_id_number(number)[0] == number


@given(st.text(max_size=40))
def test_fields_never_crash(text):
    with contextlib.suppress(UserError):
        parse_fields(text, ALIASES)
