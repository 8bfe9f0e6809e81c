"""The rules of the domain, below every channel: who may do what, ledger writes and figures,
finding workers, and the value forms (dates, amounts, ID numbers) every channel reads.

Chat handlers, file imports, reminders and the CLI all call these; nothing here imports
`handlers` or `reminders` (see the import contract in pyproject.toml).
"""
