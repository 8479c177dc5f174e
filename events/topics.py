"""Typed topics: a name, the schema of its records, and how a record is keyed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from events.brand import TopicRetention, parse_duration
from events.schemas import CaseEvent, Post, ReplyOutcome, ReplyRequest, Verdict

__all__ = ["DLQ_SUFFIX", "Topic", "Topics"]

E = TypeVar("E", bound=BaseModel)

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class Topic(Generic[E]):
    name: str
    model: type[E]
    key: Callable[[E], str]

    @property
    def dlq(self) -> str:
        """The dead-letter topic: undecodable or invalid records, with the reason in headers."""
        return self.name + DLQ_SUFFIX


@dataclass(frozen=True)
class Topics:
    """The topics of one deployment; `prefix` lets tests and tenants keep theirs apart."""

    prefix: str = "vigie"

    @property
    def posts(self) -> Topic[Post]:
        return Topic(f"{self.prefix}.posts", Post, lambda p: p.thread_id)

    @property
    def verdicts(self) -> Topic[Verdict]:
        return Topic(f"{self.prefix}.verdicts", Verdict, lambda v: v.post.thread_id)

    @property
    def cases(self) -> Topic[CaseEvent]:
        return Topic(f"{self.prefix}.cases", CaseEvent, lambda c: c.thread_id)

    @property
    def replies(self) -> Topic[ReplyRequest]:
        """Approved replies from cases, for ingest to send (keyed by thread: in order)."""
        return Topic(f"{self.prefix}.replies", ReplyRequest, lambda r: r.thread_id)

    @property
    def reply_outcomes(self) -> Topic[ReplyOutcome]:
        """What became of each reply request, for the workflow."""
        return Topic(f"{self.prefix}.reply_outcomes", ReplyOutcome, lambda r: r.reply_id)

    def retention_ms(self, retention: TopicRetention) -> dict[str, int]:
        """Each topic's `retention.ms` under a brand's topic retention (dead letters alike)."""
        def ms(duration: str) -> int:
            return int(parse_duration(duration)[0].total_seconds() * 1000)

        kept = {
            self.posts.name: ms(retention.posts),
            self.verdicts.name: ms(retention.verdicts),
            self.cases.name: ms(retention.cases),
            # Replies and their outcomes: as long as case events (they are read within seconds).
            self.replies.name: ms(retention.cases),
            self.reply_outcomes.name: ms(retention.cases),
        }
        return kept | {name + DLQ_SUFFIX: ms(retention.dead_letters) for name in kept}

    def all_names(self) -> list[str]:
        """Every topic with its dead-letter twin, for creation at start-up."""
        topics = (self.posts, self.verdicts, self.cases, self.replies, self.reply_outcomes)
        names = [t.name for t in topics]
        return names + [n + DLQ_SUFFIX for n in names]
