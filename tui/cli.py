"""The ``wix-sending`` command: argument parsing and dispatch to the subcommands.

Heavy imports (Textual, uvicorn) happen inside the subcommand that needs them, so ``--help`` and
``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from tui import __version__
from tui.options import (
    add_fault_preset,
    add_sandbox_options,
    add_scenario,
    bounded,
    time_scale,
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

DEMO_TIME_SCALE = 60.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wix-sending",
        description=(
            "Take a Wix site from 'no sender' to 'email goes out from my own domain': sender "
            "emails, verification codes, sender details, sending domains, DNS records, live "
            "propagation and authentication."
        ),
        epilog="Run 'wix-sending demo' to try it with no Wix account.",
    )
    parser.add_argument("--version", action="version", version=f"wix-sending {__version__}")
    # Its own dest: a subcommand's --wix-base-url default must not erase the one given here.
    _add_base_url(parser, dest="app_base_url")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="try the app against the built-in sandbox (no Wix account needed)",
        description=(
            "Open the app against the simulated Wix backend and DNS world, started in this "
            "process on loopback, signed in to the scenario's site. Nothing of yours is read "
            "or stored."
        ),
    )
    add_scenario(demo)
    demo.add_argument(
        "--time-scale",
        type=time_scale,
        default=DEMO_TIME_SCALE,
        metavar="X",
        help="world seconds per real second (default %(default)g: an hour of Wix and DNS "
        "time in a minute)",
    )
    add_fault_preset(demo)

    sandbox = commands.add_parser(
        "sandbox",
        help="serve the simulated Wix API on loopback",
        description=(
            "Serve the simulated Wix API in the foreground and print its base URL and demo "
            "credentials. Ctrl-C stops it."
        ),
    )
    add_sandbox_options(sandbox)
    _add_watch(commands)
    _add_doctor(commands)
    _add_account(commands)
    return parser


BASE_URL_HELP = (
    "the Wix-compatible API to talk to, e.g. the sandbox's http://127.0.0.1:8765 (plain "
    "http only on loopback). Default: $WIX_BASE_URL, else the profile's, else "
    "https://www.wixapis.com"
)
UNLOCK_HELP = (
    "read the encrypted secrets file's passphrase from this file (its first line), for "
    "scripts; or set WIX_SENDING_PASSPHRASE. Without either, it is asked at the terminal"
)


def _add_base_url(parser: argparse.ArgumentParser, dest: str = "wix_base_url") -> None:
    parser.add_argument("--wix-base-url", dest=dest, metavar="URL", help=BASE_URL_HELP)


def _add_passphrase_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="PATH", help=UNLOCK_HELP)


def _add_notify(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "notifications",
        "A word when something happens, on top of the config's [notify] table (all off by "
        "default). The webhook gets the event as JSON (POST); the command reads it on stdin.",
    )
    group.add_argument("--bell", action="store_true", help="ring the terminal's bell")
    group.add_argument(
        "--desktop-notify",
        action="store_true",
        help="a desktop notification through the terminal (OSC 9 and OSC 777; works over SSH "
        "in terminals that support them)",
    )
    group.add_argument(
        "--webhook",
        metavar="URL",
        help="POST each event as JSON to this URL (one holding a token is better in the "
        "config file: arguments show in ps)",
    )
    group.add_argument(
        "--notify-command",
        metavar="CMD",
        help="run CMD (split like a shell, run without one) with each event as JSON on stdin",
    )


def _add_resolver_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resolver",
        action="append",
        default=[],
        metavar="[NAME=]ADDR[:PORT]",
        help="ask this resolver instead of the built-in list (repeatable)",
    )
    parser.add_argument(
        "--authoritative",
        action="append",
        default=[],
        metavar="ADDR[:PORT]",
        help="use this server as the zone's authoritative server (repeatable; private zones)",
    )


def _add_dns_timing(parser: argparse.ArgumentParser) -> None:
    """How long a DNS question may take, and the clock the countdowns run on (watch, doctor)."""
    parser.add_argument(
        "--timeout",
        type=bounded(0.1, 30),
        default=None,
        metavar="S",
        help="seconds per DNS question (default: the config's, else 2)",
    )
    parser.add_argument(
        "--time-scale",
        type=time_scale,
        default=1.0,
        metavar="X",
        help="count down X times faster, to match 'wix-sending sandbox --time-scale X'",
    )


def _add_doctor(commands: argparse._SubParsersAction) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="run the troubleshooting checks and print what is wrong and how to fix it",
        description=(
            "Check the site the way the app's Doctor does: sender details, the account, each "
            "sending domain, its DNS records where receivers look, and the retry schedule. "
            "Only reads (nothing is written to Wix or to the state file). The first line "
            "names the cause. Exit code 0 healthy, 1 a warning or an error, 2 the checks "
            "could not run."
        ),
        epilog="Example (cron): wix-sending doctor --json > /tmp/doctor.json || mail ...",
    )
    doctor.add_argument("--domain", help="check only this sending domain")
    doctor.add_argument("--profile", help="the saved profile to use (default: the current one)")
    doctor.add_argument("--json", action="store_true", help="print JSON (JSON Lines with --watch)")
    doctor.add_argument(
        "--watch",
        type=bounded(10, 86400),
        default=None,
        metavar="N",
        help="check again every N seconds until Ctrl-C, announcing new problems",
    )
    _add_resolver_options(doctor)
    _add_dns_timing(doctor)
    _add_base_url(doctor)
    _add_passphrase_file(doctor)
    _add_notify(doctor)


def _add_account(commands: argparse._SubParsersAction) -> None:
    login = commands.add_parser(
        "login",
        help="store the API key of a Wix site (asked for, never given as an argument)",
        description=(
            "Create or update a profile: its site ID and API key. The key is checked with one "
            "API call, then stored in the OS keyring (or, where none works, an encrypted file)."
        ),
    )
    login.add_argument("--profile", default="default", help="profile name (default: default)")
    login.add_argument("--site-id", help="the site's ID (asked for when missing)")
    login.add_argument(
        "--storage",
        choices=["keyring", "encrypted-file"],
        help="where the key goes (default: the OS keyring when it works)",
    )
    login.add_argument(
        "--api-key-stdin", action="store_true", help="read the key from stdin instead of asking"
    )
    _add_base_url(login)
    _add_passphrase_file(login)
    logout = commands.add_parser("logout", help="delete a profile and its stored key")
    logout.add_argument("--profile", help="which profile (default: the current one)")
    _add_passphrase_file(logout)
    profiles = commands.add_parser("profiles", help="list the stored profiles")
    profiles.add_argument("--json", action="store_true", help="print JSON")
    paths = commands.add_parser(
        "paths", help="where the config, state, log and secrets files are, and the keyring used"
    )
    paths.add_argument("--json", action="store_true", help="print JSON")


def _add_watch(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser(
        "watch",
        help="live DNS propagation of any CNAMEs (no Wix account needed)",
        description=(
            "Check where each record is visible (the zone's authoritative servers first, then "
            "public resolvers), why it is not yet, and when it will be. Exit code 0 when every "
            "record is ok at every resolver that answered, 1 when not yet, 2 on an error."
        ),
        epilog="Example: wix-sending watch s1._domainkey.example.com=s1.dkim.esp.example --once",
    )
    watch.add_argument("records", nargs="*", metavar="HOST=TARGET", help="a CNAME to watch")
    watch.add_argument(
        "--domain",
        help="take the records from this Wix sending domain (with WIX_API_KEY and WIX_SITE_ID, "
        "else the saved profile)",
    )
    watch.add_argument(
        "--profile", help="with --domain: the saved profile to use (default: the current one)"
    )
    _add_resolver_options(watch)
    watch.add_argument("--once", action="store_true", help="check once and exit")
    watch.add_argument("--json", action="store_true", help="print JSON instead of a table")
    watch.add_argument(
        "--interval",
        type=bounded(1, 86400),
        default=None,
        metavar="S",
        help="seconds between checks (default: the config's, else 30)",
    )
    _add_dns_timing(watch)
    watch.add_argument(
        "--check-anyway",
        action="store_true",
        help="ask public resolvers even before the authoritative servers serve the records "
        "(each 'does not exist' they cache delays them)",
    )
    watch.add_argument(
        "--added",
        action="store_true",
        help="you have added the records at your DNS host: if the zone's servers still do not "
        "have them, say which DNS host does serve the zone",
    )
    _add_base_url(watch)
    _add_passphrase_file(watch)
    _add_notify(watch)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:
        # Ctrl-C, in any command and at any prompt: no traceback, the shell's code for it.
        print("\nwix-sending: interrupted", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (| head): nothing more can be said on stdout.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # --wix-base-url before the command counts for it too: `wix-sending --wix-base-url U login`.
    if args.app_base_url is not None and not hasattr(args, "wix_base_url") and args.command:
        parser.error(
            f"--wix-base-url does not apply to '{args.command}': only to the app (no command), "
            "login, watch and doctor"
        )
    base_url = getattr(args, "wix_base_url", None) or args.app_base_url
    if args.command == "sandbox":
        from tui.commands.sandbox import run_sandbox

        return run_sandbox(
            host=args.host,
            port=args.port,
            scenario=args.scenario,
            time_scale=args.time_scale,
            initializing_seconds=args.initializing_seconds,
        )
    if args.command == "demo":
        from tui.launch import run_demo

        return run_demo(scenario=args.scenario, time_scale=args.time_scale, faults=args.faults)
    if args.command in ("login", "logout", "profiles", "paths"):
        from tui.commands import account

        if args.command == "login":
            return account.run_login(
                account.LoginOptions(
                    profile=args.profile,
                    site_id=args.site_id,
                    storage=args.storage,
                    api_key_stdin=args.api_key_stdin,
                    base_url=base_url,
                    passphrase_file=args.passphrase_file,
                )
            )
        if args.command == "logout":
            return account.run_logout(args.profile, passphrase_file=args.passphrase_file)
        if args.command == "profiles":
            return account.run_profiles(args.json)
        return account.run_paths(args.json)
    if args.command == "watch":
        from tui.commands.watch import WatchOptions, run_watch

        return run_watch(
            WatchOptions(
                records=args.records,
                resolvers=args.resolver,
                authoritative=args.authoritative,
                domain=args.domain,
                once=args.once,
                json=args.json,
                interval=args.interval,
                timeout=args.timeout,
                check_anyway=args.check_anyway,
                wix_base_url=base_url,
                time_scale=args.time_scale,
                added=args.added,
                profile=args.profile,
                passphrase_file=args.passphrase_file,
                bell=args.bell,
                desktop_notify=args.desktop_notify,
                webhook=args.webhook,
                notify_command=args.notify_command,
            )
        )
    if args.command == "doctor":
        from tui.commands.doctor import DoctorOptions, run_doctor

        return run_doctor(
            DoctorOptions(
                domain=args.domain,
                json=args.json,
                profile=args.profile,
                wix_base_url=base_url,
                passphrase_file=args.passphrase_file,
                resolvers=args.resolver,
                authoritative=args.authoritative,
                timeout=args.timeout,
                time_scale=args.time_scale,
                watch=args.watch,
                bell=args.bell,
                desktop_notify=args.desktop_notify,
                webhook=args.webhook,
                notify_command=args.notify_command,
            )
        )
    from tui.store.endpoint import BadBaseUrl, given_base_url

    try:
        given = given_base_url(base_url)
    except BadBaseUrl as exc:
        print(f"wix-sending: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from tui.launch import run_app

    return run_app(given=given)


if __name__ == "__main__":
    sys.exit(main())
