"""Teams and members from the brand configuration; the admin user from VIGIE_ADMIN_PASSWORD.

Teams follow the file on every start (name, calendar, assignment). Members are seeded once: after
that the API manages them (presence, capacity, languages), and a restart does not undo it.
Every statement is an insert-if-missing, so the service and the API may seed at the same time.
"""

from __future__ import annotations

import logging

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from events.brand import BrandConfig
from events.errors import ConfigError
from events.schemas import utcnow
from workflow.db import transient_errors
from workflow.intake_posts import insert_ignore
from workflow.models import Member, Team, User

__all__ = ["check_routing_references", "ensure_admin", "seed_directory"]

log = logging.getLogger(__name__)


def check_routing_references(config: BrandConfig) -> None:
    """`@team:ID` author matchers must name a team (the brand file check covers the rest)."""
    for i, rule in enumerate(config.routing):
        for author in rule.match.authors:
            if author.startswith("@team:") and author[6:] not in config.team_ids:
                raise ConfigError(f"routing[{i}] ({rule.name}): unknown team in {author!r}")


def seed_directory(engine: Engine, config: BrandConfig) -> None:
    check_routing_references(config)
    with transient_errors("seeding teams"), Session(engine) as session:
        insert_ignore(
            session,
            Team,
            [
                {"id": t.id, "name": t.name, "calendar": t.calendar, "assignment": t.assignment}
                for t in config.teams
            ],
        )
        for team in config.teams:
            row = session.get(Team, team.id)
            if row is not None:
                row.name, row.calendar, row.assignment = team.name, team.calendar, team.assignment
        insert_ignore(
            session,
            Member,
            [
                {
                    "id": m.id,
                    "team_id": t.id,
                    "name": m.name,
                    "email": m.email,
                    "languages": list(m.languages),
                    "capacity": m.capacity,
                    "lead": m.lead,
                    "presence": "available",
                    "position": i,
                }
                for t in config.teams
                for i, m in enumerate(t.members)
            ],
        )
        session.commit()


def ensure_admin(engine: Engine, password: SecretStr | None) -> bool:
    """Create `admin` with this password if no such user exists; True when created."""
    if password is None:
        return False
    from workflow.auth import hash_password

    with transient_errors("creating the admin user"), Session(engine) as session:
        if session.exec(select(User).where(User.username == "admin")).first() is not None:
            return False
        created = insert_ignore(
            session,
            User,
            [
                {
                    "username": "admin",
                    "password_hash": hash_password(password.get_secret_value()),
                    "role": "admin",
                    "teams": [],
                    "active": True,
                    "created_at": utcnow(),
                }
            ],
        )
        session.commit()
    if created:
        log.info("created the admin user from VIGIE_ADMIN_PASSWORD")
    return bool(created)
