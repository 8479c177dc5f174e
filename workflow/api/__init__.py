"""The queue's REST API (FastAPI; OpenAPI at /docs).

`create_app(settings)` migrates the database, seeds teams and members from the brand
configuration and the `admin` user from VIGIE_ADMIN_PASSWORD, and mounts the routes. Refusals
are 4xx with a reason; a database outage is 503; user input never causes a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline

from events.brand import load_brand_config
from events.settings import Settings
from workflow.api import (
    auth_routes,
    case_routes,
    draft_link_routes,
    health_routes,
    names_routes,
    privacy_routes,
    reply_routes,
    report_routes,
    security_routes,
    staff_routes,
    story_routes,
    team_routes,
    user_routes,
)
from workflow.api.deps import AppState
from workflow.api.errors import document_errors, install_error_handlers
from workflow.api.open_cases import OpenCasesCollector
from workflow.api.staff_metrics import PolicyStandingCollector
from workflow.auth import limit_hashing
from workflow.book import PolicyBook
from workflow.config import WorkflowSettings
from workflow.db import init_db
from workflow.seed import ensure_admin, seed_directory

__all__ = ["create_app"]

DESCRIPTION = """Cases, owners and SLAs for a brand's social-media moderation queue.

Log in at `POST /api/auth/token` and send `Authorization: Bearer <token>`. Every refusal is an
`ErrorBody`: `detail` is always one sentence; a request that does not fit the schema also lists
each field's problem in `errors`, never quoting what was sent.

Acting on a case needs the version you read (optimistic concurrency): the body's `version`, or
the `If-Match` header (`"3"`). Neither: 428. A version that is no longer current: 409 with
`current_version`. A malformed If-Match: 422."""


def create_app(settings: Settings) -> FastAPI:
    config = load_brand_config(settings.brand_config)
    options = WorkflowSettings()
    limit_hashing(options.hash_concurrency, options.hash_wait_seconds)
    engine = init_db(settings.resolved_database_url)
    seed_directory(engine, config)
    ensure_admin(engine, settings.admin_password)
    # Swagger UI at /docs from the copy packaged with fastapi-offline: no CDN, works offline.
    app = FastAPIOffline(
        title="Vigie queue API",
        version="1",
        description=DESCRIPTION,
        redoc_url=None,
    )
    app.state.vigie = AppState(
        settings,
        options,
        engine,
        PolicyBook(config, restricted_teams=options.restricted, review_labels=options.review),
    )
    app.state.vigie.registry.register(OpenCasesCollector(engine))
    if config.staff_policy is not None:
        app.state.vigie.registry.register(PolicyStandingCollector(engine, config))
    for module in (
        health_routes,
        auth_routes,
        case_routes,
        team_routes,
        user_routes,
        report_routes,
        names_routes,
        draft_link_routes,
        staff_routes,
        security_routes,
        privacy_routes,
        reply_routes,
        story_routes,
    ):
        app.include_router(module.router)
    install_error_handlers(app)
    _document(app)
    return app


def _document(app: FastAPI) -> None:
    """The OpenAPI document, with the refusals every route may answer (see document_errors)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
