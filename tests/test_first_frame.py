"""The first frame waits for nothing it does not draw: with a stored profile and in the demo, the
HTTP stack, DNS, the keyring, cryptography, the sandbox and the panes load after it (the sign-in
and the demo's sandbox start once it is up), and the app still ends up signed in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tui.options import SCENARIO_NAMES
from tui.sandbox.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "httpx",
    "dns",
    "keyring",
    "cryptography",
    "checkdmarc",
    "uvicorn",
    "tui.sandbox",
    "tui.screens.senders",
    "tui.screens.domains",
    "tui.screens.doctor",
)

APP = """
import json, sys, time
from tui.app import WixSendingApp

HEAVY = __HEAVY__

class FirstFrame(WixSendingApp):
    def on_mount(self):
        self.call_after_refresh(self._first)

    def _first(self):
        self.loaded = sorted(h for h in HEAVY if h in sys.modules)
        self.status = self.home.query_one("#status").text
        self._since = time.monotonic()
        self.set_interval(0.02, self._signed_in)

    def _signed_in(self):
        if self.session is not None and self.home._panes_ready and self._since is not None:
            self._since = None
            self.call_after_refresh(lambda: self.exit(result=True))
        elif self._since is not None and time.monotonic() - self._since > 60:
            self.exit(result=False)
""".replace("__HEAVY__", repr(HEAVY))

PROFILE = """
from tui.launch import build_app
from tui.store import profiles as p
from tui.store.credentials import SecretStores
from tui.store.keyring_store import KeyringStore
from tui.store.paths import app_paths

class InstantKeyring:
    priority = 5
    def get_password(self, service, account):
        return "IST.test-key"

paths = app_paths()
p.save(paths.profiles_file, p.with_profile(p.Profiles(last_used="acme"),
       p.Profile("acme", "3f2d9a1c-0b4e-4c57-9d1a-6e8f2b7c5a90")))
stores = SecretStores(paths, keyring=KeyringStore(backend=InstantKeyring()))
app = build_app(paths, stores=stores, app_class=FirstFrame)
"""

DEMO = """
import tempfile
from pathlib import Path
from tui.demo import DemoSandbox
from tui.launch import demo_app, demo_paths

sandbox = DemoSandbox("fresh", 60.0)
home = tempfile.mkdtemp()
app = demo_app(demo_paths(Path(home)), sandbox.link, sandbox.start, clock=sandbox.clock,
               scenario="fresh", app_class=FirstFrame)
"""

RUN = """
try:
    signed_in = app.run(headless=True, size=(80, 24))
finally:
    if "sandbox" in globals():
        sandbox.stop()
print(json.dumps({"loaded": app.loaded, "status": app.status, "signed_in": signed_in}))
"""


def first_frame(setup: str, home: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WIX_SENDING_HOME": str(home)}
    for name in ("WIX_API_KEY", "WIX_SITE_ID", "WIX_BASE_URL", "TEXTUAL_LOG"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", APP + setup + RUN],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_stored_profile_paints_before_signing_in(tmp_path: Path) -> None:
    seen = first_frame(PROFILE, tmp_path)
    assert seen["loaded"] == []
    assert "signing in" in seen["status"]
    assert seen["signed_in"] is True


def test_the_demo_paints_before_its_sandbox_starts(tmp_path: Path) -> None:
    seen = first_frame(DEMO, tmp_path)
    assert seen["loaded"] == []
    assert "SANDBOX 60x" in seen["status"] and "signing in" in seen["status"]
    assert seen["signed_in"] is True


def test_the_demo_knows_the_sandbox_scenarios() -> None:
    # Named in tui.options so the demo checks --scenario without loading the sandbox.
    assert sorted(SCENARIO_NAMES) == sorted(SCENARIOS)
