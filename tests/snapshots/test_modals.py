"""Appearance of the modals, each at 80x24, at 120x36 and with NO_COLOR (80x24): each reached
as a user reaches it (keys in the demo app, or the app started on saved profiles), on the
sandbox's frozen clock, with no toast over it.

- the publish choice (``h`` on Domains, the demo's "publish at the sandbox DNS host");
- the confirmation of an authentication attempt before the schedule allows one (``t``);
- the messages panel (``f3``), with the notices of a publish and an attempt;
- the guided fix, as a site without sender details opens it on Domains, and its inbox branch;
- the Senders pane's add-address form (``a``) and the create-sender form (``c``);
- the profile switcher (``p``) and the passphrase of the encrypted secrets file (at start).

The crash report is not here: it is text printed after the app has exited, not a screen
(``tests/ui/test_crash.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PosixPath

import keyring.backends.fail
from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent

from tests.snapshots.support import Variant, demo_app, still, wait_for
from tests.snapshots.test_screens import (
    domains,
    note,
    quiet,
    senders,
    senders_loaded,
    the_app,
)
from tui.demo import SandboxLink
from tui.launch import DEMO_SOURCE, build_app, demo_paths
from tui.sandbox import SandboxServer
from tui.screens.choice import ChoiceScreen
from tui.screens.code import CodeScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.guided_fix import GuidedFixScreen
from tui.screens.messages import MessagesScreen
from tui.screens.passphrase import PassphraseScreen
from tui.screens.profiles import ProfilesScreen
from tui.screens.sender_details import CreateSenderDetailsScreen
from tui.secret import Secret
from tui.store import profiles as profile_store
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore, MemoryKeyring
from tui.store.paths import Paths
from tui.store.profiles import Profile, Profiles, Storage
from tui.store.vault import Vault
from tui.widgets.email_form import AddEmailForm
from tui.widgets.grid import PropagationWatch

Snap = Callable[..., bool]
Sandbox = Callable[[str], SandboxServer]

PASSPHRASE = "correct horse battery staple"
# What a user's home looks like in the pictures, in place of the test's temporary directory.
SHOWN_HOME = "/home/ana"


async def domains_published(pilot: Pilot[object]) -> None:
    """The Domains pane of the midway site, its records published correctly at the sandbox
    DNS host and a propagation check finished after that."""
    app = the_app(pilot)
    await senders_loaded(pilot)
    await pilot.press("2")
    await wait_for(pilot, lambda: app.home.query_one(TabbedContent).active == "domains")
    watch = domains(app).query_one(PropagationWatch)
    await wait_for(pilot, lambda: watch.sweeps >= 1 and not watch.sweeping)
    before = watch.sweeps
    await pilot.press("h")
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    await pilot.press("1")
    await wait_for(pilot, lambda: watch.sweeps > before and not watch.sweeping)
    await quiet(pilot)


# --- Domains: the publish choice, the early-attempt confirmation ---------------------------------


def test_publish_choice(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.home.query_one(TabbedContent).active == "domains")
        watch = domains(app).query_one(PropagationWatch)
        await wait_for(pilot, lambda: watch.sweeps >= 1 and not watch.sweeping)
        await quiet(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


def test_confirm_early_attempt(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    """t before the schedule allows an attempt: the override must be confirmed."""
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await domains_published(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one("#confirm-body").content)
        assert "The schedule allows the next attempt at" in body
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- f3: the messages panel ----------------------------------------------------------------------


def test_messages(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await domains_published(pilot)
        await pilot.press("C")  # copy every record: one more notice
        await quiet(pilot)
        assert app.notice_log
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- the guided fix: a site without sender details, on Domains -----------------------------------


ADDRESS = "hello@sunrise-bakery.example"


async def guided_fix_open(pilot: Pilot[object]) -> GuidedFixScreen:
    """On the fresh site: an address added and verified (keys, as the journey does), then
    Domains (2), which finds no sender details and opens the guided fix by itself."""
    app = the_app(pilot)
    await senders_loaded(pilot)
    await pilot.press("a")
    form = senders(app).query_one(AddEmailForm)
    await wait_for(pilot, lambda: app.focused is form.query_one(Input))
    await pilot.press(*ADDRESS, "enter")
    await wait_for(pilot, lambda: "1 address" in note(app, "#emails-status"))
    await quiet(pilot)
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
    await wait_for(pilot, lambda: "latest code sent is" in note(app, "#code-mailbox"))
    assert app.services.sandbox is not None
    code = await app.services.sandbox.latest_code(ADDRESS)
    assert code is not None
    await pilot.press(*code, "enter")
    await wait_for(pilot, lambda: app.screen is app.home)
    await wait_for(pilot, lambda: "1 verified" in note(app, "#emails-status"))
    await quiet(pilot)
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(app.screen, GuidedFixScreen))
    screen = app.screen
    assert isinstance(screen, GuidedFixScreen)
    await quiet(pilot)
    return screen


def test_guided_fix(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        await guided_fix_open(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


def test_guided_fix_inbox(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    """y: "I can read the inbox": the site's addresses, and the form to add another."""
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        screen = await guided_fix_open(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.view == "fix-inbox-view")
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- Senders: the add-address form and the create-sender form ------------------------------------


def test_add_address_form(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    app = demo_app(tmp_path, sandbox("fresh"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        await pilot.press("a")
        form = senders(app).query_one(AddEmailForm)
        await wait_for(pilot, lambda: form.display and app.focused is form.query_one(Input))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


def test_create_sender_form(
    snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox
) -> None:
    """c on Senders, with the midway site's verified address highlighted."""
    app = demo_app(tmp_path, sandbox("midway"))

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        table = senders(app).emails_table
        table.select_key(table.find_address("hello@harbor-ceramics.example").id)  # type: ignore[union-attr]
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateSenderDetailsScreen))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


# --- saved profiles: the switcher and the passphrase ---------------------------------------------


def shown_paths(home: Path) -> Paths:
    """The app's files under ``home``, laid out as on Linux, and written as if ``home`` were
    ``SHOWN_HOME`` where the app puts a path in a sentence (an f-string formats it; the files
    themselves are under ``home``)."""
    real = str(home)

    class Shown(PosixPath):
        def __format__(self, spec: str) -> str:
            return format(str(self).replace(real, SHOWN_HOME, 1), spec)

    root = Shown(home)
    return Paths(
        root / ".config/wix-sending",
        root / ".local/share/wix-sending",
        root / ".local/state/wix-sending",
        root / ".local/state/wix-sending/log",
    )


def profiles_app(server: SandboxServer, paths: Paths, stores: SecretStores) -> object:
    """The app started on the saved profiles of ``paths``, talking to the sandbox as the
    demo does (its clock, its DNS); no profile names the sandbox's URL (its port varies)."""
    link = SandboxLink.from_server(server)
    return still(
        build_app(
            paths,
            stores=stores,
            base_url=link.base_url,
            base_url_from=DEMO_SOURCE,
            clock=server.clock,
            sandbox=link,
        )
    )


def test_profiles(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    server = sandbox("midway")
    site = server.credentials[0]
    paths = demo_paths(tmp_path / "home")
    memory = MemoryKeyring()
    memory.set_password("wix-sending", "harbor", site.api_key)
    memory.set_password("wix-sending", "bakery", "IST.bakery-key-0000000000")
    profile_store.save(
        paths.profiles_file,
        Profiles(
            {
                "harbor": Profile("harbor", site.site_id),
                "bakery": Profile("bakery", "c993128b-26be-41cd-9fcd-904abe23462f"),
            },
            "harbor",
        ),
    )
    stores = SecretStores(paths, KeyringStore(backend=memory, timeout=2.0))
    app = profiles_app(server, paths, stores)

    async def run_before(pilot: Pilot[object]) -> None:
        await senders_loaded(pilot)
        await quiet(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfilesScreen))
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)


def test_passphrase(snap_compare: Snap, variant: Variant, tmp_path: Path, sandbox: Sandbox) -> None:
    """At start, the last used profile keeps its key in the encrypted file: its passphrase."""
    server = sandbox("midway")
    site = server.credentials[0]
    paths = shown_paths(tmp_path / "home")
    vault = Vault(paths.secrets_file)
    vault.unlock(PASSPHRASE)
    vault.set("harbor", Secret(site.api_key))
    profile_store.save(
        paths.profiles_file,
        Profiles(
            {"harbor": Profile("harbor", site.site_id, storage=Storage.ENCRYPTED_FILE)}, "harbor"
        ),
    )
    # A server over SSH: no OS keyring.
    stores = SecretStores(paths, KeyringStore(backend=keyring.backends.fail.Keyring()))
    app = profiles_app(server, paths, stores)

    async def run_before(pilot: Pilot[object]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PassphraseScreen))
        why = str(pilot.app.screen.query_one("#passphrase-why").content)
        assert f"{SHOWN_HOME}/.local/share/wix-sending/secrets" in why, why
        await quiet(pilot)

    assert snap_compare(app, terminal_size=variant.size, run_before=run_before)
