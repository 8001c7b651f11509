"""``wix-sending sandbox``: serve the simulated Wix backend in the foreground.

The serving lives in the sandbox itself (:mod:`tui.sandbox.run`), so ``python -m tui.sandbox``
runs the same code without importing the CLI, which the sandbox must stay independent of.
"""

from __future__ import annotations

from tui.sandbox.run import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, error, run_sandbox

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "error", "run_sandbox"]
