"""The import contract of docs/ARCHITECTURE.md, checked on every test run (and so in CI).

- import-linter (config in pyproject.toml): handlers > reminders > domain > bot > models;
  only the composition root (bot/wiring.py) reaches up from bot/;
- no module is imported by its name in a string outside the composition root, where a
  reader (and import-linter) could not see the dependency.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "domain", "handlers", "models", "reminders", "web")
# The composition root: the modules that may name every package (bot/cli.py loads the CLI
# modules by name so that `yigong ask` starts without loading the rest).
COMPOSITION_ROOT = {"bot/wiring.py", "bot/cli.py"}
# Strings that name project modules for another reason than importing code.
ALLOWED = {
    ("bot/cli_core.py", "bot.app:app_from_env"),  # uvicorn's factory, imported by each worker
    ("handlers/policy/dictionary.py", "handlers.policy"),  # package data, not code
}
# A dotted name in one of our packages (`reminders.chart`, `bot.app:app_from_env`).
MODULE_NAME = re.compile(rf"^(?:{'|'.join(PACKAGES)})(?:\.\w+)+(?::\w+)?$")
IMPORT_CALLS = {"import_module", "__import__", "find_spec", "import_string"}


def test_layers_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def _string_imports(path: Path, rel: str) -> list[str]:
    own = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in IMPORT_CALLS:
                found.append(f"{rel}:{node.lineno} calls {name}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and MODULE_NAME.match(node.value)
            and (rel, node.value) not in ALLOWED
            and not node.value.startswith(own + ".")  # its own classes (logging's dictConfig)
        ):
            found.append(f"{rel}:{node.lineno} names {node.value!r}")
    return found


def test_no_string_imports_outside_the_composition_root() -> None:
    found = [
        hit
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in COMPOSITION_ROOT
        for hit in _string_imports(path, path.relative_to(ROOT).as_posix())
    ]
    assert found == [], "\n".join(found)


def test_the_checker_sees_a_string_import(tmp_path: Path) -> None:
    # The scan above must be able to fail: a planted registry-by-name is caught.
    planted = tmp_path / "planted.py"
    planted.write_text(
        'import importlib\nMODULES = ["reminders.chart"]\nimportlib.import_module(MODULES[0])\n',
        encoding="utf-8",
    )
    hits = _string_imports(planted, "reminders/planted.py")
    assert any("import_module" in h for h in hits) and any("reminders.chart" in h for h in hits)
