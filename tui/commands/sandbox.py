"""``wix-sending sandbox`` and ``demo``: serve the simulated Wix backend in the foreground."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def run_sandbox(
    *,
    host: str,
    port: int,
    scenario: str,
    time_scale: float,
    initializing_seconds: float,
    demo: bool = False,
) -> int:
    """Serve the sandbox in the foreground until Ctrl-C (SIGINT) or SIGTERM."""
    from tui.sandbox import SCENARIOS, SandboxServer
    from tui.sandbox.banner import banner

    if scenario not in SCENARIOS:
        names = ", ".join(sorted(SCENARIOS))
        error(f"unknown scenario {scenario!r}; choose one of: {names}")
        return EXIT_USAGE
    options = {
        "scenario": scenario,
        "host": host,
        "time_scale": time_scale,
        "initializing_seconds": initializing_seconds,
    }
    try:
        server = SandboxServer(port=port, **options)  # type: ignore[arg-type]
    except OSError as exc:
        if not demo or port == 0:
            error(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}. "
                "Pick another port with --port (0 picks a free one)."
            )
            return EXIT_FAILURE
        server = SandboxServer(port=0, **options)  # type: ignore[arg-type]
    server.serve_forever(ready=lambda s: print(banner(s, demo=demo), flush=True))
    print("Sandbox stopped.", flush=True)
    return EXIT_OK


def error(message: str) -> None:
    print(f"wix-sending: {message}", file=sys.stderr)
