"""The app's own keys: which binding ids the config's ``[keymap]`` may name, which of its entries
would make two actions share a key where both are live (one remapped ``quit`` to ``a`` and made
the Senders pane's "add" quit the app; such entries are left out and said at start), and
:func:`live_keys`, the keys that work on a screen as F1, the command palette and the footer list
them.

The app's own bindings are those with an id: only they can be remapped, and only they are
listed. Textual's (the cursor keys, "Page Left", "Focus Next") have none.

The screens are imported inside the functions: only a config with a ``[keymap]`` needs them,
and not before the first frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen


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
    from tui.screens.doctor import DoctorPane
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
        ("the Doctor pane", (app, HomeScreen, DoctorPane)),
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


@dataclass(frozen=True)
class LiveKey:
    """One action of the app that a key runs on the screen showing, however many keys run it."""

    id: str  # the first binding id met (the one a [keymap] entry names)
    description: str
    keys: tuple[str, ...]  # as the footer shows them ("a", "f1", "^p"), remapped ones included
    key: str  # the first key as Textual names it ("ctrl+p"), for pressing it
    action: str
    node: DOMNode  # where the action runs
    enabled: bool  # False: shown dimmed, it does nothing right now
    app_wide: bool  # the screen's or the app's (F1, q...), not the pane's
    show: bool  # whether the footer may show it (Binding.show)
    tooltip: str = ""  # a longer explanation, where the binding has one


def _target(node: DOMNode, action: str) -> tuple[int, str]:
    """What runs ``action`` declared on ``node``: q (``app.quit`` on the home screen) and
    ctrl+q (``quit`` on the app) are the same action."""
    app = node.app
    if action.startswith("app."):
        return id(app), action.removeprefix("app.")
    if action.startswith("screen."):
        return id(node.screen) if node is not app else id(app.screen), action[7:]
    return id(node), action


def live_keys(screen: Screen[object]) -> list[LiveKey]:
    """The app's own bindings live on ``screen``, each action once with all its keys, in the
    order Textual finds them: the focused widget's and its pane's first, then the screen's, then
    the app's. Keys come from the bindings as they are after the config's [keymap] was applied,
    so a remapped key is shown as remapped."""
    app = screen.app
    found: dict[tuple[int, str], LiveKey] = {}
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        if not binding.id or binding.system or not binding.description:
            continue
        target = _target(node, binding.action)
        shown = app.get_key_display(binding)
        known = found.get(target)
        if known is None:
            found[target] = LiveKey(
                id=binding.id,
                description=binding.description,
                keys=(shown,),
                key=binding.key,
                action=binding.action,
                node=node,
                enabled=active.enabled,
                app_wide=node is screen or node is app,
                show=binding.show,
                tooltip=binding.tooltip,
            )
        else:
            found[target] = replace(
                known,
                keys=known.keys if shown in known.keys else (*known.keys, shown),
                enabled=known.enabled or active.enabled,
                show=known.show or binding.show,
                tooltip=known.tooltip or binding.tooltip,
            )
    # A keymap entry moves its binding to the end of Textual's map: put each node's keys back
    # in the order they are declared, so a remapped key keeps its place in the footer.
    ranks: dict[int, int] = {}
    for key in found.values():
        ranks.setdefault(id(key.node), len(ranks))
    declared: dict[str, int] = {}
    for key in found.values():
        declared.update(_declared_order(type(key.node)))
    return sorted(found.values(), key=lambda k: (ranks[id(k.node)], declared.get(k.id, 0)))


def _declared_order(owner: type[object]) -> dict[str, int]:
    """Binding id -> its place among ``owner``'s bindings, inherited ones first."""
    order: dict[str, int] = {}
    for cls in reversed(owner.__mro__):
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                order.setdefault(binding.id, len(order))
    return order
