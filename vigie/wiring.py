"""Composition of pieces that live in different services (only the CLI may import them all)."""

from __future__ import annotations

from fastapi import FastAPI

from events.settings import Settings


def build_api(settings: Settings) -> FastAPI:
    """The workflow's queue API, with ingest's webhook receiver mounted beside it."""
    from workflow.api import create_app

    app = create_app(settings)
    try:
        from ingest.webhooks import create_router
    except ImportError:  # the webhook receiver is optional
        return app
    app.include_router(create_router(settings))
    return app
