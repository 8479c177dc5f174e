"""One exception root for Vigie, so callers never catch library errors directly."""

from __future__ import annotations


class VigieError(Exception):
    """Root of every error Vigie raises on purpose."""


class ConfigError(VigieError):
    """A settings value or the brand configuration file is invalid."""


class SchemaError(VigieError):
    """A record does not match its topic's schema (poison: dead-letter it)."""


class TransientError(VigieError):
    """A downstream dependency is unavailable for now: pause and retry, never dead-letter."""


class BrokerError(VigieError):
    """The Kafka broker could not be reached or started."""
