"""`vigie workflow` and `vigie api`: cases, owners and SLAs, and the queue's web/API server."""

from __future__ import annotations

import typer

from vigie.app import app, load_settings, run_service


@app.command("workflow")
def workflow(
    kafka: str | None = typer.Option(None, help="Kafka bootstrap servers (VIGIE_KAFKA_BOOTSTRAP_SERVERS)."),
    database_url: str | None = typer.Option(None, help="SQLAlchemy URL (VIGIE_DATABASE_URL)."),
) -> None:
    """Run the workflow service: verdicts become cases with owners and SLA deadlines."""
    from workflow.service import run

    run_service(run, load_settings(kafka_bootstrap_servers=kafka, database_url=database_url))


@app.command("api")
def api(
    host: str | None = typer.Option(None, help="Listen address (VIGIE_API_HOST)."),
    port: int | None = typer.Option(None, help="Listen port (VIGIE_API_PORT)."),
    database_url: str | None = typer.Option(None, help="SQLAlchemy URL (VIGIE_DATABASE_URL)."),
) -> None:
    """Serve the queue's web page and REST API (OpenAPI at /docs) and /metrics."""
    import uvicorn

    from vigie.wiring import build_api

    settings = load_settings(api_host=host, api_port=port, database_url=database_url)
    uvicorn.run(build_api(settings), host=settings.api_host, port=settings.api_port,
                log_level=settings.log_level.lower())
