"""`yigong demo`: a small demo county to try every command in sandbox mode."""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric


def valid_id(region: str, birth: date, seq: int) -> str:
    """A well-formed resident ID number (real check digit) for demo and test data."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")
