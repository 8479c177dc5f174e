"""The pre-publication check (« Réfléchissez avant de poster »): a draft in, what Vigie would flag.

Served by the API process as POST /api/draft-check; the composition root adds authentication.
Nothing typed here is stored or sent anywhere: the draft is classified in memory and forgotten.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from classify.engine import Engine
from classify.item import Item
from events.schemas import LabelVerdict, Source, ValidatedInput
from events.settings import Settings

__all__ = ["Draft", "DraftVerdict", "create_router"]


class Draft(ValidatedInput):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5_000, description="The post as it would be published.")
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="Default: detected.")
    bio: str | None = Field(default=None, max_length=2_000, description="The author's profile bio.")


class DraftVerdict(BaseModel):
    lang: str
    labels: list[LabelVerdict]
    notes: list[str]
    model_version: str
    detector_versions: dict[str, str]


def create_router(settings: Settings, **router_options: Any) -> APIRouter:
    """POST /api/draft-check with the brand's engine, loaded once when the API starts."""
    engine = Engine.from_settings(settings)
    engine.warm_up()
    router = APIRouter(prefix="/api", tags=["draft check"], **router_options)

    @router.post("/draft-check", response_model=DraftVerdict)
    async def draft_check(draft: Draft) -> DraftVerdict:
        """What Vigie would flag in this draft staff post, and why; the draft is not stored."""
        item = Item(text=draft.text, lang=draft.lang, bio=draft.bio, source=Source.staff)
        result = await run_in_threadpool(engine.classify_one, item)
        return DraftVerdict(
            lang=result.lang,
            labels=result.labels,
            notes=result.notes,
            model_version=engine.model_version,
            detector_versions=engine.detector_versions,
        )

    return router
