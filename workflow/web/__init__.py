"""The queue's web pages (French and English): plain HTML, CSS and JavaScript calling the REST
API from the browser. `create_router(settings)` gives the routes the API server mounts."""

from workflow.web.router import create_router

__all__ = ["create_router"]
