"""Alembic environment: runs on the connection workflow.db.init_db hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import workflow.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from workflow.db import schema_filter

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through workflow.db.init_db(database_url)")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=schema_filter(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
