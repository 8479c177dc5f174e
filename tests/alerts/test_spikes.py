"""Volume spikes against a rolling baseline, on event time: per label, and per brand keyword on
posts that got no label; the baseline is kept in the database across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import make_post

from events.brand import SpikePolicy
from events.schemas import Evidence, Label, LabelVerdict, Severity, Verdict
from workflow.alerts.spikes import SpikeDetector
from workflow.alerts.store import DbSpikeStore
from workflow.db import init_db

T0 = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
POLICY = SpikePolicy(window="10m", baseline="2h", factor=3, min_count=5)
KEYWORDS = ["Laurentia Mobile", "#LaurentiaMobile"]


def verdict(
    label: Label | None, at: datetime, text: str = "il paraît que l'usine ferme"
) -> Verdict:
    evidence = Evidence(kind="rule", detector="test", version="1")
    labels = (
        [LabelVerdict(label=label, score=0.9, severity=Severity.high, evidence=[evidence])]
        if label
        else []
    )
    return Verdict(
        post=make_post(text),
        lang="fr",
        model_version="t",
        labels=labels,
        classified_at=at,
    )


def feed(
    detector: SpikeDetector, label: Label, start: datetime, count: int, every: timedelta
) -> None:
    detector.observe(
        (verdict(label, start + i * every), f"{label.value} {i}") for i in range(count)
    )


def test_a_rumour_taking_off_is_a_spike() -> None:
    detector = SpikeDetector(POLICY)
    feed(detector, Label.rumour, T0, 12, timedelta(minutes=10))  # 1 per 10 min for 2 h
    feed(detector, Label.complaint, T0, 24, timedelta(minutes=5))
    assert detector.spikes() == []
    burst = T0 + timedelta(hours=2, minutes=1)
    feed(detector, Label.rumour, burst, 8, timedelta(seconds=30))
    feed(detector, Label.complaint, burst, 2, timedelta(minutes=1))
    (spike,) = detector.spikes()
    assert (spike.kind, spike.name) == ("label", "rumour") and spike.count >= 8
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


def test_a_keyword_spikes_on_posts_that_got_no_label() -> None:
    detector = SpikeDetector(POLICY, keywords=KEYWORDS)
    trickle = [
        verdict(None, T0 + i * timedelta(minutes=10), "Bonjour Laurentia Mobile") for i in range(12)
    ]
    unrelated = [
        verdict(None, T0 + timedelta(hours=2, minutes=1, seconds=i), "Beau temps à Québec")
        for i in range(20)
    ]
    burst = [
        verdict(
            None,
            T0 + timedelta(hours=2, minutes=1, seconds=20 * i),
            f"LAURENTIA MOBILE coupe le réseau ce soir? #{i}",
        )
        for i in range(7)
    ]
    detector.observe((v, None) for v in trickle + unrelated)
    assert [v for v in unrelated if detector.series_of(v)] == []
    assert detector.spikes() == []
    detector.observe((v, v.post.text[:20]) for v in burst)
    (spike,) = detector.spikes()
    assert (spike.kind, spike.name, spike.count) == ("keyword", "Laurentia Mobile", 7)
    assert spike.samples[-1] == "LAURENTIA MOBILE cou"


def test_the_baseline_survives_a_restart_and_a_replay_counts_once(database_url: str) -> None:
    engine = init_db(database_url)
    try:
        before = SpikeDetector(POLICY, store=DbSpikeStore(engine))
        trickle = [verdict(Label.rumour, T0 + i * timedelta(minutes=10)) for i in range(12)]
        before.observe((v, None) for v in trickle)
        del before  # the alerts service restarts

        after = SpikeDetector(POLICY, store=DbSpikeStore(engine))
        burst = [
            verdict(Label.rumour, T0 + timedelta(hours=2, minutes=1, seconds=20 * i))
            for i in range(6)
        ]
        after.observe((v, None) for v in burst[:3])
        after.observe((v, None) for v in burst[:3])  # read again after a crash: counted once
        assert after.spikes() == [], "3 posts are below min_count"
        after.observe((v, None) for v in burst[3:])
        (spike,) = after.spikes()
        assert (spike.name, spike.count) == ("rumour", 6)
        assert 0 < spike.expected < 2, "the baseline kept from before the restart"

        # With no history, the same burst is a cold start: quiet.
        fresh = SpikeDetector(POLICY, store=DbSpikeStore(engine))
        fresh.store.prune(T0 + timedelta(days=1))
        fresh.observe((v, None) for v in burst)
        assert fresh.spikes() == []
    finally:
        engine.dispose()


def test_an_erased_post_is_no_longer_counted_nor_quoted() -> None:
    detector = SpikeDetector(POLICY, keywords=KEYWORDS)
    posts = [
        verdict(None, T0 + timedelta(hours=2, seconds=i), "#LaurentiaMobile en panne")
        for i in range(3)
    ]
    detector.observe((v, f"quote {i}") for i, v in enumerate(posts))
    detector.forget(posts[0].post.post_id, "quote 0")
    assert detector.store.counts(T0, T0)["keyword:#laurentiamobile"] == (0, 2)
    assert "quote 0" not in detector._samples["keyword:#laurentiamobile"]
