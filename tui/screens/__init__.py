"""One module (and its ``.tcss``) per screen or modal."""
