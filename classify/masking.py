"""Personal data and secrets masked in what leaves the classify service, as the detectors found them.

A verdict carries the post: whatever the workflow stores, the queue page shows and an alert
quotes comes from it. Each span a detector found as personal data or a credential is masked in
place, one mask character per character, so the evidence offsets still point at it and the page
can still highlight it: the kind of data and where it was stay visible, the data does not. Long
numbers keep their last 4 digits (enough to tell a customer which card or line is meant), an
e-mail keeps its domain, a secret keeps what names it ("code de porte c'est ••••#").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from classify.detectors.base import Finding
from classify.fusion import DETECTOR_THRESHOLD

__all__ = ["MASK", "MASKED_KINDS", "mask", "mask_span"]

MASK = "•"
MASKED_KINDS = frozenset({"personal_data", "credentials"})
_KEEP_DIGITS = 4
_MIN_DIGITS_TO_KEEP = 10  # shorter numbers (SIN, SSN, a door code) are masked whole


def _mask_number(span: str) -> str:
    # A digit already masked (ingest redacts card numbers: events.redaction) still counts.
    digits = sum(ch.isdigit() or ch == MASK for ch in span)
    keep = _KEEP_DIGITS if digits >= _MIN_DIGITS_TO_KEEP else 0
    out, seen = [], 0
    for ch in span:
        if ch.isdigit() or ch == MASK:
            seen += 1
            out.append(ch if seen > digits - keep else MASK)
        else:
            out.append(MASK if ch.isalpha() else ch)
    return "".join(out)


def _mask_word_chars(span: str) -> str:
    return "".join(MASK if ch.isalnum() else ch for ch in span)


def mask_span(span: str, kind: str | None) -> str:
    """One span masked, same length as the original."""
    if kind == "credentials":
        head, _, value = span.rpartition(" ")
        return f"{head} {_mask_word_chars(value)}" if head else _mask_word_chars(value)
    if "@" in span:
        local, _, domain = span.partition("@")
        return f"{_mask_word_chars(local)}@{domain}"
    if sum(ch.isdigit() for ch in span) >= sum(ch.isalpha() for ch in span):
        return _mask_number(span)
    return _mask_word_chars(span)


def _maskable(finding: Finding, length: int) -> bool:
    """A personal-data or credential span the detector stands behind (scored to fire)."""
    return (
        finding.kind in MASKED_KINDS
        and finding.score >= DETECTOR_THRESHOLD
        and finding.where == "text"
        and finding.start is not None
        and finding.end is not None
        and 0 <= finding.start < finding.end <= length
    )


def mask(text: str, findings: Iterable[Finding]) -> tuple[str, list[Finding]]:
    """The text with every personal-data or credential span masked in place, and the findings
    quoting their span masked the same way."""
    findings = list(findings)
    chars = list(text)
    for f in findings:
        if _maskable(f, len(text)):
            assert f.start is not None and f.end is not None
            chars[f.start : f.end] = mask_span(text[f.start : f.end], f.kind)
    masked_text = "".join(chars)
    # Every span quotes the masked text: a finding that overlaps a masked one (a "phone number"
    # inside a card number) must not quote the digits the other one hid.
    return masked_text, [_requote(f, text, masked_text) for f in findings]


def _requote(finding: Finding, text: str, masked_text: str) -> Finding:
    start, end = finding.start, finding.end
    if finding.where != "text" or start is None or end is None or not 0 <= start < end <= len(text):
        return finding
    if masked_text[start:end] == text[start:end]:
        return finding
    return replace(finding, text=masked_text[start:end])
