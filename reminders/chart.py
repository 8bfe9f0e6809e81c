"""The labour-share chart of the quarterly summary: every project's share against its floor."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

RENDERER = "labour_share"  # the name payloads carry; drawn by `render` when sent
MAX_BARS = 60  # a county with more projects shows the 60 lowest shares

_CJK_FONTS = (
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)


@dataclass(frozen=True)
class Bar:
    label: str  # project code (ASCII: renders without a CJK font)
    share: Decimal | None
    floor: Decimal | None


def _font() -> list[str]:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _CJK_FONTS if n in names] + ["DejaVu Sans"]


def chart_text(quarter: str, chinese: bool) -> tuple[str, str]:
    """Title and axis label: Chinese when a CJK font is installed (the Docker image has one);
    without one Chinese would draw as empty boxes, so the labels fall back to English."""
    if chinese:
        return f"{quarter} 劳务报酬占比", "劳务报酬 / 财政资金（%）  |  黑线：最低要求"
    return f"{quarter} labour share", "Labour compensation / fiscal funds (%)  |  black: floor"


def labour_share_png(quarter: str, bars: list[Bar]) -> bytes:
    """A horizontal bar chart (PNG): share per project, floor marked, bars below it in red."""
    # Imported here: a second of start-up only on the days with charts. Figure, not pyplot:
    # no global figure registry, nothing to close, safe in the scheduler's threads.
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    shown = sorted(bars, key=lambda b: (b.share if b.share is not None else Decimal(-1), b.label))
    shown = shown[:MAX_BARS]
    height = max(2.5, 0.28 * len(shown) + 1.2)
    fonts = _font()
    title, xlabel = chart_text(quarter, chinese=len(fonts) > 1)
    with rc_context({"font.sans-serif": fonts, "axes.unicode_minus": False}):
        fig = Figure(figsize=(7, height), dpi=80)
        ax = fig.add_subplot()
        ys = range(len(shown))
        values = [float(b.share or 0) * 100 for b in shown]
        colors = [
            "#c0392b" if b.floor is not None and (b.share or 0) < b.floor else "#2e86c1"
            for b in shown
        ]
        ax.barh(list(ys), values, color=colors)
        floors = [(y, float(b.floor) * 100) for y, b in zip(ys, shown, strict=True) if b.floor]
        if floors:  # one artist for every floor mark: a chart per county must stay cheap
            ax.scatter([x for _, x in floors], [y for y, _ in floors], marker="|", s=120,
                       color="black", linewidths=1.5, zorder=3)  # fmt: skip
        ax.set_yticks(list(ys), [b.label for b in shown], fontsize=7)
        ax.set_xlabel(xlabel)
        ax.set_title(title, fontsize=10)
        ax.invert_yaxis()
        fig.subplots_adjust(left=0.2, right=0.97, top=1 - 0.5 / height, bottom=0.6 / height)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def image_payload(png: bytes, filename: str) -> dict[str, str]:
    """An outbox image payload: the sender uploads it (media/upload) and sends the media_id."""
    return {"png_base64": base64.b64encode(png).decode(), "filename": filename}


def chart_payload(quarter: str, bars: list[Bar], filename: str) -> dict[str, Any]:
    """An outbox image payload drawn at send time: the tick only stores the numbers."""
    return {
        "render": RENDERER,
        "filename": filename,
        "args": {
            "quarter": quarter,
            "bars": [
                [
                    b.label,
                    None if b.share is None else str(b.share),
                    None if b.floor is None else str(b.floor),
                ]
                for b in bars
            ],
        },
    }


def render(args: dict[str, Any]) -> bytes:
    """Draw the chart a payload's `args` describe (registered in `reminders.catalog`)."""
    bars = [
        Bar(
            label,
            None if share is None else Decimal(share),
            None if floor is None else Decimal(floor),
        )
        for label, share, floor in args["bars"]
    ]
    return labour_share_png(str(args.get("quarter") or args.get("title", "")), bars)
