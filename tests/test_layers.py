"""The layering rules of DESIGN.md ("Arrows only go down"), enforced.

The rules are import-linter contracts in ``pyproject.toml`` (``[tool.importlinter]``). Here:

- import-linter keeps every contract on the real tree;
- each contract is shown to fail: a violation is planted in a copy of the package and
  import-linter must report exactly that contract BROKEN and the others KEPT. A contract without
  a planted violation fails a test, so no contract can be one that never fails;
- the core imports without Textual in a fresh interpreter, and ``tui.flow`` without any I/O
  library: the runtime side of the contracts (import-linter does not see that importing
  ``tui.wix.models`` runs ``tui/wix/__init__.py``, an interpreter does).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"

# import-linter has no ``python -m`` entry; this runs the ``lint-imports`` command with the
# interpreter running the tests, whatever is on PATH.
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)


def _contracts() -> dict[str, str]:
    """Contract id -> name, as in pyproject.toml."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {contract["id"]: contract["name"] for contract in config["contracts"]}


CONTRACTS = _contracts()


@dataclass(frozen=True)
class Plant:
    """A violation of one contract: lines appended to modules, and new modules if needed.

    Each plant breaks its own contract and no other, so a test can tell them apart."""

    append: dict[str, str]
    evidence: str  # the planted import, as the report must show it
    create: dict[str, str] = field(default_factory=dict)


PLANTS: dict[str, Plant] = {
    # Not in tui/flow, nor in a module tui.flow imports (tui.store.state): that would break
    # flow-is-pure as well.
    "textual-only-in-ui": Plant(
        append={"tui/store/state_store.py": "import textual"},
        evidence="tui.store.state_store -> textual",
    ),
    # Every real UI module imports Textual, which would break textual-only-in-ui too; a UI
    # module that imports nothing breaks only this rule.
    "core-never-imports-ui": Plant(
        create={"tui/widgets/planted.py": '"""A UI module that imports nothing."""\n'},
        append={"tui/store/state.py": "import tui.widgets.planted"},
        evidence="tui.store.state -> tui.widgets.planted",
    ),
    "flow-is-pure": Plant(
        append={"tui/flow/schedule.py": "import httpx"}, evidence="tui.flow.schedule -> httpx"
    ),
    "sandbox-is-independent": Plant(
        append={"tui/sandbox/seed.py": "from tui.wix import errors"},
        evidence="tui.sandbox.seed -> tui.wix.errors",
    ),
    "client-and-engine-independent": Plant(
        append={"tui/wix/models.py": "import tui.propagation.model"},
        evidence="tui.wix.models -> tui.propagation.model",
    ),
}


@dataclass(frozen=True)
class LintResult:
    returncode: int
    output: str
    status: dict[str, str]  # contract id -> "KEPT" or "BROKEN"


def lint_imports(where: Path) -> LintResult:
    """Run import-linter on the package under ``where`` with its pyproject.toml."""
    env = {
        **os.environ,
        "PYTHONPATH": str(where),
        "COLUMNS": "1000",  # one line per contract in the summary, however long its name
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    status: dict[str, str] = {}
    for contract_id, name in CONTRACTS.items():
        found = re.findall(rf"^{re.escape(name)} (KEPT|BROKEN)$", output, flags=re.MULTILINE)
        assert len(found) == 1, f"no single summary line for {name!r} in:\n{output}"
        status[contract_id] = found[0]
    return LintResult(result.returncode, output, status)


def test_every_contract_is_kept_on_the_real_tree() -> None:
    result = lint_imports(ROOT)
    assert result.status == dict.fromkeys(CONTRACTS, "KEPT"), result.output
    assert result.returncode == 0, result.output


def test_every_contract_has_a_planted_violation() -> None:
    assert sorted(PLANTS) == sorted(CONTRACTS)


def _copy_package(destination: Path) -> None:
    shutil.copytree(ROOT / "tui", destination / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(PYPROJECT, destination / "pyproject.toml")


@pytest.mark.parametrize("contract_id", sorted(CONTRACTS))
def test_a_planted_violation_breaks_exactly_its_contract(contract_id: str, tmp_path: Path) -> None:
    if contract_id not in PLANTS:
        pytest.fail(f"contract {contract_id!r} has no planted violation in PLANTS")
    plant = PLANTS[contract_id]
    _copy_package(tmp_path)
    for relative, text in plant.create.items():
        target = tmp_path / relative
        assert not target.exists(), f"{relative} would be overwritten"
        target.write_text(text, encoding="utf-8")
    for relative, line in plant.append.items():
        target = tmp_path / relative
        source = target.read_text(encoding="utf-8")
        assert line not in source, f"{relative} already has {line!r}"
        target.write_text(f"{source.rstrip()}\n{line}\n", encoding="utf-8")

    result = lint_imports(tmp_path)

    expected = {c: "BROKEN" if c == contract_id else "KEPT" for c in CONTRACTS}
    assert result.status == expected, result.output
    assert result.returncode != 0, result.output
    # The report shows the planted import: it analysed the copy, not the real tree.
    assert plant.evidence in result.output, result.output


NO_TEXTUAL = [
    "tui.wix",
    "tui.clock",
    "tui.secret",
    "tui.sandbox",
    "tui.propagation",
    "tui.flow",
    "tui.store.state",
    "tui.notify",
    "tui.commands.doctor",
]


def _loaded_after_import(
    modules: list[str], roots: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    """Import ``modules`` in a fresh interpreter (the worktree's ``tui``); exit 1 and print which
    modules of ``roots`` got loaded, if any."""
    code = (
        f"import sys, tui; import {', '.join(modules)}; "
        f"assert tui.__file__.startswith({str(ROOT / 'tui')!r}), tui.__file__; "
        f"roots = {roots!r}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in roots); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("module", NO_TEXTUAL)
def test_core_imports_without_textual(module: str) -> None:
    result = _loaded_after_import([module], ("textual",))
    assert result.returncode == 0, result.stdout + result.stderr


def test_flow_imports_no_io_library_at_runtime() -> None:
    flow = sorted(
        "tui.flow." + path.stem
        for path in (ROOT / "tui" / "flow").glob("*.py")
        if path.stem != "__init__"
    )
    assert flow, "no flow modules found"
    io = ("httpx", "dns", "keyring", "textual", "uvicorn", "starlette")
    result = _loaded_after_import(["tui.flow", *flow], io)
    assert result.returncode == 0, result.stdout + result.stderr
