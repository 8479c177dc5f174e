"""Placeholder"""
from __future__ import annotations

from events.brand import BrandConfig
from workflow.stories.claims import ClaimReader


_READERS: dict[int, tuple[BrandConfig, ClaimReader]] = {}


def claim_reader(config: BrandConfig) -> ClaimReader:
    """The brand's claim reader: its topics, and its names and handles left out of claims
    (built once per configuration)."""
    cached = _READERS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    names = [config.brand.name, *config.brand.keywords]
    names += [h for handles in config.brand.accounts.values() for h in handles]
    reader = ClaimReader(config.stories.topics, names)
    _READERS[id(config)] = (config, reader)
    return reader
