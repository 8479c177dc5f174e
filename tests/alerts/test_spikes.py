"""Volume spikes against a rolling baseline, on event time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import make_post

from events.brand import SpikePolicy
from events.schemas import Evidence, Label, LabelVerdict, Severity, Verdict
from workflow.alerts.spikes import SpikeDetector

T0 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
POLICY = SpikePolicy(window="10m", baseline="2h", factor=3, min_count=5)


def verdict(label: Label, at: datetime) -> Verdict:
    evidence = Evidence(kind="rule", detector="test", version="1")
    return Verdict(
        post=make_post("il paraît que l'usine ferme"),
        lang="fr",
        model_version="t",
        labels=[LabelVerdict(label=label, score=0.9, severity=Severity.high, evidence=[evidence])],
        classified_at=at,
    )


def feed(
    detector: SpikeDetector, label: Label, start: datetime, count: int, every: timedelta
) -> None:
    for i in range(count):
        detector.observe(verdict(label, start + i * every), sample=f"{label.value} {i}")


def test_a_rumour_taking_off_is_a_spike() -> None:
    detector = SpikeDetector(POLICY)
    feed(detector, Label.rumour, T0, 12, timedelta(minutes=10))  # 1 per 10 min for 2 h
    feed(detector, Label.complaint, T0, 24, timedelta(minutes=5))
    assert detector.spikes() == []
    burst = T0 + timedelta(hours=2, minutes=1)
    feed(detector, Label.rumour, burst, 8, timedelta(seconds=30))
    feed(detector, Label.complaint, burst, 2, timedelta(minutes=1))
    (spike,) = detector.spikes()
    assert spike.label == "rumour" and spike.count >= 8
    assert spike.expected < 2
    assert spike.samples == ("rumour 5", "rumour 6", "rumour 7")


def test_steady_high_volume_is_not_a_spike() -> None:
    detector = SpikeDetector(POLICY)
    feed(detector, Label.complaint, T0, 150, timedelta(minutes=1))
    assert detector.spikes() == []


def test_cold_start_burst_is_not_a_spike() -> None:
    detector = SpikeDetector(POLICY)
    feed(detector, Label.rumour, T0, 50, timedelta(seconds=1))  # a replay at full speed
    assert detector.spikes() == []


def test_below_min_count_is_quiet_even_from_zero() -> None:
    detector = SpikeDetector(POLICY)
    feed(detector, Label.complaint, T0, 30, timedelta(minutes=4))
    feed(detector, Label.rumour, T0 + timedelta(hours=2), 4, timedelta(seconds=10))
    assert detector.spikes() == []


def test_only_configured_labels_are_watched() -> None:
    detector = SpikeDetector(
        SpikePolicy(window="10m", baseline="2h", min_count=3, labels=[Label.rumour])
    )
    feed(detector, Label.complaint, T0, 30, timedelta(minutes=4))
    feed(detector, Label.harassment, T0 + timedelta(hours=2), 20, timedelta(seconds=10))
    assert detector.spikes() == []
