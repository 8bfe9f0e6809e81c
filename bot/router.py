"""Routers of small handlers, declared with the trigger words and help text that select them.

Each `handlers/<capability>.py` owns a `Router`; `bot.wiring.build_router()` includes them all.
A text message goes to the command whose name (or alias) is the longest prefix of the text,
followed by a blank, a colon, a newline or the end; anything else goes to the fallback
(policy questions). Files and events go to the handlers registered for them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.context import HandlerContext, Incoming, Reply
from bot.errors import UserError
from bot.text import normalize

if TYPE_CHECKING:
    from models import Role

Handler = Callable[[Incoming, HandlerContext], Reply]

_BOUNDARY = frozenset(" \t\r\n：:，,")
# Sentence endings after a bare command ("查工资？"); NFKC has made the full-width ones half-width.
_TRAILING = " \t\r\n?!.。~～…"
_LONGEST_SPACED = 12  # "查 工资" is tried without spaces only for short texts


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    handler: Handler
    help: str
    example: str
    roles: frozenset[Role] | None
    hidden: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Router:
    """A set of commands, event handlers, file handlers and an optional fallback."""

    name: str
    commands: list[Command] = field(default_factory=list)
    events: dict[str, Handler] = field(default_factory=dict)
    # One file handler and one fallback at most: a second one would never be called.
    file_handler: tuple[Handler, frozenset[Role] | None] | None = None
    fallback_handler: Handler | None = None
    _index: list[tuple[str, Command]] | None = field(default=None, repr=False)
    # first character -> (name, command), longest first: a text is tried only against the
    # names it could start with (a hundred startswith() per message before)
    _by_first: dict[str, list[tuple[str, Command]]] | None = field(default=None, repr=False)

    # -- registration -------------------------------------------------------------------
    def command(
        self,
        name: str,
        *,
        aliases: Collection[str] = (),
        help: str,
        example: str = "",
        roles: Collection[Role] | None = None,
        hidden: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Register a text command. `roles` limits who may call it (None: everybody)."""

        def decorate(fn: Handler) -> Handler:
            self.commands.append(
                Command(
                    name=name,
                    aliases=tuple(aliases),
                    handler=fn,
                    help=help,
                    example=example,
                    roles=frozenset(roles) if roles is not None else None,
                    hidden=hidden,
                )
            )
            self._index = self._by_first = None
            return fn

        return decorate

    def event(self, *names: str) -> Callable[[Handler], Handler]:
        """Register a handler for WeCom events (`template_card_event`, `enter_agent` …)."""

        def decorate(fn: Handler) -> Handler:
            for n in names:
                self.events[n.lower()] = fn
            return fn

        return decorate

    def file(self, *, roles: Collection[Role] | None = None) -> Callable[[Handler], Handler]:
        """Register a handler for file messages."""

        def decorate(fn: Handler) -> Handler:
            self._set_file((fn, frozenset(roles) if roles is not None else None))
            return fn

        return decorate

    def fallback(self) -> Callable[[Handler], Handler]:
        """Register the handler for text that is no command."""

        def decorate(fn: Handler) -> Handler:
            self._set_fallback(fn)
            return fn

        return decorate

    def include(self, other: Router) -> None:
        self.commands.extend(other.commands)
        self.events.update(other.events)
        if other.file_handler is not None:
            self._set_file(other.file_handler)
        if other.fallback_handler is not None:
            self._set_fallback(other.fallback_handler)
        self._index = self._by_first = None

    def _set_file(self, entry: tuple[Handler, frozenset[Role] | None]) -> None:
        if self.file_handler is not None and self.file_handler != entry:
            raise ValueError(f"router {self.name!r} already has a file handler")
        self.file_handler = entry

    def _set_fallback(self, fn: Handler) -> None:
        if self.fallback_handler is not None and self.fallback_handler is not fn:
            raise ValueError(f"router {self.name!r} already has a fallback")
        self.fallback_handler = fn

    # -- lookup -------------------------------------------------------------------------
    def _names(self) -> list[tuple[str, Command]]:
        if self._index is None:
            pairs = [(n, c) for c in self.commands for n in c.names]
            self._index = sorted(pairs, key=lambda p: -len(p[0]))
        return self._index

    def _starting_with(self, char: str) -> list[tuple[str, Command]]:
        if self._by_first is None:
            by_first: dict[str, list[tuple[str, Command]]] = {}
            for name, cmd in self._names():  # longest first, kept in each list
                by_first.setdefault(name[0], []).append((name, cmd))
            self._by_first = by_first
        return self._by_first.get(char, [])

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command a text starts with, and the rest of the text (its arguments).

        People type "查工资？", "查工资。" or "查 工资": a command alone followed by sentence
        punctuation, or spelled with spaces, is still that command (with no arguments).
        """
        head = normalize(text)
        if not head:
            return None
        for name, cmd in self._starting_with(head[0]):
            if not head.startswith(name):
                continue
            rest = head[len(name) :]
            if not rest.strip(_TRAILING):
                return cmd, ""
            if rest[0] in _BOUNDARY:
                return cmd, rest.lstrip(" \t：:，,")
        squeezed = "".join(head.split()).rstrip(_TRAILING)
        if squeezed and squeezed != head and len(squeezed) <= _LONGEST_SPACED:
            for name, cmd in self._starting_with(squeezed[0]):
                if squeezed == name:
                    return cmd, ""
        return None

    def find(self, name: str) -> Command | None:
        for n, cmd in self._names():
            if n == name:
                return cmd
        return None

    def visible_commands(self) -> list[Command]:
        return [c for c in self.commands if not c.hidden]

    # -- dispatch -----------------------------------------------------------------------
    def dispatch(self, msg: Incoming, ctx: HandlerContext) -> Reply:
        """Call the handler a message selects. UserError propagates to the dispatcher."""
        if msg.kind == "event":
            event_handler = self.events.get(msg.event.lower())
            return event_handler(msg, ctx) if event_handler else Reply.empty()
        if msg.kind == "file":
            if self.file_handler is not None:
                fn, roles = self.file_handler
                _check_role(roles, ctx, "发送文件导入台账")
                return fn(msg, ctx)
            return Reply("暂不支持文件消息。发送“帮助”查看可用命令。")
        if msg.kind != "text":
            return Reply("暂时只能处理文字和文件消息。发送“帮助”查看可用命令。")
        found = self.match(msg.text)
        if found is not None:
            cmd, args = found
            _check_role(cmd.roles, ctx, cmd.name)
            ctx.command, ctx.args = cmd.name, args
            return cmd.handler(msg, ctx)
        if self.fallback_handler is not None:
            return self.fallback_handler(msg, ctx)
        return Reply("没有听懂。发送“帮助”查看可用命令。")


def _check_role(roles: frozenset[Role] | None, ctx: HandlerContext, what: str) -> None:
    if roles is not None and ctx.user.role not in roles:
        who = "、".join(_ROLE_NAMES[r] for r in sorted(roles, key=list(_ROLE_NAMES).index))
        raise UserError(
            f"没有权限：“{what}”仅限{who}使用。如需开通，请联系县级发展改革部门管理员。"
        )


# Keyed by Role's values (a StrEnum), so that routing needs no ORM import.
_ROLE_NAMES = {
    "admin": "管理员",
    "liaison": "项目联系人",
    "worker": "已绑定的务工人员",
    "guest": "访客",
}
