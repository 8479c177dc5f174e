"""Rumour stories: posts that carry the same claim, across threads, authors, platforms and
languages, gathered into one story with its volume, reach and state."""
