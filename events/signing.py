"""Vigie's webhook signature, one scheme both ways: alerts Vigie sends, posts Vigie receives.

`X-Vigie-Timestamp` (Unix seconds) and `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`:
the timestamp is signed with the body, so a captured request replays only within the
tolerance window (5 minutes), and duplicate delivery ids cover the window itself.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["TOLERANCE_SECONDS", "sign", "verify_signature"]

TOLERANCE_SECONDS = 300


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature value: HMAC-SHA256 over '<timestamp>.<body>'."""
    return (
        "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )


def verify_signature(
    secret: bytes,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance: float = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent (no replay).

    Compared in constant time; a timestamp that is not a number fails like a wrong signature.
    """
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    age = abs((now if now is not None else time.time()) - float(timestamp))
    return age <= tolerance and hmac.compare_digest(
        sign(secret, timestamp, body).encode(), signature.encode("utf-8", "replace")
    )
