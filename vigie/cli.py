"""Entry point: importing the command modules registers their commands on the app."""

from vigie.app import app, main
from vigie.commands import (  # noqa: F401  (registers commands)
    admin,
    alerts,
    classify,
    config,
    ingest,
    privacy,
    up,
    workflow,
)

__all__ = ["app", "main"]

if __name__ == "__main__":  # pragma: no cover
    main()
