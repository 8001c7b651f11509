"""``python -m tui.sandbox`` runs through the sandbox's own code (``tui.sandbox.run``), not the
app's CLI, and takes the same options as ``wix-sending sandbox`` with the same checks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui import cli
from tui.sandbox import run

ROOT = Path(__file__).resolve().parents[2]


def _cli_sandbox(argv: list[str]) -> dict[str, object]:
    values = vars(cli.build_parser().parse_args(["sandbox", *argv]))
    assert values.pop("command") == "sandbox"
    # The app's own --wix-base-url (before the command) is no sandbox option.
    assert values.pop("app_base_url") is None
    return values


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--port", "0", "--scenario", "midway"],
        ["--host", "::1", "--port", "9000", "--time-scale", "60"],
        ["--initializing-seconds", "0", "--time-scale", "0.001"],
        ["--initializing-seconds", "31536000", "--time-scale", "1e6"],
    ],
)
def test_same_options_and_defaults_as_the_cli(argv: list[str]) -> None:
    assert vars(run.build_parser().parse_args(argv)) == _cli_sandbox(argv)


def test_the_same_option_names_as_the_cli() -> None:
    def options(parser: argparse.ArgumentParser) -> set[str]:
        return {name for action in parser._actions for name in action.option_strings}

    subcommands = next(
        a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    assert options(run.build_parser()) == options(subcommands.choices["sandbox"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "outside 0-65535"),
        (["--port", "http"], "not a port number"),
        (["--time-scale", "0"], "must be from 0.001 to 1e+06"),
        (["--time-scale", "nan"], "not a finite number"),
        (["--initializing-seconds", "-1"], "must be from 0 to"),
        (["--initializing-seconds", "1e9"], "must be from 0 to"),
    ],
)
def test_bad_options_are_refused_like_the_cli(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for parse in (run.build_parser().parse_args, _cli_sandbox):
        with pytest.raises(SystemExit) as exit_info:
            parse(argv)
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


def test_python_m_tui_sandbox_refuses_an_unknown_scenario() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui.sandbox", "--scenario", "nope", "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert "unknown scenario 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_m_tui_sandbox_does_not_load_the_cli_or_the_app() -> None:
    code = textwrap.dedent(
        """
        import runpy, sys
        sys.argv = ["tui.sandbox", "--scenario", "nope"]
        try:
            runpy.run_module("tui.sandbox", run_name="__main__")
        except SystemExit as exit:
            code = exit.code
        above = ("tui.cli", "tui.app", "tui.commands", "tui.wix", "tui.propagation", "textual")
        bad = sorted(m for m in sys.modules if m.startswith(above))
        print(code, bad)
        sys.exit(0 if code == 2 and not bad else 1)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
