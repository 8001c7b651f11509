"""Files and secrets: config (TOML), paths (platformdirs). Plain Python, no Textual."""
