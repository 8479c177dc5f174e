"""`vigie alerts`: the alerting service (vigie.cases + vigie.verdicts -> Slack, Teams, e-mail,
signed webhooks)."""

from __future__ import annotations

import typer

from vigie.app import app, load_settings, run_service


@app.command("alerts")
def alerts(
    kafka: str | None = typer.Option(
        None, help="Kafka bootstrap servers (VIGIE_KAFKA_BOOTSTRAP_SERVERS)."
    ),
) -> None:
    """Run the alerting service: critical cases, SLA warnings and breaches, escalations, spikes.

    Channels come from the `alerts` section of the brand configuration; their secrets (webhook
    URLs, SMTP password, signing key) from the environment variables it names. Its state is in the
    database (VIGIE_DATABASE_URL): held digests survive a restart, and replicas share the work,
    each alert sent once.
    """
    from workflow.alerts.service import run

    run_service(run, load_settings(kafka_bootstrap_servers=kafka))
