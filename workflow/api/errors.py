"""Every refusal in one shape, `ErrorBody`, and nothing the caller sent echoed back.

4xx bodies carry `detail`, always a sentence; a request that does not fit the schema also lists
each field's problem in `errors` (where and why, never the submitted value: it may be a
password). An unexpected exception answers 500 and is logged with its stack but without its
message, which may quote request values.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events.errors import TransientError
from workflow.errors import Conflict, WorkflowError

__all__ = [
    "ErrorBody",
    "FieldError",
    "document_errors",
    "errors",
    "install_error_handlers",
    "scrubbed_stack",
]

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: e.g. ['body', 'name'] or ['query', 'until'].")
    msg: str
    type: str


class ErrorBody(BaseModel):
    """What every 4xx and 5xx answer carries."""

    detail: str = Field(description="Why the request was refused, in one sentence.")
    errors: list[FieldError] | None = Field(
        default=None, description="Each field that does not fit the schema (422 only)."
    )
    current_version: int | None = Field(
        default=None, description="On 409: the case's version now; read it again, then retry."
    )


def _body(detail: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail} | {k: v for k, v in extra.items() if v is not None}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors without `input` and `ctx`, which repeat what was submitted."""
    return [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
            "msg": str(e.get("msg", "invalid")),
            "type": str(e.get("type", "value_error")),
        }
        for e in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(_ScrubbedServerErrors)

    @app.exception_handler(RequestValidationError)
    def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5])
        return JSONResponse(_body(f"invalid request: {where}", errors=errors), 422)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (methods := _methods_of(request)):
            # Starlette lists the methods of the first route matching the path; there may be more.
            headers["Allow"] = ", ".join(methods)
        return JSONResponse(_body(detail), exc.status_code, headers=headers)

    @app.exception_handler(WorkflowError)
    def refused(_request: Request, exc: WorkflowError) -> JSONResponse:
        version = exc.current_version if isinstance(exc, Conflict) else None
        retry_after = getattr(exc, "retry_after", None)  # a throttled login says when to retry
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return JSONResponse(_body(str(exc), current_version=version), exc.status, headers=headers)

    @app.exception_handler(StaleDataError)
    def stale(_request: Request, _exc: StaleDataError) -> JSONResponse:
        return JSONResponse(_body("the case changed while you acted on it; reload it"), 409)

    @app.exception_handler(IntegrityError)
    def integrity(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return JSONResponse(_body("this conflicts with the current data; reload and retry"), 409)

    @app.exception_handler(OperationalError)
    def database_down(_request: Request, _exc: OperationalError) -> JSONResponse:
        return JSONResponse(
            _body("temporarily unavailable: the database does not answer"),
            503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(TransientError)
    def unavailable(_request: Request, exc: TransientError) -> JSONResponse:
        # The cause names hosts and users of the infrastructure: for the log, not the caller.
        log.warning("answering 503: %s", exc)
        return JSONResponse(
            _body("temporarily unavailable: the database does not answer; retry later"),
            503,
            headers={"Retry-After": "5"},
        )


def _methods_of(request: Request) -> list[str] | None:
    """The methods the OpenAPI document lists for the request's path (None: not documented)."""
    paths = request.app.openapi().get("paths", {})
    if request.url.path in paths:  # a literal path wins over a template (/api/cases/bulk)
        return sorted(method.upper() for method in paths[request.url.path])
    for path, item in paths.items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        if re.fullmatch(pattern, request.url.path):
            return sorted(method.upper() for method in item)
    return None


def scrubbed_stack(exc: BaseException) -> str:
    """The stack of `exc` and its causes, with exception types but not their messages."""
    parts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(parts) < 10:
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{frames}{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n-- caused by --\n".join(reversed(parts))


class _ScrubbedServerErrors:
    """Answers an unhandled exception with a 500 and logs it scrubbed, instead of letting the
    server log a traceback whose message may carry request values (a password, a token)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error(
                "unhandled %s on %s %s\n%s",
                type(exc).__name__,
                scope.get("method"),
                scope.get("path"),
                scrubbed_stack(exc),
            )
            if not started:
                response = JSONResponse(_body("internal error: it is logged; retry later"), 500)
                await response(scope, receive, send)


# --- documentation --------------------------------------------------------------------------------

_WHY = {
    400: "The body cannot be parsed at all: the reason says why.",
    401: "Missing, expired or revoked token: log in at POST /api/auth/token.",
    403: "Your role or team scope does not allow this: the reason says what it needs.",
    404: "No such resource, or not in your scope.",
    409: "The data changed since you read it, or this conflicts with it: reload, then retry.",
    413: "The body is too large.",
    415: "The body is not of a supported media type.",
    422: "The request does not fit the schema (each field in `errors`), or the action does not "
    "apply now: `detail` says why.",
    428: "Precondition required: send the version you read.",
    429: "Too many attempts: retry after Retry-After seconds.",
    503: "Temporarily unavailable (the database or Kafka): retry after Retry-After seconds.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route's refusals, all in the shape of ErrorBody."""
    return {code: {"model": ErrorBody, "description": _WHY[code]} for code in codes}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Make the OpenAPI document say what the API answers, as rules rather than per route:

    - every 4xx and 5xx is an ErrorBody (FastAPI documents its own 422 list shape otherwise);
    - an authenticated operation may answer 401 and 403, one with a path parameter 404, one
      that writes 409, one with parameters or a body 422, and any 503.
    """
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for name, definition in ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    ).pop("$defs", {}).items():
        schemas[name] = definition
    schemas["ErrorBody"] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    schemas["ErrorBody"].pop("$defs", None)
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            params = operation.get("parameters", [])
            codes = {503}
            if operation.get("security"):
                codes |= {401, 403}
            if any(p.get("in") == "path" for p in params):
                codes.add(404)
            if method in ("post", "put", "patch", "delete"):
                codes.add(409)
            if params or "requestBody" in operation:
                codes.add(422)
            if "requestBody" in operation:
                codes.add(400)  # a body that cannot be parsed at all
            for code in sorted(codes):
                responses.setdefault(str(code), {"description": _WHY[code]})
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = error_content
                    if response.get("description") in (None, "", "Validation Error"):
                        response["description"] = _WHY.get(int(code), "Refused.")
    return schema
