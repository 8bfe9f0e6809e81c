"""Proactive reminders (SPEC §6): pure rules that say which messages are owed, and their runner."""
