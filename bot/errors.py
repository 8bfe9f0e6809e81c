"""Errors that carry a Chinese message for the user; the router turns them into replies."""

from __future__ import annotations


class UserError(Exception):
    """A refusal the user should read: bad input, no permission, unknown project …

    Raised anywhere below a handler; the dispatcher rolls back the message's writes and
    replies with `message`.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
