"""Quality of the classify engine on the repo's corpus: held-out split and cross-validation.

    python benchmarks/classify_quality.py                 # held-out 20 % (the split `vigie train` uses)
    python benchmarks/classify_quality.py --folds 5       # plus 5-fold cross-validation
    python benchmarks/classify_quality.py --embeddings    # plus the same with sentence embeddings
    python benchmarks/classify_quality.py --no-challenge  # skip the challenge set

Prints precision, recall and F1 per label and per language, macro-F1, the French-English gap,
and how well the offline language identifier names the corpus's languages. Then the challenge
set (`classify/corpus/challenge/`, other writers' styles, never trained on) scored by a model fit
on the whole corpus, as `vigie train` ships it: an estimate of quality on wordings the corpus
never saw.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classify.data import EVALUATION_ONLY, LabelledRow, load_labelled  # noqa: E402
from classify.detectors import DetectorsConfig, build_detectors, context_from_brand  # noqa: E402
from classify.engine import Engine  # noqa: E402
from classify.evaluation import evaluate, format_report  # noqa: E402
from classify.lang import detect_language  # noqa: E402
from classify.training import TrainParams, cross_validate, fit_model, split_holdout  # noqa: E402
from events.brand import load_brand_config  # noqa: E402
from events.settings import BUNDLED_BRAND_CONFIG  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "classify" / "corpus"
CHALLENGE = CORPUS / EVALUATION_ONLY


def language_accuracy(rows: list[LabelledRow]) -> str:
    by_lang: dict[str, list[bool]] = {}
    for row in rows:
        by_lang.setdefault(row.lang or "?", []).append(detect_language(row.text) == row.lang)
    return ", ".join(
        f"{lang} {sum(ok) / len(ok):.1%} of {len(ok)}" for lang, ok in sorted(by_lang.items())
    )


def held_out(rows: list[LabelledRow], params: TrainParams, brand, detectors) -> dict:  # type: ignore[no-untyped-def]
    train, test = split_holdout(rows, 0.2)
    started = time.perf_counter()
    model = fit_model(train, params, brand)
    fit_seconds = time.perf_counter() - started
    report = evaluate(Engine(brand=brand, detectors=detectors, model=model), test)
    print(
        f"\n== held-out split: train {len(train)} rows, test {len(test)} rows, "
        f"embeddings {'on' if params.embeddings else 'off'}, fit {fit_seconds:.1f} s"
    )
    print(format_report(report))
    gap = report["by_lang"]["en"]["macro_f1"] - report["by_lang"]["fr"]["macro_f1"]
    print(f"French - English macro-F1: {-gap:+.3f}")
    return report


def challenge(rows: list[LabelledRow], params: TrainParams, brand, detectors, path: Path) -> dict:  # type: ignore[no-untyped-def]
    """The whole corpus trains; the challenge set, which no model ever sees, is scored."""
    test = load_labelled(path)
    texts = {r.text for r in rows}
    if any(r.text in texts for r in test):
        raise SystemExit(f"{path}: some challenge rows are also in the training data")
    model = fit_model(rows, params, brand)
    report = evaluate(Engine(brand=brand, detectors=detectors, model=model), test)
    print(
        f"\n== challenge (not trained on): {len(test)} rows from {path}, model fit on "
        f"{len(rows)} corpus rows, embeddings {'on' if params.embeddings else 'off'}"
    )
    print(format_report(report))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=CORPUS)
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument(
        "--embeddings", action="store_true", help="Also measure with sentence embeddings."
    )
    parser.add_argument("--challenge", type=Path, default=CHALLENGE)
    parser.add_argument("--no-challenge", action="store_true", help="Skip the challenge set.")
    args = parser.parse_args()

    rows = load_labelled(args.data)
    brand = load_brand_config(BUNDLED_BRAND_CONFIG)
    config = DetectorsConfig.load()
    detectors = build_detectors(config, context_from_brand(brand, config.regions))
    print(f"corpus: {len(rows)} rows from {args.data}")
    print(f"language identification (py3langid, fr/en): {language_accuracy(rows)}")
    variants = [TrainParams()] + ([TrainParams(embeddings=True)] if args.embeddings else [])
    for params in variants:
        held_out(rows, params, brand, detectors)
        if not args.no_challenge and args.challenge.exists():
            challenge(rows, params, brand, detectors, args.challenge)
        if args.folds:
            started = time.perf_counter()
            report = cross_validate(
                rows, args.folds, brand=brand, detectors=detectors, params=params
            )
            print(
                f"\n== {args.folds}-fold cross-validation ({time.perf_counter() - started:.0f} s), "
                f"embeddings {'on' if params.embeddings else 'off'}"
            )
            print(format_report(report))


if __name__ == "__main__":
    main()
