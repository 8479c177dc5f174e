"""The shared contract of Vigie's services: typed topics, settings, brand config and Kafka I/O.

The services (ingest, classify, workflow) import this package and never each other.
"""

from events.brand import BrandConfig, load_brand_config
from events.errors import BrokerError, ConfigError, SchemaError, TransientError, VigieError
from events.kafka_io import Delivery, EventProducer, Rejection, consume, ensure_topics
from events.schemas import (
    Author,
    CaseEvent,
    CaseEventType,
    Evidence,
    Label,
    LabelVerdict,
    Media,
    Post,
    Severity,
    Source,
    Verdict,
)
from events.settings import Settings
from events.topics import Topic, Topics

__all__ = [
    "Author",
    "BrandConfig",
    "BrokerError",
    "CaseEvent",
    "CaseEventType",
    "ConfigError",
    "Delivery",
    "EventProducer",
    "Evidence",
    "Label",
    "LabelVerdict",
    "Media",
    "Post",
    "Rejection",
    "SchemaError",
    "Settings",
    "Severity",
    "Source",
    "Topic",
    "Topics",
    "TransientError",
    "Verdict",
    "VigieError",
    "consume",
    "ensure_topics",
    "load_brand_config",
]
