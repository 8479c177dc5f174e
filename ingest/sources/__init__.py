"""Connectors: the replay of a file, and the platforms polled for mentions and staff posts."""
