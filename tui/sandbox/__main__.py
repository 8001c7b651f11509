"""``python -m tui.sandbox``: the same as ``wix-sending sandbox``."""

from __future__ import annotations

import sys

from tui.cli import main

if __name__ == "__main__":
    sys.exit(main(["sandbox", *sys.argv[1:]]))
