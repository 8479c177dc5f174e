"""Composition of pieces that live in different services (only the CLI may import them all)."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from events.settings import Settings


def build_api(settings: Settings) -> FastAPI:
    """The queue API and pages (workflow), the webhook receiver (ingest) and the draft check
    (classify, behind the queue's login or a signed draft-check link)."""
    from classify.draft import create_router as draft_router
    from ingest.webhooks import create_router as webhook_router
    from workflow.api import create_app
    from workflow.api.draft_link_routes import draft_access
    from workflow.web import create_router as web_router

    app = create_app(settings)
    app.include_router(web_router(settings))
    app.include_router(webhook_router(settings))
    app.include_router(draft_router(settings, dependencies=[Depends(draft_access)]))
    return app
