"""Every binding id a ``[keymap]`` in the config may name, so unknown ids are reported at start.

The screens are imported inside the function: only a config with a ``[keymap]`` needs them, and
not before the first frame.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding


def known_binding_ids(also: Iterable[type[object]] = ()) -> set[str]:
    """The ids of every binding of the app's screens and panes, plus those of ``also`` (the
    app class, which imports this module)."""
    from tui.screens.about import AboutScreen
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.domains import KEYMAP_OWNERS as DOMAINS
    from tui.screens.home import HomeScreen
    from tui.screens.login import LoginScreen
    from tui.screens.passphrase import PassphraseScreen
    from tui.screens.profiles import ProfilesScreen
    from tui.screens.senders import KEYMAP_OWNERS as SENDERS

    owners: Iterable[type[object]] = (
        *also,
        HomeScreen,
        LoginScreen,
        ProfilesScreen,
        AboutScreen,
        ConfirmScreen,
        PassphraseScreen,
        *SENDERS,
        *DOMAINS,
    )
    return {
        binding.id
        for owner in owners
        for binding in getattr(owner, "BINDINGS", [])
        if isinstance(binding, Binding) and binding.id
    }
