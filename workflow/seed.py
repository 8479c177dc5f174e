"""Teams and members from the brand configuration; the admin user from VIGIE_ADMIN_PASSWORD
(created with it, or given it when the stored password differs); passwords set from the CLI.

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

__all__ = [
    "ADMIN",
    "admin_exists",
    "check_routing_references",
    "ensure_admin",
    "seed_directory",
    "set_password",
]

ADMIN = "admin"

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


def admin_exists(engine: Engine) -> bool:
    with transient_errors("reading the admin user"), Session(engine) as session:
        return session.exec(select(User).where(User.username == ADMIN)).first() is not None


def ensure_admin(engine: Engine, password: SecretStr | None) -> str | None:
    """Make VIGIE_ADMIN_PASSWORD the `admin` password: create the user with it, or set it on the
    existing one when it no longer matches (the variable is the operator's word, so a restart with
    it set always lets them in). Returns "created", "updated", "unchanged", or None without one."""
    if password is None:
        return None
    from workflow.auth import hash_password, verify_password

    secret = password.get_secret_value()
    with transient_errors("creating the admin user"), Session(engine) as session:
        user = session.exec(select(User).where(User.username == ADMIN)).first()
        if user is not None:
            if verify_password(secret, user.password_hash):
                return "unchanged"
        else:
            created = insert_ignore(session, User, [_admin_row(hash_password(secret))])
            session.commit()
            if created:
                log.info("created the admin user")
                return "created"
    # Exists with another password (or was created meanwhile by a process with the same variable).
    set_password(engine, ADMIN, secret)
    log.warning("set the admin password from VIGIE_ADMIN_PASSWORD (it differed from the stored one)")
    return "updated"


def set_password(
    engine: Engine, username: str, password: str, *, create_admin: bool = False, actor: str = "cli"
) -> bool:
    """Set a user's password from the command line or VIGIE_ADMIN_PASSWORD, as an admin's reset
    does: every session and API token of theirs ends (whoever held the old password may have
    made them), and the security log records it. With `create_admin`, a missing `admin` is
    created. False when there is no such user."""
    from workflow.auth import hash_password, revoke_tokens
    from workflow.security_log import SecurityKind, record

    hashed = hash_password(password)
    with transient_errors("setting a password"), Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            if not (create_admin and username == ADMIN):
                return False
            insert_ignore(session, User, [_admin_row(hashed)])
            session.commit()
            return True
        user.password_hash = hashed
        revoked = revoke_tokens(session, user)
        record(session, SecurityKind.password_reset, at=utcnow(), username=username, actor=actor,
               revoked_tokens=revoked)
        session.commit()
    return True


def _admin_row(password_hash: str) -> dict[str, object]:
    return {
        "username": ADMIN,
        "password_hash": password_hash,
        "role": "admin",
        "teams": [],
        "active": True,
        "created_at": utcnow(),
    }
