"""The queue's REST API (FastAPI; OpenAPI at /docs).

`create_app(settings)` migrates the database, seeds teams and members from the brand
configuration and the `admin` user from VIGIE_ADMIN_PASSWORD, and mounts the routes. Refusals
are 4xx with a reason; a database outage is 503; user input never causes a 500.
"""

from __future__ import annotations

from fastapi import FastAPI

from events.brand import load_brand_config
from events.settings import Settings
from workflow.api import (
    auth_routes,
    case_routes,
    health_routes,
    report_routes,
    team_routes,
    user_routes,
)
from workflow.api.deps import AppState
from workflow.api.errors import install_error_handlers
from workflow.api.open_cases import OpenCasesCollector
from workflow.book import PolicyBook
from workflow.config import WorkflowSettings
from workflow.db import init_db
from workflow.seed import ensure_admin, seed_directory

__all__ = ["create_app"]


def create_app(settings: Settings) -> FastAPI:
    config = load_brand_config(settings.brand_config)
    options = WorkflowSettings()
    engine = init_db(settings.resolved_database_url)
    seed_directory(engine, config)
    ensure_admin(engine, settings.admin_password)
    app = FastAPI(
        title="Vigie queue API",
        version="1",
        description="Cases, owners and SLAs for a brand's social-media moderation queue.",
    )
    app.state.vigie = AppState(
        settings,
        options,
        engine,
        PolicyBook(config, restricted_teams=options.restricted, review_labels=options.review),
    )
    app.state.vigie.registry.register(OpenCasesCollector(engine))
    for module in (
        health_routes,
        auth_routes,
        case_routes,
        team_routes,
        user_routes,
        report_routes,
    ):
        app.include_router(module.router)
    install_error_handlers(app)
    return app
