"""The layering rules of DESIGN.md, enforced.

- The core (wix, propagation, flow, store, clock) never imports Textual, so the headless CLI
  reuses it; checked both statically and by importing in a fresh interpreter.
- The sandbox never imports the client or the propagation code: it is an independent
  implementation, so contract tests catch disagreements instead of hiding them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tui"
UI_PLACES = ("app.py", "screens", "widgets")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
    return found


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def test_textual_only_in_the_ui_layer() -> None:
    offenders = []
    for path in _modules(PACKAGE):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in UI_PLACES:
            continue
        if any(m == "textual" or m.startswith("textual.") for m in _imports(path)):
            offenders.append(str(relative))
    assert offenders == []


def test_sandbox_is_independent_of_client_and_propagation() -> None:
    offenders = []
    for path in _modules(PACKAGE / "sandbox"):
        for module in _imports(path):
            if module.startswith(("tui.wix", "tui.propagation")):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


@pytest.mark.parametrize("module", ["tui.wix", "tui.clock", "tui.secret", "tui.sandbox"])
def test_core_imports_without_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
