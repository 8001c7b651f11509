"""wix-sending: take a Wix site from "no sender" to "email goes out from my own domain"."""

__version__ = "0.2.0"
