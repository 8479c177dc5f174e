"""What ingest keeps between runs: feed checkpoints, recently seen post ids, source health, and
the replies it sends (claimed before sending, so a reply is never sent twice).

Small tables (prefix `ingest_`, their own metadata, apart from the workflow's) in the ingest
database, SQLite or PostgreSQL. A checkpoint and the ids of the posts it covers are written in one
transaction, after Kafka acknowledged those posts: a restart neither misses nor repeats a post.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, MetaData, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, create_engine, select

from events.errors import ConfigError, TransientError
from events.private_files import private_sqlite_file

__all__ = [
    "CheckpointRow",
    "FeedPosition",
    "IngestStore",
    "ReadUsage",
    "ReplyClaim",
    "ReplyRow",
    "SeenPost",
    "SourceHealthRow",
]

log = logging.getLogger(__name__)


def _utc_column(*, nullable: bool = True, index: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class IngestTable(SQLModel):
    metadata = MetaData()


class CheckpointRow(IngestTable, table=True):
    __tablename__ = "ingest_checkpoint"

    source: str = Field(primary_key=True, max_length=40)
    feed: str = Field(primary_key=True, max_length=300)
    high_water: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=2000)
    run_high: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(sa_column=_utc_column(nullable=False))


class ReadUsage(IngestTable, table=True):
    """Posts read from a capped platform, per UTC day (what its monthly cap counts)."""

    __tablename__ = "ingest_read_usage"

    source: str = Field(primary_key=True, max_length=40)
    day: str = Field(primary_key=True, max_length=10, description="ISO date, UTC.")
    posts: int = 0


class SeenPost(IngestTable, table=True):
    __tablename__ = "ingest_seen_post"

    post_id: str = Field(primary_key=True, max_length=300)
    source: str = Field(max_length=60)
    seen_at: datetime = Field(sa_column=_utc_column(nullable=False, index=True))


class SourceHealthRow(IngestTable, table=True):
    __tablename__ = "ingest_source_health"

    source: str = Field(primary_key=True, max_length=60)
    state: str = Field(default="starting", max_length=20)
    started_at: datetime = Field(sa_column=_utc_column(nullable=False))
    last_success_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_error_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_error: str | None = Field(default=None, max_length=500)
    errors_total: int = 0
    posts_total: int = 0
    rate_limit_remaining: int | None = None
    rate_limit_reset_at: datetime | None = Field(default=None, sa_column=_utc_column())
    newest_post_at: datetime | None = Field(default=None, sa_column=_utc_column())
    last_post_at: datetime | None = Field(default=None, sa_column=_utc_column())
    blind_after_seconds: float = 0.0
    updated_at: datetime = Field(sa_column=_utc_column(nullable=False))


class ReplyRow(IngestTable, table=True):
    """One reply request carried out, keyed by the workflow's reply id: `sending` while the
    platform is called (left so by a crash: the next delivery checks before sending again),
    then `sent`, `failed` or `unknown`; `pending` between retries of a platform outage."""

    __tablename__ = "ingest_reply"

    reply_id: str = Field(primary_key=True, max_length=64)
    attempt: int = 1
    platform: str = Field(max_length=40)
    state: str = Field(max_length=10)
    tries: int = 0
    platform_post_id: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    reason: str | None = Field(default=None, max_length=1000)
    started_at: datetime = Field(sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(sa_column=_utc_column(nullable=False))


@dataclass(frozen=True)
class ReplyClaim:
    """What to do with a reply request: `send` it (this process holds the claim), `check` the
    platform (an earlier send was interrupted), or `report` the stored outcome again."""

    action: str
    row: ReplyRow


@dataclass(frozen=True)
class FeedPosition:
    """Where a newest-first paged feed stands.

    high_water: the newest key fully ingested; cursor: the next page of an unfinished run;
    run_high: the newest key seen by that run (becomes high_water when the run completes).
    """

    high_water: str | None = None
    cursor: str | None = None
    run_high: str | None = None


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        private_sqlite_file(url)  # owner-only, like the workflow's database
        return create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    return create_engine(url, pool_pre_ping=True)


class IngestStore:
    def __init__(self, url: str) -> None:
        try:
            self.engine = _engine(url)
            self._create_tables()
        except SQLAlchemyError as exc:
            raise ConfigError(f"ingest database {make_url(url).render_as_string()}: {exc}") from exc
        except ValueError as exc:
            raise ConfigError(f"ingest database URL is invalid: {exc}") from exc

    def _create_tables(self) -> None:
        try:
            IngestTable.metadata.create_all(self.engine)
        except (OperationalError, ProgrammingError):  # another process created them meanwhile
            IngestTable.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def position(self, source: str, feed: str) -> FeedPosition:
        with self._session() as session:
            row = session.get(CheckpointRow, (source, feed))
            if row is None:
                return FeedPosition()
            return FeedPosition(row.high_water, row.cursor, row.run_high)

    def unseen(self, post_ids: Iterable[str]) -> set[str]:
        """The ids among `post_ids` that no source ingested yet."""
        ids = set(post_ids)
        if not ids:
            return ids
        with self._session() as session:
            known = set(session.exec(select(SeenPost.post_id).where(SeenPost.post_id.in_(ids))))  # type: ignore[attr-defined]
        return ids - known

    def advance(
        self, source: str, feed: str, position: FeedPosition, post_ids: Iterable[str]
    ) -> None:
        """Record the new position and the posts it covers, atomically."""
        now = datetime.now(UTC)
        with self._session() as session:
            self._insert_seen(session, source, post_ids, now)
            row = session.get(CheckpointRow, (source, feed)) or CheckpointRow(
                source=source, feed=feed, updated_at=now
            )
            row.high_water, row.cursor, row.run_high = (
                position.high_water,
                position.cursor,
                position.run_high,
            )
            row.updated_at = now
            session.add(row)
            session.commit()

    def remember(self, source: str, post_ids: Iterable[str]) -> None:
        """Record posts ingested outside a feed (webhooks)."""
        with self._session() as session:
            self._insert_seen(session, source, post_ids, datetime.now(UTC))
            session.commit()

    def forget_seen_before(self, moment: datetime) -> int:
        with self._session() as session:
            statement = delete(SeenPost).where(SeenPost.seen_at < moment)  # type: ignore[arg-type]
            result = session.exec(statement)
            session.commit()
            return int(result.rowcount or 0)

    def add_read(self, source: str, day: str, posts: int) -> None:
        """Count `posts` read today (an upsert, safe across replicas)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(ReadUsage).values(source=source, day=day, posts=posts)
        statement = insert.on_conflict_do_update(
            index_elements=["source", "day"], set_={"posts": ReadUsage.posts + insert.excluded.posts}
        )
        with self._session() as session:
            session.exec(statement)
            session.commit()

    def reads_since(self, source: str, first_day: str) -> dict[str, int]:
        """Posts read per day from `first_day` (ISO dates compare as text)."""
        with self._session() as session:
            rows = session.exec(
                select(ReadUsage).where(ReadUsage.source == source, ReadUsage.day >= first_day)
            )
            return {row.day: row.posts for row in rows}

    def claim_reply(self, reply_id: str, attempt: int, platform: str) -> ReplyClaim:
        """Claim a reply for sending, atomically (the row is written before the platform is
        called): a new reply, a retry between outages, or a person's new attempt at a failed
        one is `send`; a row left `sending` is `check`; anything else is `report`."""
        now = datetime.now(UTC)
        with self._session() as session:
            row = session.get(ReplyRow, reply_id, with_for_update=True)
            if row is None:
                row = ReplyRow(
                    reply_id=reply_id,
                    attempt=attempt,
                    platform=platform,
                    state="sending",
                    started_at=now,
                    updated_at=now,
                )
                session.add(row)
                action = "send"
            elif (row.state == "pending" and attempt == row.attempt) or (
                row.state in ("failed", "unknown") and attempt > row.attempt
            ):
                if attempt > row.attempt:
                    row.attempt, row.tries = attempt, 0
                row.state, row.reason, row.updated_at = "sending", None, now
                action = "send"
            elif row.state == "sending" and attempt == row.attempt:
                action = "check"
            else:
                action = "report"
            try:
                session.commit()
            except IntegrityError:  # another replica inserted it first: its claim stands
                session.rollback()
                row = session.get(ReplyRow, reply_id)
                assert row is not None
                return ReplyClaim("check" if row.state == "sending" else "report", row)
            session.refresh(row)
            session.expunge(row)
            return ReplyClaim(action, row)

    def finish_reply(
        self,
        reply_id: str,
        state: str,
        *,
        platform_post_id: str | None = None,
        url: str | None = None,
        reason: str | None = None,
        tried: bool = False,
    ) -> ReplyRow:
        """Record what the platform said (`pending`: an outage, try again later)."""
        with self._session() as session:
            row = session.get(ReplyRow, reply_id)
            assert row is not None, f"reply {reply_id} was never claimed"
            row.state, row.platform_post_id, row.url = state, platform_post_id, url
            row.reason = reason[:1000] if reason else None
            row.tries += int(tried)
            row.updated_at = datetime.now(UTC)
            session.commit()
            session.refresh(row)
            session.expunge(row)
            return row

    def save_health(self, row: SourceHealthRow) -> None:
        with self._session() as session:
            session.merge(row)
            session.commit()

    def health(self) -> list[SourceHealthRow]:
        with self._session() as session:
            rows = list(session.exec(select(SourceHealthRow).order_by(SourceHealthRow.source)))
        for row in rows:
            for name in (
                "started_at",
                "last_success_at",
                "last_error_at",
                "rate_limit_reset_at",
                "newest_post_at",
                "last_post_at",
                "updated_at",
            ):
                setattr(row, name, _aware(getattr(row, name)))
        return rows

    def _insert_seen(
        self, session: Session, source: str, post_ids: Iterable[str], now: datetime
    ) -> None:
        values = [{"post_id": pid, "source": source, "seen_at": now} for pid in set(post_ids)]
        if not values:
            return
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(SeenPost).values(values).on_conflict_do_nothing()
        session.exec(statement)

    def _session(self) -> _GuardedSession:
        return _GuardedSession(self.engine)


class _GuardedSession(Session):
    """A session whose database failures come out as TransientError (retry, never drop)."""

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        super().__exit__(exc_type, exc, tb)
        if isinstance(exc, OperationalError):
            raise TransientError(f"ingest database unavailable: {exc}") from exc


def retention_cutoff(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
