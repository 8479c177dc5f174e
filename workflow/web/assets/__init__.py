"""The web pages' files: HTML shells, one stylesheet, ES modules, policy guidance (JSON)."""
