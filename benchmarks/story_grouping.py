"""How well rumour posts gather into stories: pairwise precision and recall per threshold.

    python benchmarks/story_grouping.py [--data benchmarks/data/stories/dev.jsonl] [--orders 20]

Reads made-up rumour posts with their gold story (`story`; a story of one post is a rumour of its
own), groups them the way the workflow does (each post, in arrival order, joins the open story
whose centroid is closest at or above the threshold, else opens one) with the bundled brand
configuration's topics, and prints for each threshold: stories found, pairwise precision (of the
pairs put in one story, the share that belong together), recall (of the pairs that belong
together, the share put in one story) and F1, averaged over shuffled arrival orders. Then, at
the configured threshold, the stories the bundled sample stream's rumour-tagged posts become
(`--verdicts FILE`: the output of `vigie classify --input ingest/samples/sample_stream.jsonl`).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from events.brand import load_brand_config  # noqa: E402
from events.settings import BUNDLED_BRAND_CONFIG  # noqa: E402
from workflow.stories.claims import Centroid, ClaimReader, closest  # noqa: E402
from workflow.stories.desk import claim_reader  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "stories" / "dev.jsonl"
SAMPLE = ROOT / "ingest" / "samples" / "sample_stream.jsonl"


def group(reader: ClaimReader, posts: list[dict], threshold: float) -> list[int]:
    """The story index of each post, grouping in the given order."""
    centroids: dict[int, Centroid] = {}
    assigned = []
    for post in posts:
        terms = reader.terms(post["text"], post["lang"])
        match = closest(terms, centroids, threshold)
        if match is None:
            story = len(centroids)
            centroids[story] = Centroid({}, 0)
        else:
            story = match.story_id
        centroids[story].add(terms)
        assigned.append(story)
    return assigned


def pairwise(gold: list[str], found: list[int]) -> tuple[float, float]:
    together = {(i, j) for i, j in combinations(range(len(gold)), 2) if gold[i] == gold[j]}
    grouped = {(i, j) for i, j in combinations(range(len(found)), 2) if found[i] == found[j]}
    right = len(together & grouped)
    precision = right / len(grouped) if grouped else 1.0
    recall = right / len(together) if together else 1.0
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--orders", type=int, default=20, help="shuffled arrival orders")
    parser.add_argument("--verdicts", type=Path, help="classified sample stream (jsonl)")
    args = parser.parse_args()
    config = load_brand_config(BUNDLED_BRAND_CONFIG)
    reader = claim_reader(config)
    posts = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    gold_stories = len({p["story"] for p in posts})
    print(f"{len(posts)} posts, {gold_stories} gold stories ({args.data.name}), "
          f"{args.orders} arrival orders")
    print(f"{'threshold':>9} {'stories':>8} {'precision':>9} {'recall':>7} {'F1':>6}")
    rng = random.Random(7)
    orders = [list(range(len(posts)))] + [
        rng.sample(range(len(posts)), len(posts)) for _ in range(args.orders - 1)
    ]
    for step in range(12, 62, 4):
        threshold = step / 100
        figures = []
        for order in orders:
            ordered = [posts[i] for i in order]
            found = group(reader, ordered, threshold)
            precision, recall = pairwise([p["story"] for p in ordered], found)
            figures.append((len(set(found)), precision, recall))
        stories = statistics.mean(f[0] for f in figures)
        precision = statistics.mean(f[1] for f in figures)
        recall = statistics.mean(f[2] for f in figures)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        mark = "  <- configured" if abs(threshold - config.stories.similarity) < 1e-9 else ""
        print(f"{threshold:>9.2f} {stories:>8.1f} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f}{mark}")
    if args.verdicts:
        _sample(reader, args.verdicts, config.stories.similarity)


def _sample(reader: ClaimReader, verdicts: Path, threshold: float) -> None:
    posts = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    tagged = []
    for post, line in zip(posts, verdicts.read_text(encoding="utf-8").splitlines(), strict=True):
        verdict = json.loads(line)
        if any(lv["label"] == "rumour" for lv in verdict["labels"]):
            tagged.append({"text": post["text"], "lang": verdict["lang"]})
    found = group(reader, tagged, threshold)
    print(f"\nsample stream: {len(tagged)} rumour-tagged posts -> {len(set(found))} stories "
          f"at {threshold}")
    for story in sorted(set(found), key=lambda s: -found.count(s)):
        members = [p["text"][:90] for p, s in zip(tagged, found, strict=True) if s == story]
        if len(members) > 1:
            print(f"  story of {len(members)}: " + "\n      ".join(members))


if __name__ == "__main__":
    main()
