"""The one parser and validator set every command uses: fields, amounts, dates, IDs, workers.

Every function raises `UserError` with a Chinese message that says what is wrong and what
the right form looks like; batch handlers collect these per line with `Problems`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

from bot.errors import UserError
from bot.text import normalize
from models import Project

# A key is a run of non-separator, non-digit characters followed by ：/:/=.
_KEY_RE = re.compile(r"(?:^|(?<=[\s,，;；]))([^\s,，;；:：=\d]{1,12})\s*[:：=]")
_TRIM = " \t,，;；、"


def _alias_index(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, names in aliases.items():
        index[normalize(canonical)] = canonical
        for name in names:
            index[normalize(name)] = canonical
    return index


def parse_fields(
    text: str, aliases: Mapping[str, Iterable[str]]
) -> tuple[dict[str, str], list[str]]:
    """Split a message into `键：值` fields and the remaining body lines.

    `aliases` maps each canonical key to its other names. Fields are `键：值` or `键=值`,
    separated by blanks, commas or new lines; a value runs until the next key on its line,
    so `人员：张三，李四` keeps both names. Lines without any key are body lines (batch rows).
    A line with a known key may not carry unknown ones; a repeated key is refused.
    """
    index = _alias_index(aliases)
    fields: dict[str, str] = {}
    body: list[str] = []
    problems: list[str] = []
    for raw_line in normalize(text).splitlines():
        line = raw_line.strip()
        if not line:
            continue
        matches = list(_KEY_RE.finditer(line))
        if not any(m.group(1) in index for m in matches):
            # `张三：1天` is a batch row, not a field: only known keys make a field line.
            body.append(line)
            continue
        lead = line[: matches[0].start()].strip(_TRIM)
        if lead:
            problems.append(f"“{lead}”不是“键：值”的形式")
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            key, value = m.group(1), line[m.end() : end].strip(_TRIM)
            canonical = index.get(key)
            if canonical is None:
                problems.append(f"不认识的字段“{key}”")
            elif canonical in fields:
                problems.append(f"字段“{key}”写了两次")
            else:
                fields[canonical] = value
    if problems:
        known = "、".join(aliases)
        raise UserError("；".join(problems) + f"。可用字段：{known}")
    return fields, body


def require(fields: Mapping[str, str], key: str, example: str) -> str:
    """A required field's value, or a refusal naming it."""
    value = fields.get(key, "").strip()
    if not value:
        raise UserError(f"缺少“{key}”，例如：{key}：{example}")
    return value


# -- numbers and money ---------------------------------------------------------------------

_AMOUNT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|万|元|块)?$")
# Thousands separators: 1–3 digits, then groups of exactly three (`1,500.50`, `1,000,000`).
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:万元|万|元|块)?$")


@lru_cache(maxsize=4096)
def parse_amount(text: str) -> int:
    """An amount in fen: `1500`, `1500元`, `1,500.50元`, `0.15万元`, `¥1500`. No negatives.

    A comma is a thousands separator only when exactly three digits follow it (and at most
    three precede the first one): `1,50` is refused rather than read as 150.
    """
    raw = normalize(text)  # NFKC: ，→, and ￥→¥
    s = raw.replace("¥", "").replace(" ", "").removeprefix("人民币")
    if "," in s:
        if not _GROUPED_RE.match(s):
            raise UserError(
                f"金额“{raw}”中的逗号用法不对：逗号只能作千位分隔符，后面正好三位数字"
                "（如 1,500 或 1,500.50元）；小数请用小数点（如 1.50）"
            )
        s = s.replace(",", "")
    m = _AMOUNT_RE.match(s)
    if not m:
        raise UserError(f"金额“{raw}”看不懂，请写成 1500、1500元、1,500.50元 或 0.15万元")
    value = Decimal(m.group(1))
    if m.group(2) in ("万", "万元"):
        value *= 10000
    if value < 0:
        raise UserError(f"金额不能为负数（收到“{raw}”）。更正已记账的金额请用“冲正”")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise UserError(f"金额“{raw}”精确到分即可（最多两位小数）")
    if fen > 10**13:
        raise UserError(f"金额“{raw}”过大，请核对")
    return int(fen)


def parse_decimal(text: str, what: str, units: Sequence[str], example: str) -> Decimal:
    """A positive quantity such as days (`1天`, `0.5`, `半天`) or hours (`4学时`)."""
    raw = normalize(text)
    s = raw
    for unit in sorted(units, key=len, reverse=True):
        s = s.removesuffix(unit)
    if s in ("半", "0.5"):
        return Decimal("0.5")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise UserError(f"{what}“{raw}”看不懂，例如：{example}") from None
    if not value.is_finite() or value <= 0:
        raise UserError(f"{what}必须大于0（收到“{raw}”），例如：{example}")
    if value != value.quantize(Decimal("0.01")):
        raise UserError(f"{what}“{raw}”最多两位小数")
    return value


MAX_DAYS_PER_DATE = Decimal(1)


@lru_cache(maxsize=4096)
def parse_days(text: str) -> Decimal:
    """Days worked by one worker on one date: `1`, `1天`, `0.5天`, `半天`; more than 0, at most 1.

    Work is recorded per date, so a worker cannot have worked more than one day on it.
    """
    days = parse_decimal(text, "天数", ("个工日", "工日", "天", "日", "工"), "1天 或 0.5天")
    if days > MAX_DAYS_PER_DATE:
        raise UserError(
            f"天数“{normalize(text)}”不对：记工按日期记，一人一天最多记1天（半天写“0.5天”）。"
            "干了几天就按日期分几次记，或用文件导入（每行一个日期）"
        )
    return days


@lru_cache(maxsize=4096)
def parse_hours(text: str) -> Decimal:
    """Training hours: `4`, `4学时`, `4小时`; at most 200."""
    hours = parse_decimal(text, "学时", ("学时", "小时", "课时", "h"), "学时：4")
    if hours > 200:
        raise UserError(f"学时 {hours} 过大，请核对")
    return hours


def parse_bool(text: str) -> bool:
    """是/否 and friends."""
    s = normalize(text).lower()
    if s in ("是", "yes", "y", "true", "1", "对", "√", "有"):
        return True
    if s in ("否", "no", "n", "false", "0", "不是", "×", "无", ""):
        return False
    raise UserError(f"“{text}”请写“是”或“否”")


# -- dates ------------------------------------------------------------------------------------

_FULL_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SHORT_DATE = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
_RELATIVE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
DATE_FORMS = "2026-11-20、2026/11/20、2026年11月20日、11月20日、今天、昨天"


def _make_date(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise UserError(f"日期“{raw}”不存在，请核对") from None


@lru_cache(maxsize=4096)
def parse_date(text: str, today: date) -> date:
    """A date in any form of SPEC §4; `11月20日` is this year, or last year if that is ahead."""
    raw = normalize(text)
    s = raw.replace(" ", "")
    if s in _RELATIVE:
        return today - timedelta(days=_RELATIVE[s])
    if m := _FULL_DATE.match(s) or _COMPACT_DATE.match(s):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    if m := _SHORT_DATE.match(s):
        month, day = int(m.group(1)), int(m.group(2))
        found = _make_date(today.year, month, day, raw) if (month, day) != (2, 29) else None
        if found is None or found > today:
            year = today.year if found is None else today.year - 1
            return _make_date(year, month, day, raw)
        return found
    raise UserError(f"日期“{raw}”看不懂，请写成 {DATE_FORMS}")


def check_not_future(d: date, today: date, what: str = "日期") -> date:
    if d > today:
        raise UserError(f"{what} {d:%Y-%m-%d} 在今天（{today:%Y-%m-%d}）之后，不能预先记账")
    return d


def check_in_project(d: date, project: Project, what: str = "日期") -> date:
    """Not before the project started (when its start date is known)."""
    if project.start_date is not None and d < project.start_date:
        raise UserError(
            f"{what} {d:%Y-%m-%d} 早于项目 {project.code} 开工日期 {project.start_date:%Y-%m-%d}"
        )
    return d


_PERIOD_FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(?:份)?$")
_PERIOD_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_PERIOD_MONTH = re.compile(r"^(\d{1,2})月(?:份)?$")


@lru_cache(maxsize=4096)
def parse_period(text: str, today: date) -> str:
    """A pay period 'YYYY-MM': `2026-11`, `2026年11月`, `11月` (latest past one), `本月`, `上月`."""
    raw = normalize(text)
    s = raw.replace(" ", "")
    year, month = today.year, today.month
    if s in ("本月", "这个月", "当月"):
        pass
    elif s in ("上月", "上个月"):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    elif m := _PERIOD_FULL.match(s) or _PERIOD_COMPACT.match(s):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _PERIOD_MONTH.match(s):
        month = int(m.group(1))
        if month > today.month:
            year -= 1
    else:
        raise UserError(f"期间“{raw}”看不懂，请写成 2026-11、2026年11月 或 11月")
    if not 1 <= month <= 12:
        raise UserError(f"期间“{raw}”的月份不对，请写成 2026-11")
    return f"{year:04d}-{month:02d}"


def period_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


# -- people -----------------------------------------------------------------------------------


def looks_like_id(text: str) -> bool:
    s = normalize(text).replace(" ", "")
    return len(s) >= 15 and s[:-1].isdigit()


def check_id_number(text: str) -> tuple[str, list[str]]:
    """A resident ID number, normalized (18 digits, upper-case X), and warnings.

    Length, birth date and check digit are errors; an unknown region code is only a
    warning, since region codes change over the years.
    """
    raw = normalize(text)
    number = raw.replace(" ", "").replace("-", "").upper()
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise UserError(f"身份证号“{raw}”应为18位（最后一位可为X），收到{len(number)}位")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise UserError(f"身份证号“{raw}”中的出生日期{number[6:14]}不存在，请核对") from None
    if birth > datetime.now(UTC).date() or birth.year < 1900:
        raise UserError(f"身份证号“{raw}”中的出生日期{number[6:14]}不合理，请核对")
    if ric.calc_check_digit(number) != number[17]:
        raise UserError(f"身份证号“{raw}”校验位不对，可能有一位写错了，请对照身份证核对")
    warnings: list[str] = []
    try:
        ric.validate(number)
    except (InvalidComponent, InvalidLength, InvalidChecksum, ValidationError):
        warnings.append(
            f"身份证号 {mask_id_text(number)} 的地区代码{number[:6]}不在当前行政区划表中，请核对"
        )
    return number, warnings


MIN_WORKING_AGE = 16  # 《劳动法》第十五条: no one under 16 may be employed


def age_on(birth: date, on: date) -> int:
    """Full years of age on a date (in a common year a 29 February birthday counts on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check_working_age(number: str, on: date) -> str:
    """A normalized ID number whose holder is at least 16 on `on` (the registration date)."""
    age = age_on(ric.get_birth_date(number), on)
    if age < MIN_WORKING_AGE:
        raise UserError(
            f"身份证号 {mask_id_text(number)} 的持有人到登记日（{on:%Y-%m-%d}）未满16周岁"
            f"（{age}岁）。我国法定最低就业年龄为16周岁（《劳动法》第十五条：禁止招用未满"
            "十六周岁的未成年人），不能登记为务工人员。如果是身份证号写错了，请核对后重新登记"
        )
    return number


# Look-alikes of the middle dot of minority and foreign names (阿依古丽·买买提).
_NAME_DOTS = str.maketrans(dict.fromkeys("•‧・∙⋅･", "·"))
MAX_NAME_LENGTH = 30
NAME_RULE = (
    "姓名只能由汉字或拉丁字母组成，少数民族和外国人姓名可用“·”或空格分隔"
    "（如 阿依古丽·买买提、Anna Schmidt），最多30个字"
)


def normalize_name(text: str) -> str:
    """A person's name as stored: NFKC, one kind of middle dot, single spaces."""
    return " ".join(normalize(text).translate(_NAME_DOTS).split())


def _name_letter(c: str) -> bool:
    name = unicodedata.name(c, "")
    return (
        name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))
        or c == "\u3007"  # 〇, written in some names
        or (unicodedata.category(c) in ("Lu", "Ll") and name.startswith("LATIN"))
    )


def check_person_name(text: str) -> str:
    """A plausible name, normalized: CJK or Latin letters, `·` and spaces between them only.

    No digits, emoji or other symbols; at most 30 characters.
    """
    name = normalize_name(text)
    if not name:
        raise UserError("缺少姓名")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(f"姓名“{name[:MAX_NAME_LENGTH]}…”有{len(name)}个字，太长了。{NAME_RULE}")
    bad = [c for c in dict.fromkeys(name) if not (_name_letter(c) or c in "· ")]
    if bad:
        shown = "、".join(f"“{c}”" for c in bad[:5])
        raise UserError(f"姓名“{name}”里有{shown}，不像姓名。{NAME_RULE}")
    if re.search(r"^[· ]|[· ]$|[· ]{2}", name):
        raise UserError(f"姓名“{name}”中的“·”和空格只能夹在两个字中间。{NAME_RULE}")
    return name


def mask_id_text(number: str) -> str:
    from models.privacy import mask_id

    return mask_id(number)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_phone(text: str) -> str:
    """A mainland mobile (11 digits) or landline (区号-号码) number, normalized."""
    raw = normalize(text)
    s = raw.replace(" ", "").removeprefix("+86").removeprefix("0086")
    digits = s.replace("-", "")
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(s):
        return s
    raise UserError(
        f"手机号“{raw}”不对：应为11位手机号（如 13800138000）或带区号的座机（如 0351-1234567）"
    )


# Between the fields of a batch line: blanks, `:` `;`, and commas that are not inside a
# number (`1,500.50元` stays one token; after a 15+ digit run a comma ends an ID number).
_LINE_SPLIT = re.compile(r"[\s:;]+|,(?!\d)|(?<!\d),|(?<=\d{15}),")


def split_line(line: str) -> list[str]:
    """`张三 1,500.50元` → ['张三', '1,500.50元']; `张三，1天，180元` → three tokens."""
    return [t for t in _LINE_SPLIT.split(normalize(line)) if t]


def split_names(text: str) -> list[str]:
    """`张三，李四、王五 赵六` → four names."""
    return [p for p in re.split(r"[\s,，、;；/]+", normalize(text)) if p]


# -- collecting problems ----------------------------------------------------------------------


@dataclass
class Problems:
    """Every problem of a message, line by line; `raise_if_any` refuses with all of them."""

    example: str
    items: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}：{message}" if where else message)

    def check(self, where: str, fn, *args):  # type: ignore[no-untyped-def]
        """Call a validator; record its UserError under `where` and return None."""
        try:
            return fn(*args)
        except UserError as err:
            self.add(where, err.message)
            return None

    def raise_if_any(self) -> None:
        if self.items:
            raise UserError(refusal(self.items, self.example))


def refusal(problems: Sequence[str], example: str, *, writes: bool = True) -> str:
    """The standard refusal: nothing written (for commands that write), every problem, the
    right form."""
    lines = ["没有写入任何记录，请改正后重新发送：" if writes else "请改正后重新发送："]
    lines += [f"· {p}" for p in problems]
    if example:
        lines += ["", "正确格式示例：", example]
    return "\n".join(lines)


def parse_or_refuse(
    text: str, aliases: Mapping[str, Iterable[str]], example: str, *, writes: bool = True
) -> tuple[dict[str, str], list[str]]:
    """`parse_fields`, with the refusal carrying the example of the right form."""
    try:
        return parse_fields(text, aliases)
    except UserError as err:
        raise UserError(refusal([err.message], example, writes=writes)) from None
