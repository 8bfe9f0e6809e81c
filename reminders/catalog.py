"""What the reminders package offers the composition root (`bot/wiring.py`): the rules of
SPEC §6, listed module by module, and the renderers that draw files when they are sent.

A new rule module is added here, explicitly; nothing registers itself at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reminders import (
    calendar_coverage,
    chart,
    complaints,
    escalation,
    notice_end,
    quarterly,
    stale,
    wages_due,
    wages_overdue,
)
from reminders.engine import Rule, rules_of

RULES: Mapping[str, Rule] = rules_of(
    wages_due,
    wages_overdue,
    escalation,
    quarterly,
    stale,
    complaints,
    calendar_coverage,
    notice_end,
)

# A payload may name a renderer instead of carrying bytes ({"render": name, "args": {...}}).
RENDERERS: Mapping[str, Callable[[dict[str, Any]], bytes]] = {
    chart.RENDERER: chart.render,
}
