"""Typed access to the app's services and session, from any widget or screen of this app.

The app satisfies :class:`ServiceHost`: it holds the :class:`~tui.services.Services` and, as a
reactive, the :class:`~tui.services.Session` of whoever is signed in. Widgets and screens mix
in :class:`UsesServices` and read ``self.services``, ``self.session`` and ``self.client``, and
follow sign-ins with :meth:`UsesServices.follow_session`. No ``getattr(self.app, …)``: a widget
mounted in another app fails loudly, naming itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.dom import DOMNode

from tui.services import Services, Session

if TYPE_CHECKING:
    from tui.wix.client import WixClient


@runtime_checkable
class ServiceHost(Protocol):
    """What the app offers its widgets (``tui.app.WixSendingApp`` is the one)."""

    services: Services
    session: Session | None


def host_of(node: DOMNode) -> ServiceHost:
    app = node.app
    if not isinstance(app, ServiceHost):
        raise TypeError(
            f"{type(node).__name__} needs the wix-sending app, not {type(app).__name__}"
        )
    return app


class UsesServices:
    """Mixin for widgets and screens: the app's services and who is signed in, typed."""

    @property
    def services(self: DOMNode) -> Services:
        return host_of(self).services

    @property
    def session(self: DOMNode) -> Session | None:
        return host_of(self).session

    @property
    def client(self: DOMNode) -> WixClient | None:
        """The signed-in site's client, or None when nobody is signed in."""
        session = host_of(self).session
        return session.client if session is not None else None

    def follow_session(self: DOMNode, callback: Callable[[Session | None], None]) -> None:
        """Call ``callback`` with the session now, and again each time it changes (a sign-in,
        another profile, a log-out). Textual stops watching when this node is removed."""
        app = host_of(self)
        assert isinstance(app, DOMNode)
        self.watch(app, "session", callback)
