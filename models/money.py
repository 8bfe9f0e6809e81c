"""Money is integer fen everywhere; these helpers convert at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def yuan_to_fen(yuan: Decimal) -> int:
    return int((yuan * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_fen(fen: int) -> str:
    """12345 → '123.45元'; whole yuan without decimals: 15000 → '150元'."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    body = f"{yuan:,}" if cents == 0 else f"{yuan:,}.{cents:02d}"
    return f"{sign}{body}元"
