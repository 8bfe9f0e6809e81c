"""Policy documents: read .txt/.docx, split into sections `一、…` and clauses `（一）…`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_DIGITS = "零一二三四五六七八九"
_SECTION = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.*)$")
_CLAUSE = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,3})\s*[）)]\s*(.*)$")
_TITLE_END = re.compile(r"[。；;]")


class PolicyFormatError(ValueError):
    """A file that is not a readable policy document; the message is for the user."""


@dataclass(frozen=True)
class Clause:
    """One numbered clause, e.g. （一）持续扩大实施范围。…"""

    number: str  # （一）
    title: str  # 持续扩大实施范围 ("" when the clause has no short heading)
    text: str  # the clause after its number, verbatim
    section: str  # 一、稳步扩大实施规模 ("" before any section)
    document: str  # the document's title
    ref: str  # what `全文` takes: the number, or 二、（一） when numbers repeat per section

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    @property
    def full_text(self) -> str:
        return f"{self.number}{self.text}"


@dataclass(frozen=True)
class Document:
    """A policy document: a name (unique key), a title and its clauses in order."""

    name: str
    title: str
    clauses: tuple[Clause, ...]
    source: str = ""
    builtin: bool = False

    def find(self, ref: str) -> Clause | None:
        """The clause a user names: （一）, (一), 一, 1, or 二、（一） when numbers repeat."""
        key = normalize_ref(ref)
        for clause in self.clauses:
            if key in (normalize_ref(clause.ref), normalize_ref(clause.number)):
                return clause
        return None


def chinese_number(n: int) -> str:
    """1..99 as Chinese numerals: 1 → 一, 12 → 十二, 20 → 二十."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def parse_chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十一 → 21; None when not a numeral below 100."""
    if not text or any(c not in _DIGITS + "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS.index(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)


def normalize_ref(ref: str) -> str:
    """Canonical clause reference: `（三）`, `(3)`, `三`, `3`, `第三条` → `（三）`."""
    text = unicodedata.normalize("NFKC", ref).strip().replace(" ", "")
    prefix = ""
    section = _SECTION.match(text)
    if section and _CLAUSE.match(section.group(2)):
        prefix, text = section.group(1) + "、", section.group(2)
    inner = text.strip("()（）第条款")
    if inner.isdigit():
        number = chinese_number(int(inner)) if 0 < int(inner) < 100 else inner
    else:
        number = inner
    return f"{prefix}（{number}）"


def parse_text(text: str, *, name: str = "", source: str = "", builtin: bool = False) -> Document:
    """Split plain text into clauses; the first short line before any clause is the title."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line.lstrip("\ufeff") for line in lines if line]
    title = ""
    section = ""
    raw: list[tuple[str, str, list[str]]] = []  # (number, section, text parts)
    for line in lines:
        clause = _CLAUSE.match(line)
        head = _SECTION.match(line)
        if clause:
            raw.append((f"（{clause.group(1)}）", section, [clause.group(2)]))
        elif head and len(line) <= 40:
            section = f"{head.group(1)}、{head.group(2).strip()}"
        elif raw:
            raw[-1][2].append(line)
        elif not title and len(line) <= 80 and not line.endswith("。"):
            title = line.strip("《》 ")
    if not raw:
        raise PolicyFormatError("没有找到条款：条款应以（一）（二）…编号开头，章节以“一、”开头。")
    doc_title = title or name or Path(source).stem or "政策文件"
    counts: dict[str, int] = {}
    for number, _, _ in raw:
        counts[number] = counts.get(number, 0) + 1
    clauses = []
    for number, sec, parts in raw:
        body = "".join(parts)
        head_match = _TITLE_END.search(body)
        heading = body[: head_match.start()] if head_match and head_match.start() <= 30 else ""
        repeated = counts[number] > 1 and sec
        ref = f"{sec.split('、')[0]}、{number}" if repeated else number
        clauses.append(Clause(number, heading, body, sec, doc_title, ref))
    return Document(
        name=name or doc_title,
        title=doc_title,
        clauses=tuple(clauses),
        source=source,
        builtin=builtin,
    )


def read_text(path: Path) -> str:
    """The text of a .txt/.md (UTF-8 or GB18030) or .docx file, one paragraph per line."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_text(path)
    if suffix in (".txt", ".md", ""):
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise PolicyFormatError(f"{path.name}：无法识别文字编码，请另存为 UTF-8 文本。")
    if suffix == ".doc":
        raise PolicyFormatError(f"{path.name}：不支持旧版 .doc，请在 Word 中另存为 .docx。")
    raise PolicyFormatError(f"{path.name}：只支持 .txt 和 .docx 文件。")


def _docx_text(path: Path) -> str:
    import docx  # python-docx; imported here because only `policy add` needs it

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a broken file
        raise PolicyFormatError(
            f"{path.name}：无法读取 .docx（{exc.__class__.__name__}）。"
        ) from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def load_file(path: Path, *, name: str = "") -> Document:
    """Read and parse a policy file."""
    return parse_text(read_text(path), name=name, source=path.name)
