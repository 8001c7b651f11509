"""The packages' faces stay cheap: ``import tui.propagation`` (the data model, names, how a cell
reads, the JSON report) and ``import tui.wix`` (models, errors, auth, retries) load none of
the heavy stacks. The engine and the client are imported from their own modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("httpx", "dns", "textual", "keyring")


def loaded_after(code: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` in a fresh
    interpreter (this one has long imported them all)."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("package", ["tui.propagation", "tui.wix"])
def test_the_face_loads_no_heavy_stack(package: str) -> None:
    # Every name the face exports, so a lazy attribute could not hide an import either.
    code = f"import {package} as face\nfor name in face.__all__: getattr(face, name)"
    assert loaded_after(code) == []


def test_the_probe_does_see_a_heavy_import() -> None:
    # The engine and the client are where the stacks load: the check above can fail.
    assert loaded_after("import tui.propagation.sweep, tui.wix.client") == ["dns", "httpx"]


def test_time_words_are_light() -> None:
    assert loaded_after("import tui.time_words") == []
