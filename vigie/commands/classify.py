"""`vigie classify`: the classify service (vigie.posts -> vigie.verdicts)."""

from __future__ import annotations

from typing import Optional

import typer

from vigie.app import app, load_settings, run_service


@app.command("classify")
def classify(
    kafka: Optional[str] = typer.Option(None, help="Kafka bootstrap servers (VIGIE_KAFKA_BOOTSTRAP_SERVERS)."),
) -> None:
    """Run the classify service: tag every post with labels, scores, severities and evidence."""
    from classify.service import run

    run_service(run, load_settings(kafka_bootstrap_servers=kafka))
