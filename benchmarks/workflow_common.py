"""What the workflow benchmarks share: throw-away databases and synthetic verdicts."""

from __future__ import annotations

import random
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from events.schemas import Author, Evidence, LabelVerdict, Post, Source, Verdict

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

LABELS = [
    ("complaint", "normal"),
    ("rumour", "high"),
    ("press_inquiry", "high"),
    ("risky_disclosure", "critical"),
    ("security_threat", "critical"),
    ("harassment", "high"),
    ("copyright", "normal"),
    ("missing_disclaimer", "low"),
    ("personal_data_exposed", "high"),
    ("investor_sensitive", "critical"),
]
CHATTER = [
    "Belle journée à Montréal",
    "Nice phone, love the camera",
    "On se voit au match ce soir",
    "Le réseau est correct aujourd'hui",
    "Just switched plans, all good",
]
QUESTIONS = [
    "@LaurentiaMobile vous ouvrez à quelle heure dimanche?",
    "@LaurentiaMobile how do I transfer my number?",
]


@contextmanager
def scratch_database(kind: str, admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A new empty database (PostgreSQL) or file (SQLite), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"vigie_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def synthetic_verdicts(count: int, *, seed: int = 7, threads: int | None = None) -> list[Verdict]:
    """A realistic mix: 40 % labeled (some several labels), 10 % questions to the brand, 50 %
    chatter; replies share threads so some posts join open cases."""
    rng = random.Random(seed)
    threads = threads or max(1, count // 3)
    start = datetime(2026, 1, 12, 14, 0, tzinfo=UTC)
    evidence = [
        Evidence(kind="span", detector="keywords", version="1", text="commande", start=0, end=8)
    ]
    verdicts = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.4:
            picked = rng.sample(LABELS, 2 if rng.random() < 0.15 else 1)
            labels = [
                LabelVerdict(label=name, score=0.8, severity=sev, evidence=evidence)
                for name, sev in picked
            ]
            text = f"Problème numéro {i}: toujours pas reçu ma commande"
        else:
            labels = []
            text = rng.choice(QUESTIONS if roll < 0.5 else CHATTER)
        thread = rng.randrange(threads)
        post = Post(
            platform="x",
            platform_post_id=f"b{seed}-{i}",
            url=None,
            author=Author(id=f"a{rng.randrange(count)}", handle=f"client{i}"),
            source=Source.mention,
            text=text,
            lang=rng.choice(["fr", "en"]),
            created_at=start + timedelta(seconds=i),
            conversation_id=f"c{thread}",
        )
        verdicts.append(
            Verdict(post=post, lang=post.lang or "fr", labels=labels, model_version="bench")
        )
    return verdicts
