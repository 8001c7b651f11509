"""Reusable Textual widgets (the only place besides ``tui/app.py`` and ``tui/screens/`` that
imports Textual)."""
