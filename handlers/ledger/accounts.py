"""The account a worker's wages go to: bank card, 一卡通 or 社保卡 (SPEC §3), checked and masked.

Bank card numbers of 16–19 digits carry a Luhn check digit (UnionPay cards, and the bank card
side of a 社保卡); longer numbers are passbook (存折) accounts and 一卡通 accounts are issued by
the rural credit union in their own formats, so only their digits and length are checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import luhn

from bot.errors import UserError
from bot.text import normalize
from models.privacy import PersonalData

BANK_CARD, HUINONG_CARD, SOCIAL_CARD = "银行卡", "一卡通", "社保卡"
ACCOUNT_TYPES = {
    "银行卡": BANK_CARD,
    "银行": BANK_CARD,
    "储蓄卡": BANK_CARD,
    "借记卡": BANK_CARD,
    "银行账号": BANK_CARD,
    "存折": BANK_CARD,
    "一卡通": HUINONG_CARD,
    "惠农一卡通": HUINONG_CARD,
    "惠民惠农一卡通": HUINONG_CARD,
    "社保卡": SOCIAL_CARD,
    "社会保障卡": SOCIAL_CARD,
}
# The payment method (发放方式) each account type is paid through.
METHOD_OF = {BANK_CARD: "银行代发", HUINONG_CARD: "一卡通", SOCIAL_CARD: "社保卡"}
_DIGITS = re.compile(r"^\d{8,30}$")


@dataclass(frozen=True)
class Account:
    type: str
    number: str
    bank: str

    @property
    def masked(self) -> str:
        return mask_account(self.number)


def mask_account(number: str) -> str:
    """6222020200112233445 → 6222***********3445."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def check_account_type(text: str) -> str:
    t = ACCOUNT_TYPES.get(normalize(text).replace(" ", ""))
    if t is None:
        raise UserError(f"账户类型“{normalize(text)}”不认识，请写 银行卡、一卡通 或 社保卡")
    return t


def check_account(kind: str, number_text: str, bank: str) -> Account:
    """A checked account; `kind` is one of ACCOUNT_TYPES' values."""
    number = re.sub(r"[\s-]", "", normalize(number_text))
    shown = mask_account(number) if number.isdigit() else "（含非数字）"
    if not _DIGITS.match(number):
        raise UserError(f"{kind}号 {shown} 应为 8–30 位数字")
    if kind in (BANK_CARD, SOCIAL_CARD) and 16 <= len(number) <= 19 and not luhn.is_valid(number):
        raise UserError(f"{kind}号 {shown} 校验位不对（银行卡号最后一位是校验码），请核对")
    if kind == BANK_CARD and len(number) < 12:
        raise UserError(f"银行卡号 {shown} 太短，请核对")
    bank = normalize(bank).strip()[:64]
    if not bank:
        raise UserError(f"缺少开户行，如“开户行：五台县农商银行”（{kind}号 {shown}）")
    return Account(kind, number, bank)


def account_columns(account: Account, pd: PersonalData) -> dict[str, str]:
    """The Worker columns that store an account: ciphertext, masked, keyed hash."""
    return {
        "account_type": account.type,
        "account_cipher": pd.encrypt(account.number),
        "account_masked": account.masked,
        "account_hash": pd.lookup_hash(account.number),
        "bank": account.bank,
    }
