"""The labour-share chart admins receive with the quarterly summary."""

from __future__ import annotations

from decimal import Decimal

from reminders.chart import Bar, chart_text, labour_share_png


def test_labels_are_chinese_when_a_cjk_font_can_draw_them() -> None:
    title, xlabel = chart_text("2026Q4", chinese=True)
    assert title == "2026Q4 劳务报酬占比"
    assert "财政资金" in xlabel and "最低要求" in xlabel
    assert "labour" in chart_text("2026Q4", chinese=False)[0]  # no boxes without a CJK font


def test_chart_is_a_png() -> None:
    png = labour_share_png(
        "2026Q4",
        [Bar("NT-1", Decimal("0.12"), Decimal("0.15")), Bar("ZT-2", None, None)],
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
