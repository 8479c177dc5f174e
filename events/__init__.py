"""The shared contract of Vigie's services: typed topics, settings, brand config and Kafka I/O.

The services (ingest, classify, workflow) import this package and never each other. Its names
load on first use, so a command that needs only the settings does not import the Kafka client.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "BrandConfig": "events.brand",
    "load_brand_config": "events.brand",
    "BrokerError": "events.errors",
    "ConfigError": "events.errors",
    "SchemaError": "events.errors",
    "TransientError": "events.errors",
    "VigieError": "events.errors",
    "Delivery": "events.kafka_io",
    "EventProducer": "events.kafka_io",
    "Rejection": "events.kafka_io",
    "consume": "events.kafka_io",
    "ensure_topics": "events.kafka_io",
    "Author": "events.schemas",
    "CaseEvent": "events.schemas",
    "CaseEventType": "events.schemas",
    "Evidence": "events.schemas",
    "Label": "events.schemas",
    "LabelVerdict": "events.schemas",
    "Media": "events.schemas",
    "Post": "events.schemas",
    "Severity": "events.schemas",
    "Source": "events.schemas",
    "Verdict": "events.schemas",
    "Settings": "events.settings",
    "Topic": "events.topics",
    "Topics": "events.topics",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'events' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
