"""Encryption, keyed hashing and masking of personal data (ID numbers, phones): SPEC §8."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yigong-bot", info=purpose).derive(
        secret.encode()
    )


class PersonalData:
    """AES-GCM for storage, HMAC-SHA256 for look-ups; both keys derived from YIGONG_DATA_KEY."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derive(secret, b"encrypt-v1"))
        self._mac_key = _derive(secret, b"lookup-v1")

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plain.encode(), None)).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.b64decode(token)
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()

    def lookup_hash(self, plain: str) -> str:
        return hmac.new(self._mac_key, plain.upper().encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def personal_data(secret: str) -> PersonalData:
    """Cached per key: HKDF and AESGCM set-up are not free on a hot path."""
    return PersonalData(secret)


def mask_id(id_number: str) -> str:
    """142329198503121233 → 142329********1233."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """13800138000 → 138****8000."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# -- masking free text -----------------------------------------------------------------------
# Every text that leaves (a reply, an app message, a job result, a log line) goes through
# `mask_text` last, whatever produced it: a refusal that echoes what was typed, a new feature,
# an exception's message. ID numbers (15 or 18 characters, the last may be X) and bank cards
# (16 to 19 digits passing the Luhn check, so MsgIds stay) keep their first 6 and last 4;
# mainland mobile numbers their first 3 and last 4. ASCII or full-width digits, whole or in
# the groups people write (6-8-4, 3-4-4, 4-4-4-4).

_D = "0-9０-９"
_NUMBER_RE = re.compile(
    rf"(?<![{_D}A-Za-z])(\+?86[- ]?)?([{_D}]{{3,}}(?:[ \u3000][{_D}]{{3,}})*[XxＸｘ]?)(?![{_D}A-Za-z])"
)
_HAS_DIGIT = re.compile(rf"[{_D}]")
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
# The numbers of the help texts' examples are nobody's and must stay copyable.
EXAMPLE_NUMBERS = frozenset({"142329198503121233", "13800138000"})


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _grouped(lengths: list[int]) -> bool:
    """How people write numbers in groups: 6-8-4 (ID), 3-4-4 (phone), 4-4-4-4[-n] (card)."""
    if lengths in ([6, 8, 4], [3, 4, 4]):
        return True
    return len(lengths) >= 4 and all(n == 4 for n in lengths[:-1]) and 1 <= lengths[-1] <= 4


def _mask_match(m: re.Match[str]) -> str:
    prefix, raw = m.group(1) or "", m.group(2)
    if len(raw) < 11:  # shorter than any phone, ID or card number, grouped or not: a date, an
        return m.group(0)  # amount, an entry number (most matches in a reply)
    groups = raw.split()
    if len(groups) > 1 and not _grouped([len(g) for g in groups]):
        # separate numbers that happen to stand side by side: each on its own
        return prefix + "".join(mask_text(g) for g in re.split(r"([ \u3000])", raw))
    digits = "".join(groups).translate(_FULLWIDTH).upper()
    if digits in EXAMPLE_NUMBERS:
        return m.group(0)
    body = digits.rstrip("X")
    if len(digits) in (15, 18) and len(digits) - len(body) <= 1:
        return prefix + mask_id(digits)  # an ID number (old 15 or 18 digits)
    if 16 <= len(digits) <= 19 and digits.isdigit() and _luhn(digits):
        return prefix + mask_id(digits)  # a bank card (its check digit; a MsgId is no card)
    if len(digits) == 11 and re.fullmatch(r"1[3-9]\d{9}", digits):
        return prefix + mask_phone(digits)
    return m.group(0)


def mask_text(text: str) -> str:
    """`text` with every ID number, bank card and mobile number in it masked."""
    if not text or not _HAS_DIGIT.search(text):  # most replies: no digits, no scan
        return text
    return _NUMBER_RE.sub(_mask_match, text)


_RAW_KEYS = frozenset({"media_id", "png_base64", "data_base64", "url", "picurl", "render"})


def mask_payload(value: Any) -> Any:
    """`mask_text` on every string of a message payload (not on media ids or inline data)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: v if k in _RAW_KEYS else mask_payload(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_payload(v) for v in value]
    return value
