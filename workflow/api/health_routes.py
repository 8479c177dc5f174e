"""Liveness, readiness (the database answers) and Prometheus metrics."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from events.metrics import CONTENT_TYPE_LATEST, render_latest
from workflow.api.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """The queue page is the home page (the web router serves it; OpenAPI is at /docs)."""
    return RedirectResponse("/queue")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: StateDep) -> JSONResponse:
    """Ready when the database answers and, under `vigie up`, no service is being restarted."""
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, 503)
    services = _services(state.settings.services_state_file)
    if any(value != "running" for value in services.values()):
        return JSONResponse({"status": "unavailable", "services": services}, 503)
    return JSONResponse({"status": "ready", **({"services": services} if services else {})})


def _services(path: Path | None) -> dict[str, str]:
    """What `vigie up` says of its services; nothing when not run by it (or not written yet)."""
    if path is None:
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


@router.get("/metrics", include_in_schema=False)
def metrics(state: StateDep) -> Response:
    """The shared metrics of every process, then those this API computes at scrape time."""
    body = render_latest() + generate_latest(state.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
