"""Bank 代发 file layouts: the generic one, and each county's from a small TOML file.

    # YIGONG_BANK_LAYOUTS=/etc/yigong/bank.toml
    ["五台县"]                     # the county as in the projects file (县), quoted
    sheet = "代发明细"
    columns = ["序号", "户名=姓名", "卡号=账号", "金额(元)=金额", "证件号码=身份证号", "开户行", "摘要"]

A column is `表头=字段` or a bare field name; fields: 序号 姓名 账号 开户行 金额 身份证号 账户类型 摘要.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UserError

FIELDS = ("序号", "姓名", "账号", "开户行", "金额", "身份证号", "账户类型", "摘要")
GENERIC_COLUMNS = [
    ("姓名", "姓名"),
    ("账号", "账号"),
    ("开户行", "开户行"),
    ("金额", "金额"),
    ("身份证号", "身份证号"),
]


@dataclass(frozen=True)
class Layout:
    name: str
    sheet: str
    columns: list[tuple[str, str]]  # (header, field)


GENERIC = Layout("通用格式", "代发明细", GENERIC_COLUMNS)


def load_layouts(path: str | None) -> dict[str, Layout]:
    """County → layout; a broken file is refused with the reason (an operator's mistake)."""
    if not path:
        return {}
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(
            f"代发格式配置 {path} 读不了：{exc}。请管理员检查 YIGONG_BANK_LAYOUTS"
        ) from None
    out: dict[str, Layout] = {}
    for county, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("columns"), list):
            raise UserError(f"代发格式配置 {path} 中 [{county}] 缺少 columns 列表")
        columns: list[tuple[str, str]] = []
        for item in spec["columns"]:
            header, _, field = str(item).partition("=")
            field = field or header
            if field not in FIELDS:
                raise UserError(
                    f"代发格式配置 [{county}] 的列“{item}”不认识，字段只能是 {'、'.join(FIELDS)}"
                )
            columns.append((header, field))
        out[county] = Layout(
            str(spec.get("name") or f"{county}格式"), str(spec.get("sheet") or "代发明细"), columns
        )
    return out
