"""Writing ``state.json`` from a widget's thread job, with the one way of saying it failed.

The Authenticate flow and the Doctor pane both keep times there (when the records were first
served, the last attempt); both save on a thread, since fsync must not stall the screen.
"""

from __future__ import annotations

from textual.widget import Widget

from tui.widgets.host import UsesServices


def save_state(widget: UsesServices, lost: str) -> None:
    """Save the app's state file now (call from a thread job). ``lost``: what the user loses
    if it cannot be written, e.g. "the authentication times"."""
    assert isinstance(widget, Widget)
    store = widget.services.state
    app = widget.app
    try:
        notice = store.save()  # "" unless the file was damaged and moved aside
    except OSError as exc:
        app.call_from_thread(
            app.notify,
            f"{store.path} could not be written ({exc}); {lost} will be forgotten when the app "
            "closes.",
            severity="error",
            markup=False,
        )
        return
    if notice:
        app.call_from_thread(app.notify, notice, severity="warning", markup=False)
