"""``python -m tui.sandbox``: the same as ``wix-sending sandbox``, through the sandbox's own code.

It does not go through ``tui.cli``: the sandbox never imports the app's layers (DESIGN.md).
"""

from __future__ import annotations

import sys

from tui.sandbox.run import main

if __name__ == "__main__":
    sys.exit(main())
