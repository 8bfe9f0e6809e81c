"""The account fields of 登记工人: `银行卡：… 开户行：…`, `一卡通：…`, `社保卡：…`."""

from __future__ import annotations

from collections.abc import Mapping

from domain.parsing import Problems
from handlers.ledger.accounts import (
    BANK_CARD,
    HUINONG_CARD,
    SOCIAL_CARD,
    Account,
    check_account,
    check_account_type,
)

ACCOUNT_KEYS = {
    "银行卡": ("银行卡号", "卡号", "银行账号"),
    "一卡通": ("一卡通号", "惠农一卡通", "惠民惠农一卡通"),
    "社保卡": ("社保卡号", "社会保障卡"),
    "账号": ("账户", "收款账号"),
    "账户类型": ("账户种类",),
    "开户行": ("开户银行", "银行", "开户网点"),
}
_BY_KEY = {"银行卡": BANK_CARD, "一卡通": HUINONG_CARD, "社保卡": SOCIAL_CARD}


def account_from(problems: Problems, fields: Mapping[str, str]) -> Account | None:
    """The account a message names, or None; problems recorded."""
    given = [k for k in (*_BY_KEY, "账号") if fields.get(k)]
    if not given:
        if fields.get("开户行") or fields.get("账户类型"):
            problems.add("账号", "写了开户行或账户类型，但没有写账号，如“银行卡：6222…”")
        return None
    if len(given) > 1:
        problems.add("账号", "一人只登记一个工资账户：银行卡、一卡通、社保卡只写一个")
        return None
    key = given[0]
    kind = _BY_KEY.get(key)
    if kind is None:
        kind = problems.check("账户类型", check_account_type, fields.get("账户类型") or "银行卡")
        if kind is None:
            return None
    result: Account | None = problems.check(
        key, check_account, kind, fields[key], fields.get("开户行", "")
    )
    return result
