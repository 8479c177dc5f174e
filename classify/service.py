"""The classify service: vigie.posts -> one Verdict per post on vigie.verdicts.

Every valid post gets a verdict, labelled or not, keyed by its thread and carrying the post's
correlation id. Verdicts are flushed before the loop commits the batch's offsets, so a crash
replays the batch (the workflow's unique key per post makes that harmless). A post the engine
cannot classify is dead-lettered with the reason; the stream goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from classify import metrics
from classify.engine import Engine, Result
from classify.item import Item
from classify.model.text_model import TextModel
from classify.settings import ClassifySettings
from classify.shadow import Agreement
from events.kafka_io import Delivery, EventProducer, Rejection, consume
from events.runtime import bootstrap_servers, prepare_topics
from events.schemas import Post
from events.settings import Settings

__all__ = ["Classifier", "run"]

log = logging.getLogger(__name__)

SERVICE = "classify"


class Classifier:
    """The batch handler: classify, produce verdicts (and shadow verdicts), reject poison."""

    def __init__(
        self,
        settings: Settings,
        producer: EventProducer,
        engine: Engine,
        shadow: Engine | None = None,
    ) -> None:
        self.topic = settings.topics.verdicts
        self.producer = producer
        self.engine = engine
        self.shadow = shadow
        self.agreement = Agreement()

    def __call__(self, batch: list[Delivery[Post]]) -> list[Rejection]:
        started = time.perf_counter()
        results, rejected = _classify(self.engine, batch)
        for delivery, result in results:
            self._send(delivery, result, shadow=False)
        if self.shadow is not None:
            self._run_shadow(self.shadow, results)
        self.producer.flush()
        if batch:
            metrics.POST_SECONDS.observe((time.perf_counter() - started) / len(batch))
        return rejected

    def _run_shadow(self, shadow: Engine, results: list[tuple[Delivery[Post], Result]]) -> None:
        """The candidate's verdicts; a post it cannot classify is only logged (the live one could)."""
        candidates, failed = _classify(shadow, [delivery for delivery, _ in results])
        for rejection in failed:
            log.warning("shadow model could not classify a post: %s", rejection.reason)
        live = {id(delivery): result for delivery, result in results}
        for delivery, candidate in candidates:
            self._send(delivery, candidate, shadow=True)
            self.agreement.record(live[id(delivery)].label_set, candidate.label_set)

    def _send(self, delivery: Delivery[Post], result: Result, *, shadow: bool) -> None:
        engine = self.shadow if shadow and self.shadow is not None else self.engine
        verdict = result.verdict(delivery.event, engine, shadow=shadow)
        self.producer.send(self.topic, verdict, correlation_id=delivery.correlation_id)
        for label in verdict.labels:
            metrics.LABELS_FIRED.labels(str(label.label), str(shadow).lower()).inc()
        for note in verdict.notes:
            metrics.NOTES.labels(note.split(":")[0][:40]).inc()


def _classify(
    engine: Engine,
    batch: Sequence[Delivery[Post]],
) -> tuple[list[tuple[Delivery[Post], Result]], list[Rejection]]:
    """Classify a batch; if it fails, one post at a time, so only the culprit is dead-lettered."""
    try:
        return list(
            zip(batch, engine.classify([Item.from_post(d.event) for d in batch]), strict=True)
        ), []
    except Exception:  # find the poison post rather than stall the partition on it forever
        log.exception("batch classification failed; isolating the post that causes it")
    results, rejected = [], []
    for delivery in batch:
        try:
            results.append((delivery, engine.classify_one(Item.from_post(delivery.event))))
        except Exception as exc:  # this post cannot be classified: dead-letter it with the reason
            rejected.append(
                Rejection(delivery.record, f"classification failed: {type(exc).__name__}: {exc}")
            )
    return results, rejected


def build_engines(settings: ClassifySettings) -> tuple[Engine, Engine | None]:
    """The live engine and, when VIGIE_SHADOW_MODEL_DIR is set, the shadow one (same detectors)."""
    engine = Engine.from_settings(settings)
    engine.warm_up()
    shadow = None
    if settings.shadow_model_dir is not None:
        shadow = Engine(
            brand=engine.brand,
            detectors=engine.detectors,
            model=TextModel.load(settings.shadow_model_dir),
            max_chars=engine.max_chars,
        )
        log.info("shadow model %s runs beside %s", shadow.model_version, engine.model_version)
    return engine, shadow


def run(settings: Settings, stop: threading.Event) -> None:
    """Consume posts and produce verdicts until `stop` is set."""
    own = ClassifySettings.from_settings(settings)
    engine, shadow = build_engines(own)
    servers = bootstrap_servers(own)
    prepare_topics(own)
    producer = EventProducer(servers, service=SERVICE)
    log.info("classify ready: model %s, %d detectors", engine.model_version, len(engine.detectors))
    try:
        consume(
            own.topics.posts,
            Classifier(own, producer, engine, shadow),
            bootstrap_servers=servers,
            group_id=own.group(SERVICE),
            producer=producer,
            stop=stop,
            max_poll_records=own.classify_batch_size,
        )
    finally:
        producer.close()
