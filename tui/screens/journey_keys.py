"""The keys the "Next:" line names (``flow.journey``), as this user has them: the config's
[keymap] applied the way the app applies it (entries that would clash are left out, see
``screens.keymap``), and shown the way the footer shows keys ("^x" for ctrl+x)."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import App
from textual.binding import Binding

from tui.flow.journey import DEFAULT_KEYS


def journey_keys(
    app: App[object], keymap: Mapping[str, str], defaults: Mapping[str, str] = DEFAULT_KEYS
) -> dict[str, str]:
    """Binding id -> the key to press, for every binding the next step may name (or those of
    ``defaults``: binding id -> its key when the keymap leaves it alone)."""
    if keymap:
        from tui.screens.keymap import keymap_conflicts

        conflicts = keymap_conflicts(type(app), keymap)
        keymap = {k: v for k, v in keymap.items() if k not in conflicts}
    names = {}
    for binding_id, default in defaults.items():
        keys = [k.strip() for k in keymap.get(binding_id, default).split(",") if k.strip()]
        first = keys[0] if keys else default
        names[binding_id] = app.get_key_display(Binding(first, "", id=binding_id))
    return names
