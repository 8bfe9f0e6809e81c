"""Encryption, keyed hashing and masking of personal data (ID numbers, phones): SPEC §8."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

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
