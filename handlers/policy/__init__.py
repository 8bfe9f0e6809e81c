"""Policy questions (SPEC §5): text that is no command is answered from the policy's clauses.

The router and its replies live in handlers/policy/chat.py and load on first use of a name
here (`policy.router`), so the engine (loader, matcher, kb) imports without the bot, the
database and the web stack: `yigong ask` and a cold worker answer sooner.
"""

from __future__ import annotations

from typing import Any

# the names of chat.py that callers reach through the package
_CHAT = frozenset({"router", "show_clause", "answer_question", "full_text"})


def __getattr__(name: str) -> Any:
    if name not in _CHAT:  # a submodule not imported yet: let the import system find it
        raise AttributeError(name)
    from handlers.policy import chat

    return getattr(chat, name)
