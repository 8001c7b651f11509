"""Where the real DNS software is not installed, the suite skips, saying what is missing,
instead of failing: it must run (skipped) on any machine, and fully where .ci/run installed it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve()

# The suite's own search for the programs goes through shutil.which: here it finds nothing,
# as on a machine without the packages (sbin included, which a PATH change would not hide).
HIDDEN = """
import shutil, sys
shutil.which = lambda *args, **kwargs: None
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_the_suite_skips_naming_what_is_missing() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            HIDDEN,
            str(HERE.parent),
            f"--ignore={HERE}",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout + done.stderr
    # Every module skipped at import: nothing was collected, which is pytest's exit code 5 when
    # run alone (in the whole suite the other tests run and the code is theirs).
    assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, out
    assert "passed" not in out and "failed" not in out and "error" not in out.lower(), out
    assert "real DNS software not installed" in out
    for name in ("nsd", "unbound", "named", "rndc", "bind9"):
        assert name in out
    modules = sorted(p.name for p in HERE.parent.glob("test_*.py") if p != HERE)
    assert f"{len(modules)} skipped" in out, out
