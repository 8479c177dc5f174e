"""Quality of the classify engine on development splits of its training data, as shipped.

    python -m classify.sources.build --mirrors DIR --out public.jsonl   # once: the public rows
    python benchmarks/classify_quality.py --public public.jsonl          # the figures below
    python benchmarks/classify_quality.py                                # the written corpus only

The rows (written corpus plus public sources) are split 80/20 by each text's hash, the split
`vigie train` holds out. A model fit on the 80 % scores the 20 %:
- the whole development split, every label, with calibration;
- each public source's share of it, on the labels that source annotates (one label: two-class
  macro-F1), and its unlabelled posts as ordinary traffic: the share on which each label fires;
- the posts with nothing to read (handles, emojis, a word or two) that still get a model label.
Then the challenge set (`classify/corpus/challenge/`, written apart and never trained on), scored
by a model fit on all the rows, as shipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classify.data import EVALUATION_ONLY, LabelledRow, load_labelled  # noqa: E402
from classify.detectors import DetectorsConfig, build_detectors, context_from_brand  # noqa: E402
from classify.engine import Engine  # noqa: E402
from classify.evaluation import evaluate, format_report  # noqa: E402
from classify.training import MODEL_LABELS, TrainParams, fit_model, split_holdout  # noqa: E402
from events.brand import load_brand_config  # noqa: E402
from events.schemas import Label  # noqa: E402
from events.settings import BUNDLED_BRAND_CONFIG  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "classify" / "corpus"
CHALLENGE = CORPUS / EVALUATION_ONLY
CORPUS_ORIGIN = "corpus"
SHORT_POSTS = [
    "😭😭😭 @LaurentiaMobile", "👍", "❤️", "lol", "@LaurentiaAide ?", "What?", "merci!",
    "https://t.co/abc 🔥🔥", "@LaurentiaMobile @LaurentiaAide", "ok", "wow 😂", "?!",
]  # fmt: skip


def origins(public: Path | None) -> dict[str, str]:
    """Each public row's text -> the source it came from."""
    found: dict[str, str] = {}
    if public is not None:
        for line in public.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            found.setdefault(record["text"], record.get("origin", "public"))
    return found


def ordinary_traffic(engine: Engine, rows: list[LabelledRow]) -> str:
    """On unlabelled real posts: the share each label fires on."""
    fired: dict[str, int] = defaultdict(int)
    for start in range(0, len(rows), 256):
        for result in engine.classify([r.item() for r in rows[start : start + 256]]):
            for label in result.label_set:
                fired[str(label)] += 1
    if not rows:
        return "no unlabelled rows"
    shares = ", ".join(f"{k} {100 * v / len(rows):.2f} %" for k, v in sorted(fired.items()))
    return f"{len(rows)} unlabelled posts; labels fired on: {shares or 'none'}"


def per_source(engine: Engine, test: list[LabelledRow], where: dict[str, str]) -> None:
    by_origin: dict[str, list[LabelledRow]] = defaultdict(list)
    for row in test:
        by_origin[where.get(row.text, CORPUS_ORIGIN)].append(row)
    print("\n== per source (development split)")
    for origin, rows in sorted(by_origin.items()):
        if origin == CORPUS_ORIGIN:
            continue
        named = sorted({label for r in rows for label in r.labels}, key=list(Label).index)
        line = f"{origin:<30} {len(rows):>6} rows"
        if named:
            report = evaluate(engine, rows, named)
            figures = ", ".join(
                f"{label} P {m['precision']:.2f} R {m['recall']:.2f} F1 {m['f1']:.2f}"
                for label, m in report["labels"].items()
            )
            kind = "two-class macro-F1" if len(named) == 1 else "macro-F1"
            line += f"  {kind} {report['macro_f1']:.3f}  ({figures})"
        print(line)
        print(f"{'':<38}{ordinary_traffic(engine, [r for r in rows if not r.labels])}")


def short_posts(engine: Engine) -> None:
    from classify.item import Item

    labelled = [
        text for text, res in zip(
            SHORT_POSTS, engine.classify([Item(text=t) for t in SHORT_POSTS]), strict=True
        ) if res.labels
    ]  # fmt: skip
    print(f"\n== posts with nothing to read: {len(labelled)} of {len(SHORT_POSTS)} get a label")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=CORPUS, help="The written corpus.")
    parser.add_argument("--public", type=Path, help="The public rows (classify.sources.build).")
    parser.add_argument("--challenge", type=Path, default=CHALLENGE)
    parser.add_argument("--no-challenge", action="store_true", help="Skip the challenge set.")
    args = parser.parse_args()

    rows = load_labelled(args.data) + (load_labelled(args.public) if args.public else [])
    where = origins(args.public)
    brand = load_brand_config(BUNDLED_BRAND_CONFIG)
    config = DetectorsConfig.load()
    detectors = build_detectors(config, context_from_brand(brand, config.regions))
    params = TrainParams()
    train, test = split_holdout(rows, 0.2)
    print(f"rows: {len(rows)} ({len(rows) - len(where)} written corpus, {len(where)} public)")
    started = time.perf_counter()
    model = fit_model(train, params, brand)
    engine = Engine(brand=brand, detectors=detectors, model=model)
    print(
        f"\n== development split: train {len(train)}, test {len(test)}, fit {time.perf_counter() - started:.0f} s"
    )
    print("operating points (out of fold, training rows): " + ", ".join(
        f"{p.label}/{p.lang} {p.threshold:.2f} (P {p.precision:.2f} R {p.recall:.2f})"
        for p in model.operating_points
    ))  # fmt: skip
    print(format_report(evaluate(engine, test, MODEL_LABELS)))
    corpus_test = [r for r in test if r.text not in where]
    report = evaluate(engine, corpus_test, MODEL_LABELS)
    print(
        f"\nwritten corpus's share: {len(corpus_test)} rows, macro-F1 {report['macro_f1']:.3f}; F1 "
        + ", ".join(f"{label} {m['f1']:.2f}" for label, m in report["labels"].items())
    )
    per_source(engine, test, where)
    short_posts(engine)
    if not args.no_challenge and args.challenge.exists():
        challenge = load_labelled(args.challenge)
        if {r.text for r in challenge} & {r.text for r in rows}:
            raise SystemExit(f"{args.challenge}: some challenge rows are also training rows")
        shipped = Engine(brand=brand, detectors=detectors, model=fit_model(rows, params, brand))
        print(
            f"\n== challenge set (never trained on): {len(challenge)} rows, model fit on all {len(rows)} rows"
        )
        print(format_report(evaluate(shipped, challenge), calibration=False))


if __name__ == "__main__":
    main()
