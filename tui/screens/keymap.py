"""The config's ``[keymap]``: which binding ids it may name, and which of its entries would make
two actions share a key where both are live (one remapped ``quit`` to ``a`` and made the
Senders pane's "add" quit the app). Such entries are left out and said at start.

The screens are imported inside the functions: only a config with a ``[keymap]`` needs them,
and not before the first frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Bound:
    id: str  # the binding id, or "" for one that cannot be remapped (Textual's own)
    keys: tuple[str, ...]
    where: str  # the screen or pane it belongs to, in words


def _contexts(app: type[object]) -> list[tuple[str, Sequence[type[object]]]]:
    """Each set of binding owners live at the same time, named as the user knows it."""
    from tui.screens.about import AboutScreen
    from tui.screens.choice import ChoiceScreen
    from tui.screens.code import CodeScreen
    from tui.screens.confirm import ConfirmScreen
    from tui.screens.domains import DomainsPane
    from tui.screens.guided_fix import GuidedFixScreen
    from tui.screens.home import HomeScreen
    from tui.screens.login import LoginScreen
    from tui.screens.passphrase import PassphraseScreen
    from tui.screens.profiles import ProfilesScreen
    from tui.screens.sender_details import CreateSenderDetailsScreen
    from tui.screens.senders import SendersPane
    from tui.widgets.email_form import AddEmailForm

    contexts: list[tuple[str, Sequence[type[object]]]] = [
        ("the Senders pane", (app, HomeScreen, SendersPane, AddEmailForm)),
        ("the Domains pane", (app, HomeScreen, DomainsPane)),
        ("the guided fix", (app, GuidedFixScreen, AddEmailForm)),
    ]
    modals = (
        LoginScreen,
        ProfilesScreen,
        AboutScreen,
        ConfirmScreen,
        PassphraseScreen,
        CodeScreen,
        CreateSenderDetailsScreen,
        ChoiceScreen,
    )
    contexts += [
        (f"the {owner.__name__.removesuffix('Screen')} screen", (app, owner)) for owner in modals
    ]
    return contexts


def _bindings(owner: type[object]) -> list[Binding]:
    found = getattr(owner, "BINDINGS", [])
    return [binding for binding in found if isinstance(binding, Binding)]


def _owners(contexts: Iterable[tuple[str, Sequence[type[object]]]]) -> set[type[object]]:
    return {owner for _, owners in contexts for owner in owners}


def known_binding_ids(app: type[object]) -> set[str]:
    """Every binding id a [keymap] in the config may name (``app``: the app class, which
    imports this module)."""
    return {
        binding.id
        for owner in _owners(_contexts(app))
        for binding in _bindings(owner)
        if binding.id
    }


def _keys(text: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in text.split(",") if key.strip())


def keymap_conflicts(app: type[object], keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap entries (by id) that would give one key to two different actions live at
    once, each with one sentence saying which."""
    problems: dict[str, str] = {}
    for where, owners in _contexts(app):
        live: dict[str, dict[str, str]] = {}  # key -> {action: the id (or action) using it}
        for owner in (*owners, *getattr(app, "__mro__", ())):
            for binding in _bindings(owner):
                action = binding.action.removeprefix("app.")
                keys = _keys(keymap[binding.id]) if binding.id in keymap else _keys(binding.key)
                for key in keys:
                    live.setdefault(key, {}).setdefault(action, binding.id or action)
        for key, actions in live.items():
            if len(actions) < 2:
                continue  # the same action under two ids (q and ctrl+q both quit) is fine
            for name in actions.values():
                if name in keymap and name not in problems:
                    others = ", ".join(n for n in actions.values() if n != name)
                    problems[name] = (
                        f"{name} = {keymap[name]!r} would share {key} with {others} in {where}"
                    )
    return problems
