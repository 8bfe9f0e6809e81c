"""The three ledgers and projects by chat: one module per command family."""
