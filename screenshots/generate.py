"""Screenshots of the real app in demo mode, walking a new user's journey on the sandbox.

    .venv/bin/python screenshots/generate.py            # SVGs (and PNGs if rsvg-convert exists)
    .venv/bin/python screenshots/generate.py --only 10-doctor   # one picture

The app is wired as ``wix-sending demo`` wires it (in-process sandbox, its DNS servers, the
demo's sandbox link, signed in to the "fresh" site), and driven with Textual's Pilot like a
user at the keyboard (and, for the Doctor pane, signed in to the "agency" site, which has
problems to show). Each step saves ``screenshots/NN-name.svg``; with ``rsvg-convert``
(Debian: ``librsvg2-bin``, plus ``fonts-firacode`` for the font the SVGs ask for) a PNG of each
too. See ``screenshots/README.md`` for what each file shows.

So that regenerating gives the same files (no noise in git): the world clock stands still and
moves only where the journey says so ("an hour later"), clock times are UTC, nothing animates,
and the sandbox's authoritative DNS servers are labelled "primary"/"secondary" instead of
their random loopback ports. That harness (``screenshots/stills.py``) is shared with the snapshot
tests. The status line says "SANDBOX 60x", as the demo does.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the repo's tui and tests

from textual.containers import VerticalScroll  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input, TabbedContent  # noqa: E402

from screenshots.stills import (  # noqa: E402
    FrozenClock,
    demo_app,
    frozen_sandbox,
    sandbox_server_names,
    settle,
    steady_cursor,
    utc,
    wait_for,
)
from tui.app import WixSendingApp  # noqa: E402
from tui.sandbox import SandboxServer  # noqa: E402
from tui.screens.choice import ChoiceScreen  # noqa: E402
from tui.screens.code import CodeScreen  # noqa: E402
from tui.screens.confirm import ConfirmScreen  # noqa: E402
from tui.screens.doctor import DoctorPane  # noqa: E402
from tui.screens.domains import DomainsPane  # noqa: E402
from tui.screens.sender_details import CreateSenderDetailsScreen  # noqa: E402
from tui.screens.senders import SendersPane  # noqa: E402
from tui.widgets.fields import Note  # noqa: E402
from tui.widgets.findings import FindingList  # noqa: E402
from tui.widgets.grid import PropagationGrid, PropagationWatch  # noqa: E402
from tui.widgets.records import DomainTable  # noqa: E402

HERE = Path(__file__).resolve().parent
SIZE = (80, 24)  # what users over SSH have: the design size
WIDE = (120, 36)  # one picture of what a larger terminal adds
DEMO_SPEED = 60.0  # what `wix-sending demo` shows in the status line
ADDRESS = "hello@sunrise-bakery.example"
DOMAIN = "sunrise-bakery.example"
FROM_NAME = "Sunrise Bakery"


class Journey:
    """The app under a Pilot, the sandbox it talks to, and where the pictures go."""

    def __init__(
        self,
        pilot: Pilot[None],
        server: SandboxServer,
        out: Path,
        keep: dict[str, str] | None = None,
    ) -> None:
        self.pilot = pilot
        self.server = server
        self.out = out
        self.saved: list[Path] = []
        # Which pictures to save, under which names (None: all, as named in the journey).
        self.keep = keep

    @property
    def app(self) -> WixSendingApp:
        app = self.pilot.app
        assert isinstance(app, WixSendingApp)
        return app

    @property
    def clock(self) -> FrozenClock:
        clock = self.server.clock
        assert isinstance(clock, FrozenClock)
        return clock

    def senders(self) -> SendersPane:
        return self.app.home.query_one(SendersPane)

    def domains(self) -> DomainsPane:
        return self.app.home.query_one(DomainsPane)

    def watch(self) -> PropagationWatch:
        return self.domains().query_one(PropagationWatch)

    def note(self, selector: str) -> str:
        return str(self.app.screen.query_one(selector, Note).content)

    async def until(self, what: Callable[[], object]) -> None:
        await wait_for(self.pilot, what)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()

    async def type(self, selector: str, text: str) -> None:
        field = self.app.screen.query_one(selector, Input)
        field.focus()
        await self.pilot.pause()
        await self.pilot.press(*text)

    async def quiet(self) -> None:
        """Settled, and without the toasts shown so far."""
        await settle(self.pilot)
        self.app.clear_notifications()
        await settle(self.pilot)

    async def shot(self, name: str) -> None:
        if self.keep is not None:
            if name not in self.keep:
                return
            name = self.keep[name]
        await settle(self.pilot)
        path = self.out / f"{name}.svg"
        self.app.save_screenshot(filename=path.name, path=str(path.parent))
        self.saved.append(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    async def swept(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run ``action`` and wait for the propagation check it starts to end."""
        watch = self.watch()
        await self.until(lambda: not watch.sweeping)
        before = watch.sweeps
        await action()
        await self.until(lambda: watch.sweeps > before and not watch.sweeping)

    async def publish(self, variant: str) -> None:
        """The demo's h: publish the records at the sandbox DNS host (1 = correctly)."""

        async def choose() -> None:
            await self.press("h")
            await self.until(lambda: isinstance(self.app.screen, ChoiceScreen))
            await self.press(variant)

        await self.swept(choose)

    def show_grid(self, row: int = 0, column: int = 1) -> None:
        """The cursor on a grid cell (the line under the grid explains it), and the pane
        scrolled so the grid and what is written under it are in view."""
        grid = self.watch().query_one(PropagationGrid)
        grid.focus()
        grid.move_cursor(row=row, column=column)
        body = self.domains().query_one("#domains-body", VerticalScroll)
        body.scroll_to_widget(self.watch(), animate=False, top=True)


async def journey(j: Journey) -> None:
    app = j.app

    # 01 A fresh site: nothing set up yet, the next step says what to do.
    await j.until(lambda: app.screen is app.home and app.home.query(SendersPane))
    await j.until(lambda: "press a" in j.note("#emails-status"))
    await j.until(lambda: app.focused is j.senders().emails_table)
    await j.quiet()
    await j.shot("01-fresh")

    # 02 a: the address to send from.
    await j.press("a")
    await j.type("#new-email", ADDRESS)
    await j.shot("02-add-sender")

    # 03 Enter adds it; v has Wix email a code; the demo shows the sandbox mailbox's code in the
    # code screen itself.
    await j.press("enter")
    await j.until(lambda: "1 address" in j.note("#emails-status"))
    await j.quiet()
    await j.press("v")
    await j.until(lambda: isinstance(app.screen, CodeScreen))
    await j.until(lambda: "latest code sent is" in j.note("#code-mailbox"))
    sandbox = j.app.services.sandbox
    assert sandbox is not None
    code = await sandbox.latest_code(ADDRESS)
    assert code is not None, f"the sandbox mailed no code to {ADDRESS}"
    await j.type("#code", code)
    await j.shot("03-code")

    # 04 Verified; c gives it a from-name: sender details, the site's default sender.
    await j.press("enter")
    await j.until(lambda: not isinstance(app.screen, CodeScreen))
    await j.until(lambda: "1 verified" in j.note("#emails-status"))
    await j.quiet()
    await j.press("c")
    await j.until(lambda: isinstance(app.screen, CreateSenderDetailsScreen))
    await j.type("#from-name", FROM_NAME)
    await j.press("enter")
    await j.until(lambda: app.screen is app.home)
    await j.until(lambda: f"Default sender: {FROM_NAME}" in j.note("#details-status"))
    await j.shot("04-sender-details")

    # 05 Wix makes the sending domain and its records (INITIALIZING for a few minutes: the
    # clock moves on), then 2: the records to add at the DNS host, and where they are seen.
    await j.quiet()
    await j.press("2")
    await j.until(lambda: app.home.query_one(TabbedContent).active == "domains")
    table = j.domains().query_one(DomainTable)
    await j.until(lambda: table.row_count)
    j.clock.advance(5 * 60)
    await j.until(lambda: "not authenticated" in j.note("#domain-summary"))
    await j.until(lambda: j.watch().sweeps >= 1 and not j.watch().sweeping)
    await j.quiet()
    await j.shot("05-domain-records")

    # 06 h: published with a common mistake (no final dot on the targets, so the DNS host
    # appended the domain): every server sees a wrong target, and the grid says why and how
    # to fix it.
    await j.publish("4")
    await j.quiet()
    j.show_grid()
    await j.shot("06-diagnosis")

    # 07 x removes them, h publishes them right: the zone's servers have them at once, while
    # the public resolvers still hold the wrong answer until its TTL runs out (the countdown).
    await j.swept(lambda: j.press("x"))
    await j.publish("1")
    await j.quiet()
    j.show_grid(row=2)
    await j.shot("07-propagation")

    # 08 An hour later every cell is ok and Wix's advised wait is over: t authenticates.
    j.clock.advance(65 * 60)
    await j.swept(lambda: j.press("r"))
    await j.quiet()
    await j.press("t")
    if isinstance(app.screen, ConfirmScreen):  # asked only when the schedule says "not yet"
        await j.press("enter")
    await j.until(lambda: "Authenticated" in [n.title for n in app._notifications])
    await j.until(lambda: "is authenticated" in j.note("#auth-line"))
    j.domains().query_one(DomainTable).focus()
    await settle(j.pilot)
    body = j.domains().query_one("#domains-body", VerticalScroll)
    body.scroll_to_widget(j.domains().query_one("#auth"), animate=False, top=False)
    await j.quiet()  # the "Authenticated" toast would cover the line that says so
    await j.shot("08-authenticated")


JOURNEY = (
    "01-fresh",
    "02-add-sender",
    "03-code",
    "04-sender-details",
    "05-domain-records",
    "06-diagnosis",
    "07-propagation",
    "08-authenticated",
)
WIDE_SHOTS = {"07-propagation": "09-propagation-120x36"}
DOCTOR = "10-doctor"
NAMES = (*JOURNEY, *WIDE_SHOTS.values(), DOCTOR)


async def run(out: Path, only: str | None = None) -> list[Path]:
    """The journey at 80x24, every picture; then again at 120x36, keeping only the
    propagation view (what a larger terminal adds: the records and the grid together); then
    the Doctor pane on a site with problems. ``only``: just that picture (its walk still runs
    from the start, but nothing else is written)."""
    saved: list[Path] = []
    if only is None or only in JOURNEY:
        saved += await _walk(out, SIZE, None if only is None else {only: only})
    wide = {k: v for k, v in WIDE_SHOTS.items() if only is None or v == only}
    if wide:
        saved += await _walk(out, WIDE, wide)
    if only in (None, DOCTOR):
        saved += await _doctor(out)
    return saved


async def _doctor(out: Path) -> list[Path]:
    """3 on the agency site (a domain waiting for the retry schedule, one whose records are
    not published yet, one Wix is still making records for): the findings grouped by domain,
    the cursor on the unpublished one, its fix, what was seen where and when, and the key."""
    server = frozen_sandbox("agency")
    try:
        with sandbox_server_names(server), tempfile.TemporaryDirectory() as home:
            app = demo_app(Path(home), server, speed=DEMO_SPEED)
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                j = Journey(pilot, server, out, {DOCTOR: DOCTOR})
                await j.until(lambda: app.screen is app.home and app.home.query(SendersPane))
                await j.until(lambda: app.focused is j.senders().emails_table)
                await j.press("3")
                pane = app.home.query_one(DoctorPane)
                await j.until(lambda: pane.checks >= 1 and not pane.checking)
                listed = pane.query_one(FindingList)
                for _ in range(len(listed.findings)):
                    current = listed.current
                    if current is not None and current.code == "records_not_visible":
                        break
                    await j.press("down")
                await j.quiet()
                await j.shot(DOCTOR)
                return j.saved
    finally:
        server.stop()


async def _walk(out: Path, size: tuple[int, int], keep: dict[str, str] | None) -> list[Path]:
    server = frozen_sandbox("fresh")
    try:
        with sandbox_server_names(server), tempfile.TemporaryDirectory() as home:
            app = demo_app(Path(home), server, speed=DEMO_SPEED)
            # Toasts are part of the story (run_test hides them unless asked).
            async with app.run_test(size=size, notifications=True) as pilot:
                j = Journey(pilot, server, out, keep)
                await journey(j)
                return j.saved
    finally:
        server.stop()


def to_png(svgs: list[Path]) -> bool:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("rsvg-convert not found (Debian: librsvg2-bin): SVG only")
        return False
    for svg in svgs:
        png = svg.with_suffix(".png")
        subprocess.run([converter, "-f", "png", "-o", str(png), str(svg)], check=True)  # noqa: S603
        print(f"wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: here)")
    parser.add_argument("--no-png", action="store_true", help="SVG only")
    parser.add_argument("--only", choices=NAMES, help="write just this picture")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with utc(), steady_cursor():
        saved = asyncio.run(run(args.out, args.only))
    if not args.no_png:
        to_png(saved)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
