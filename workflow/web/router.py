"""Routes of the web pages: eight HTML shells and their assets; the data comes from /api.

Pages carry no data and need no login to load: each script asks the API with the session cookie
the login page obtained (HttpOnly, SameSite=Strict, Secure over https; shared by every tab of
the browser, so a link opened in a new tab lands where it points), and sends the reader to
/login?next=... when there is none; after login, `next` is followed only to a path of this site.
/draft-check also works without a login, with a signed link an admin made for an employee
(see workflow/api/draft_link_routes.py), and /acknowledge with a signed policy link (see
workflow/api/staff_routes.py); /settings is for admins, /staff for leads and admins.
A strict Content-Security-Policy allows only this server's own scripts and styles.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import RedirectResponse, Response

from events.settings import Settings

__all__ = ["ASSET_PREFIX", "create_router"]

ASSET_PREFIX = "/assets/vigie"
_ASSETS = files("workflow.web.assets")
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


def _page(name: str) -> Response:
    return Response(
        _ASSETS.joinpath(f"{name}.html").read_bytes(),
        media_type="text/html; charset=utf-8",
        headers=_HEADERS,
    )


def create_router(settings: Settings) -> APIRouter:
    """The pages: /queue, /cases/{id}, /stories/{id}, /draft-check, /settings, /staff,
    /acknowledge, /login, and their assets."""
    del settings  # the pages hold no server-side state; kept for the mounting convention
    router = APIRouter(include_in_schema=False)

    @router.get("/queue")
    def queue() -> Response:
        return _page("queue")

    @router.get("/cases/{case_id}")
    def case(case_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
        return _page("case")

    @router.get("/stories/{story_id}")
    def story(story_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
        return _page("story")

    @router.get("/draft-check")
    def draft_check() -> Response:
        return _page("draft")

    @router.get("/settings")
    def settings_page() -> Response:
        return _page("settings")

    @router.get("/staff")
    def staff_page() -> Response:
        return _page("staff")

    @router.get("/acknowledge")
    def acknowledge_page() -> Response:
        return _page("acknowledge")

    @router.get("/login")
    def login() -> Response:
        return _page("login")

    @router.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse("/queue")

    @router.get(ASSET_PREFIX + "/{name}")
    def asset(name: Annotated[str, Path(pattern=r"^[a-z0-9-]+\.(css|js|json|svg)$")]) -> Response:
        path = _ASSETS.joinpath(name)
        if not path.is_file():
            raise HTTPException(404, detail=f"no asset {name}")
        suffix = name[name.rindex(".") :]
        return Response(path.read_bytes(), media_type=_TYPES[suffix], headers=_HEADERS)

    return router
