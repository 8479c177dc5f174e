"""Queue filters added by migration 0002: platform, and text search served by a trigram index
on PostgreSQL (SQLite keeps LIKE over a scan); the migration itself, up and down."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from events.schemas import utcnow
from workflow.auth import Role
from workflow.db import MIGRATIONS, init_db
from workflow.models import Case
from workflow.principal import Principal
from workflow.queries import QueueFilter, queue_statement

ADMIN = Principal(username="admin", role=Role.admin, teams=frozenset())


def complaint(make_verdict: Any, text: str, platform: str = "x") -> Any:
    return make_verdict(text, (("complaint", "normal"),), platform=platform)


def test_platform_filter_is_applied_by_the_server(api: Any, make_verdict: Any) -> None:
    api.feed(
        complaint(make_verdict, "colis perdu"),
        complaint(make_verdict, "facture doublée"),
        complaint(make_verdict, "réseau coupé", "mastodon"),
        complaint(make_verdict, "remboursement?", "bluesky"),
    )
    assert [c["summary"] for c in api.cases(platform="mastodon")] == ["réseau coupé"]
    assert {c["platform"] for c in api.cases(platform=["x", "bluesky"])} == {"x", "bluesky"}
    assert len(api.cases(platform=["x", "bluesky"])) == 3
    assert len(api.cases(platform="MASTODON")) == 1
    assert api.cases(platform="tiktok") == []
    pages, cursor = [], None
    while True:
        params = {"platform": "x", "limit": 1} | ({"cursor": cursor} if cursor else {})
        body = api.as_("admin", "GET", "/api/cases", params=params).json()
        pages.append([c["summary"] for c in body["items"]])
        if not (cursor := body["next_cursor"]):
            break
    assert [s for page in pages for s in page] in (
        ["colis perdu", "facture doublée"],
        ["facture doublée", "colis perdu"],
    )
    assert len(pages) == 2
    bad = api.as_("admin", "GET", "/api/cases", params={"platform": "x; drop"})
    assert bad.status_code == 422 and "platform" in str(bad.json()["detail"])


def test_text_search_takes_wildcards_literally(api: Any, make_verdict: Any) -> None:
    api.feed(
        complaint(make_verdict, "Rabais de 50% promis, jamais appliqué"),
        complaint(make_verdict, "Le code promo_ete ne marche pas"),
        complaint(make_verdict, "Le code promoXete non plus"),
        complaint(make_verdict, "Frais de 50 $ sur ma facture"),
    )

    def found(text: str) -> list[str]:
        return sorted(c["summary"] for c in api.cases(q=text))

    assert found("50%") == ["Rabais de 50% promis, jamais appliqué"]
    assert found("%") == ["Rabais de 50% promis, jamais appliqué"]
    assert found("promo_ete") == ["Le code promo_ete ne marche pas"]
    assert found("JAMAIS APPLIQUÉ") == ["Rabais de 50% promis, jamais appliqué"]
    assert len(found("le code promo")) == 2
    assert found("50") == ["Frais de 50 $ sur ma facture", "Rabais de 50% promis, jamais appliqué"]
    assert found("introuvable") == []
    assert found("_") == ["Le code promo_ete ne marche pas"]
    assert found("\\") == []


def _indexes(engine: sa.Engine) -> dict[str, str]:
    """Index name -> its definition (PostgreSQL) or columns (SQLite), for table cases."""
    if engine.dialect.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases'"
        with engine.connect() as connection:
            return dict(connection.execute(sa.text(query)).all())  # type: ignore[arg-type]
    return {i["name"]: str(i["column_names"]) for i in sa.inspect(engine).get_indexes("cases")}


def test_the_trigram_index_serves_text_search_on_postgresql_only(
    engine: sa.Engine, make_verdict: Any
) -> None:
    indexes = _indexes(engine)
    assert "platform" in indexes["ix_cases_platform_queue"]
    if engine.dialect.name == "sqlite":
        assert "ix_cases_search_trgm" not in indexes  # SQLite searches with LIKE over a scan
        return
    assert "gin (search_text gin_trgm_ops)" in indexes["ix_cases_search_trgm"]
    statement = queue_statement(ADMIN, QueueFilter(text="promo_ete 50%"), limit=51)
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.begin() as connection:
        # On a table this small the planner would rather scan: forbid it, to see that the
        # index can answer the query exactly as the API writes it (escapes and all).
        connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
        connection.execute(sa.text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(r[0] for r in connection.execute(sa.text(f"EXPLAIN {compiled}")))
    assert "ix_cases_search_trgm" in plan, plan


def _alembic(connection: sa.Connection, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)
    connection.commit()


def test_migration_0002_goes_down_and_up_again_keeping_cases(database_url: str) -> None:
    engine = init_db(database_url)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Case.__table__),  # type: ignore[attr-defined]
            [
                {
                    "thread_id": "x:1",
                    "concern": "complaint",
                    "platform": "x",
                    "author_id": "a",
                    "author_handle": "a",
                    "lang": "fr",
                    "state": "new",
                    "severity": "normal",
                    "labels": ["complaint"],
                    "summary": "s",
                    "search_text": "colis perdu",
                    "restricted": False,
                    "post_count": 1,
                    "opened_at": utcnow(),
                    "updated_at": utcnow(),
                    "sla_state": "ok",
                    "sort_due": utcnow(),
                    "version": 1,
                }
            ],
        )
    with engine.connect() as connection:
        _alembic(connection, "downgrade", "0001")
    assert "reviewed_by" not in {c["name"] for c in sa.inspect(engine).get_columns("tasks")}
    assert not {"ix_cases_platform_queue", "ix_cases_search_trgm"} & set(_indexes(engine))
    assert "ix_tasks_open_counts" not in {
        i["name"] for i in sa.inspect(engine).get_indexes("tasks")
    }
    with engine.connect() as connection:
        _alembic(connection, "upgrade", "head")
        assert connection.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 1
    assert "reviewed_by" in {c["name"] for c in sa.inspect(engine).get_columns("tasks")}
    assert "ix_tasks_open_counts" in {i["name"] for i in sa.inspect(engine).get_indexes("tasks")}
    engine.dispose()
