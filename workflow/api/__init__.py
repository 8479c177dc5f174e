"""The queue's REST API (FastAPI; OpenAPI at /docs).

`create_app(settings)` migrates the database, seeds teams and members from the brand
configuration and the `admin` user from VIGIE_ADMIN_PASSWORD, and mounts the routes. Refusals
are 4xx with a reason; a database outage is 503; user input never causes a 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from events.brand import load_brand_config
from events.errors import TransientError
from events.settings import Settings
from workflow.api import (
    auth_routes,
    case_routes,
    draft_link_routes,
    health_routes,
    names_routes,
    privacy_routes,
    report_routes,
    security_routes,
    team_routes,
    user_routes,
)
from workflow.api.deps import AppState
from workflow.api.open_cases import OpenCasesCollector
from workflow.auth import limit_hashing
from workflow.book import PolicyBook
from workflow.config import WorkflowSettings
from workflow.db import init_db
from workflow.errors import Conflict, WorkflowError
from workflow.seed import ensure_admin, seed_directory

__all__ = ["create_app"]


def create_app(settings: Settings) -> FastAPI:
    config = load_brand_config(settings.brand_config)
    options = WorkflowSettings()
    limit_hashing(options.hash_concurrency, options.hash_wait_seconds)
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
        names_routes,
        draft_link_routes,
        security_routes,
        privacy_routes,
    ):
        app.include_router(module.router)
    _handle_errors(app)
    return app


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(WorkflowError)
    def refused(_request: Request, exc: WorkflowError) -> JSONResponse:
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, Conflict) and exc.current_version is not None:
            body["current_version"] = exc.current_version
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return JSONResponse(body, status_code=exc.status, headers=headers)

    @app.exception_handler(StaleDataError)
    def stale(_request: Request, _exc: StaleDataError) -> JSONResponse:
        return JSONResponse({"detail": "the case changed while you acted on it; reload it"}, 409)

    @app.exception_handler(IntegrityError)
    def integrity(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            {"detail": "this conflicts with the current data; reload and retry"}, 409
        )

    @app.exception_handler(OperationalError)
    def database_down(_request: Request, _exc: OperationalError) -> JSONResponse:
        return JSONResponse(
            {"detail": "temporarily unavailable: the database does not answer"},
            503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(TransientError)
    def unavailable(_request: Request, exc: TransientError) -> JSONResponse:
        return JSONResponse(
            {"detail": f"temporarily unavailable: {exc}"}, 503, headers={"Retry-After": "5"}
        )
