"""From model scores and detector findings to labelled verdicts, under the brand's policies.

A label fires when its model score reaches the model's operating point for it (chosen at
training for precision) or a detector's score reaches 0.5; a brand that sets its own threshold
for a label moves both. Its score is the strongest of the two, and it carries the brand's
severity. Every fired label shows why: the detectors' spans first (they are exact), then the
model's strongest features.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from classify.detectors.base import Finding
from events.brand import LabelPolicy
from events.schemas import Evidence, Label, LabelVerdict, Source

__all__ = ["DETECTOR_THRESHOLD", "as_seen_from", "finding_evidence", "fuse"]

DETECTOR_THRESHOLD = 0.5
"""A detector's finding fires its label from this score on, unless the brand sets a threshold."""

ModelEvidence = Callable[[Label, float], list[Evidence]]

_WHERE = {
    "text": "the text",
    "bio": "the author's bio",
    "place": "the post's geotag",
    "media": "the post's media",
}


_EXPOSED_KINDS = frozenset({"personal_data", "credentials"})


def as_seen_from(finding: Finding, source: Source) -> Finding:
    """The finding under the label its source calls for.

    Personal data or credentials in a staff post are a risky disclosure (legal, critical); in a
    mention, someone exposes data in public, usually their own: personal_data_exposed, for
    customer care to hide the post and answer in private.
    """
    if (
        source is Source.mention
        and finding.label is Label.risky_disclosure
        and finding.kind in _EXPOSED_KINDS
    ):
        return replace(finding, label=Label.personal_data_exposed)
    return finding


def finding_evidence(finding: Finding) -> Evidence:
    """A finding as the queue shows it: a span with offsets in the text, or a rule elsewhere."""
    in_text = finding.where == "text" and finding.start is not None
    detail = finding.detail if in_text else f"{finding.detail} (in {_WHERE[finding.where]})"
    return Evidence(
        kind="span" if in_text else "rule",
        detector=finding.detector,
        version=finding.version,
        text=finding.text,
        start=finding.start if in_text else None,
        end=finding.end if in_text else None,
        weight=round(finding.score, 4),
        detail=detail,
    )


def fuse(
    *,
    scores: Mapping[Label, float],
    findings: Sequence[Finding],
    policies: Mapping[Label, LabelPolicy],
    model_evidence: ModelEvidence,
    support: Mapping[Label, Sequence[Finding]] | None = None,
    model_kinds: Mapping[Label, str | None] | None = None,
    model_thresholds: Mapping[Label, float] | None = None,
) -> list[LabelVerdict]:
    """The labels that fire, most urgent first, each with score, severity, kind and evidence.

    A label's kind comes from its detectors' hits when there are any, else from the model.
    """
    hits_by_label: dict[Label, list[Finding]] = {}
    for finding in findings:
        if finding.score > 0:
            hits_by_label.setdefault(finding.label, []).append(finding)
    verdicts = []
    for label, policy in policies.items():
        hits = hits_by_label.get(label, [])
        model_score = float(scores.get(label, 0.0))
        model_at = (model_thresholds or {}).get(label, DETECTOR_THRESHOLD)
        detector_at = DETECTOR_THRESHOLD
        if policy.threshold is not None:
            model_at = detector_at = policy.threshold
        model_fires = model_score > 0 and model_score >= model_at
        if not policy.enabled or not (model_fires or any(f.score >= detector_at for f in hits)):
            continue
        score = max([model_score, *(f.score for f in hits)])
        evidence = [finding_evidence(f) for f in hits]
        if model_fires or not evidence:
            evidence += model_evidence(label, model_score)
        evidence += [finding_evidence(f) for f in (support or {}).get(label, ())]
        verdicts.append(
            LabelVerdict(
                label=label,
                score=round(min(1.0, score), 4),
                severity=policy.severity,
                kind=_kind(hits) or (model_kinds or {}).get(label),
                evidence=_unique(evidence),
            )
        )
    return sorted(verdicts, key=lambda v: (v.severity.rank, -v.score))


_KIND_HARM = ("credentials", "personal_data", "location", "confidential")
"""Several kinds at once: the most harmful one names the disclosure (annotation guidelines)."""


def _kind(hits: Sequence[Finding]) -> str | None:
    kinds = {f.kind for f in hits if f.kind}
    ranked = sorted(
        kinds, key=lambda k: _KIND_HARM.index(k) if k in _KIND_HARM else len(_KIND_HARM)
    )
    return ranked[0] if ranked else None


def _unique(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[object, ...]] = set()
    kept = []
    for item in evidence:
        key = (item.detector, item.text, item.start)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
