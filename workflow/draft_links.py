"""Signed links that open a page to an employee of the roster, with no queue account: the draft
check, and the policy acknowledgement (a link's `purpose` says which; one never opens the other).

A link carries the employee's roster id and an expiry, signed with HMAC-SHA256 under a server
key: nothing is stored, so a link stops working when it expires, when the employee leaves the
roster (`staff` of the brand file) or when the key changes. What the employee types is never
stored either (the check classifies in memory).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["PURPOSES", "DraftLink", "load_key", "sign", "verify"]

_KEY_FILE = "draft-link.key"


PURPOSES = ("draft", "policy")


@dataclass(frozen=True)
class DraftLink:
    staff_id: str
    expires_at: datetime
    purpose: str = "draft"


def load_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key, else one kept in data_dir (created once, readable by its owner only)."""
    if configured:
        return configured.encode()
    path = data_dir / _KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another API process made it first
            pass
        else:
            with os.fdopen(descriptor, "w") as key_file:
                key_file.write(secrets.token_urlsafe(48))
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"{path}: the draft-link key is shorter than 32 characters")
    return key.encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def sign(key: bytes, link: DraftLink) -> str:
    if link.purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {link.purpose!r}")
    fields = [link.staff_id, str(int(link.expires_at.timestamp()))]
    if link.purpose != "draft":  # draft-check links keep their original two fields
        fields.append(link.purpose)
    payload = _b64("\n".join(fields).encode())
    return f"{payload}.{_signature(key, payload)}"


def verify(key: bytes, token: str, *, now: datetime, purpose: str = "draft") -> DraftLink | None:
    """The link a token stands for, or None when it is forged, malformed, expired or made for
    another purpose."""
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        staff_id, expires, *rest = _unb64(payload).decode().split("\n")
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except ValueError:
        return None
    found = rest[0] if len(rest) == 1 else "draft" if not rest else None
    if found != purpose:
        return None
    return DraftLink(staff_id, expires_at, found) if now < expires_at else None
