"""Recall and precision of the personal-data and secrets detectors on the written dev set.

    python benchmarks/pii_quality.py [--data benchmarks/data/pii] [--presidio /path/to/python]

Runs the detectors of `Engine.load()` (bundled model, shipped `detectors.yaml`) on every post of
`{en,fr}.jsonl`, once as a staff post and once as a mention, and keeps the findings that would
fire a label (score 0.5 or more). A predicted span is right when it overlaps a gold span of the
same type; a gold span is found when some right prediction overlaps it. Prints found/total,
precision and recall per type and language, overall figures, and the detectors' throughput on
one core, then the figures with the context words turned off. With `--presidio`, the same set is run through Presidio's analyzer in that Python
(a separate venv) and scored the same way.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "pii"
LANGS = ("en", "fr")
FIRES = 0.5
DETECTOR_TYPES = {
    "email": "email",
    "phone": "phone",
    "payment_card": "card",
    "iban": "iban",
    "us_ssn": "ssn",
    "canada_sin": "sin",
    "france_nir": "nir",
    "ip_address": "ip",
    "postal_address": "address",
    "secrets": "secret",
    "location": "location",
}
TYPES = tuple(DETECTOR_TYPES.values())  # the dev set's span types, in report order
PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "card",
    "IBAN_CODE": "iban",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip",
    "LOCATION": "location",
}

Span = tuple[int, int, str]


def load_rows(data: Path) -> list[dict]:
    rows = []
    for lang in LANGS:
        with (data / f"{lang}.jsonl").open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines if line.strip()]
    return rows


def vigie_predictions(rows: list[dict], *, context: bool = True) -> tuple[list[list[Span]], float]:
    """Every row's predicted spans, and the detectors' posts per second (one pass per source).

    `context=False` scores every hit on its format alone, to measure what context words add."""
    sys.path.insert(0, str(ROOT))
    from classify.detectors.patterns import CONTEXT_SWITCH
    from classify.engine import Engine
    from classify.item import Item
    from events.schemas import Source

    CONTEXT_SWITCH.enabled = context
    engine = Engine.load()
    engine.warm_up()
    detectors = [d for d in engine.detectors if d.name in DETECTOR_TYPES]
    items = [[Item(text=r["text"], source=s) for s in (Source.staff, Source.mention)] for r in rows]
    predictions = []
    for pair in items:
        spans = {
            (f.start, f.end, DETECTOR_TYPES[f.detector])
            for item in pair
            for d in detectors
            for f in d.detect(item)
            if f.start is not None and f.end is not None and f.score >= FIRES
        }
        predictions.append(sorted(spans))
    flat = [item for pair in items for item in pair]
    repeats, started = 20, time.perf_counter()
    for _ in range(repeats):
        for item in flat:
            for d in engine.detectors:  # every detector, as the engine runs them
                d.detect(Item(text=item.text, source=item.source))
    return predictions, repeats * len(flat) / (time.perf_counter() - started)


def presidio_worker() -> None:
    """Run inside the Presidio venv: rows on stdin, one JSON list of (start, end, entity, score) per row."""
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp_engine.nlp = {"en": spacy.blank("en")}  # no spaCy model on PyPI: tokenizer only, no NER
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    texts = [json.loads(line)["text"] for line in sys.stdin]
    analyzer.analyze(text=texts[0], language="en")  # warm up before timing
    started = time.perf_counter()
    results = [analyzer.analyze(text=text, language="en") for text in texts]
    rate = len(texts) / (time.perf_counter() - started)
    for found in results:
        print(json.dumps([(r.start, r.end, r.entity_type, r.score) for r in found]))
    print(json.dumps({"posts_per_second": rate}))


def presidio_predictions(
    python: str, rows: list[dict], threshold: float
) -> tuple[list[list[Span]], float]:
    """Presidio's spans per row at `threshold`, and its posts per second (model loaded)."""
    feed = "".join(json.dumps({"text": r["text"]}) + "\n" for r in rows)
    done = subprocess.run(
        [python, __file__, "--presidio-worker"],
        input=feed,
        capture_output=True,
        text=True,
        check=True,
    )
    *out, timing = [json.loads(line) for line in done.stdout.splitlines()]
    return [
        sorted(
            {
                (s, e, PRESIDIO_TYPES[t])
                for s, e, t, score in found
                if t in PRESIDIO_TYPES and score >= threshold
            }
        )
        for found in out
    ], float(timing["posts_per_second"])


def score(rows: list[dict], predictions: list[list[Span]]) -> dict[tuple[str, str], Counter]:
    """Counts per (language, type): gold, found, predicted, right."""
    counts: dict[tuple[str, str], Counter] = {}
    for row, predicted in zip(rows, predictions, strict=True):
        gold = [(g["start"], g["end"], g["type"]) for g in row["spans"]]
        for key, spans, hits in (("gold", gold, predicted), ("predicted", predicted, gold)):
            for start, end, kind in spans:
                c = counts.setdefault((row["lang"], kind), Counter())
                c[key] += 1
                if any(t == kind and s < end and start < e for s, e, t in hits):
                    c["found" if key == "gold" else "right"] += 1
    return counts


def report(title: str, counts: dict[tuple[str, str], Counter]) -> None:
    print(f"\n{title}")
    print(
        f"  {'type':<9}"
        + "".join(f"{lang + ' found/total':>16}{'P':>6}{'R':>6}" for lang in (*LANGS, "all"))
    )

    def cells(c: Counter) -> str:
        p = c["right"] / c["predicted"] if c["predicted"] else float("nan")
        r = c["found"] / c["gold"] if c["gold"] else float("nan")
        return f"{c['found']:>10}/{c['gold']:<5}{p:6.2f}{r:6.2f}"

    for kind in (*TYPES, "overall"):
        per_lang = []
        for lang in LANGS:
            c = Counter()
            for (lg, t), counter in counts.items():
                if lg == lang and (t == kind or kind == "overall"):
                    c.update(counter)
            per_lang.append(c)
        total = per_lang[0] + per_lang[1]
        if kind != "overall" and not total:
            continue
        print(f"  {kind:<9}" + "".join(cells(c) for c in (*per_lang, total)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--presidio", help="Python of a venv with presidio-analyzer installed.")
    parser.add_argument("--presidio-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-context-check", action="store_true", help="Skip the run without context words."
    )
    args = parser.parse_args()
    if args.presidio_worker:
        presidio_worker()
        return
    rows = load_rows(args.data)
    print(f"{len(rows)} posts, {sum(len(r['spans']) for r in rows)} gold spans ({args.data})")
    predictions, rate = vigie_predictions(rows)
    report(
        f"Vigie detectors (findings scoring {FIRES} or more, staff and mention)",
        score(rows, predictions),
    )
    print(f"\ndetectors alone: {rate:,.0f} posts/s on one core (each post once per source)")
    if not args.no_context_check:
        without, _ = vigie_predictions(rows, context=False)
        report("Same detectors, context words off (format alone decides)", score(rows, without))
    if not args.presidio:
        print("Presidio: skipped (pass --presidio /path/to/python)")
        return
    for threshold in (0.0, FIRES):
        found, presidio_rate = presidio_predictions(args.presidio, rows, threshold)
        report(
            f"Presidio analyzer, language 'en' for every post, score >= {threshold}",
            score(rows, found),
        )
    print(
        f"\nPresidio: {presidio_rate:,.0f} posts/s on one core with a blank spaCy pipeline (no NER"
        f" model: faster than its usual set-up); Vigie's detectors: {rate:,.0f} passes/s, "
        f"{rate / presidio_rate:,.1f} times as fast"
    )


if __name__ == "__main__":
    main()
