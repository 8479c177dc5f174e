"""`vigie ingest`: the ingest service (connectors -> vigie.posts)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from vigie.app import app, load_settings, run_service


@app.command("ingest")
def ingest(
    replay: Optional[Path] = typer.Option(None, help="Replay a JSONL/CSV file of posts."),
    rate: Optional[float] = typer.Option(None, help="Posts per second for the replay; default as fast as possible."),
    kafka: Optional[str] = typer.Option(None, help="Kafka bootstrap servers (VIGIE_KAFKA_BOOTSTRAP_SERVERS)."),
) -> None:
    """Run the ingest service: configured connectors (and an optional replay) into vigie.posts."""
    from ingest.service import run

    settings = load_settings(kafka_bootstrap_servers=kafka)
    run_service(lambda s, stop: run(s, stop, replay=replay, rate=rate), settings)
