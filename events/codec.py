"""Records on the wire: JSON bodies validated against the topic's schema, plus standard headers."""

from __future__ import annotations

import uuid
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from events.errors import SchemaError

__all__ = ["CONTENT_TYPE", "Headers", "decode", "encode", "header", "make_headers"]

E = TypeVar("E", bound=BaseModel)
Headers = list[tuple[str, bytes]]

CONTENT_TYPE = "application/json"


def encode(event: BaseModel) -> bytes:
    """Serialize an event; validation already happened when the model was built."""
    return event.model_dump_json(exclude_none=False).encode("utf-8")


def decode(model: type[E], value: bytes | None) -> E:
    """Parse and validate a record body; SchemaError says exactly what is wrong."""
    if value is None:
        raise SchemaError("empty record (tombstone) where an event was expected")
    try:
        return model.model_validate_json(value)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or '(body)'}: {e['msg']}" for e in exc.errors()]
        more = f"; +{len(problems) - 5} more" if len(problems) > 5 else ""
        raise SchemaError(f"invalid {model.__name__}: {'; '.join(problems[:5])}{more}") from exc
    except UnicodeDecodeError as exc:
        raise SchemaError(f"record is not UTF-8: {exc}") from exc


def make_headers(event: BaseModel, correlation_id: str | None = None) -> Headers:
    version = getattr(event, "schema_version", 1)
    return [
        ("content-type", CONTENT_TYPE.encode()),
        ("schema-version", str(version).encode()),
        ("correlation-id", (correlation_id or uuid.uuid4().hex).encode()),
    ]


def header(headers: Headers | None, name: str) -> str | None:
    """The value of one header, decoded, or None."""
    for key, value in headers or []:
        if key == name and value is not None:
            return value.decode("utf-8", errors="replace")
    return None
