"""Conversation capabilities, one module each, each with a `router`; `bot/wiring.py` lists them."""
