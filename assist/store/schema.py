"""Tables of the call history and the migrations that build them.

The schema is versioned in a one-row-per-migration table (`assist_schema`). Each migration is a
function of a connection, applied in order inside the caller's transaction, so a database is never
left half-migrated. A migration is written against the tables *as they were at that version*: when
a later version changes a table, add a new migration; never edit an old one.

Besides the normalised rows (utterances, events, checklist, metrics) each call keeps its whole
report as JSON: `get_report` must give back exactly what was stored, including fields a future
report version adds, while aggregates (the team report) run as SQL over the normalised rows.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_versions = Table(
    "assist_schema", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
    Column("description", String(200), nullable=False),
)

calls = Table(
    "calls", metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False),  # naive UTC
    Column("kind", String(16), nullable=False),  # live | replay | batch | roleplay
    Column("agent_name", String(200)),
    Column("source", String(1000)),
    Column("scenario", String(200)),
    Column("language", String(16)),
    Column("company", String(200)),
    Column("score", Integer),
    Column("duration_s", Float),
    Column("content_hash", String(64)),
    Column("lexicon_hash", String(64)),
    Column("redacted", Boolean, nullable=False),
    Column("report_json", Text, nullable=False),
    # A recording scored with one lexicon is one call: this is what makes batch runs resumable
    # and stops two workers (or two team leads) from storing it twice. NULL hashes (live calls)
    # never collide, in SQLite and PostgreSQL alike.
    UniqueConstraint("content_hash", "lexicon_hash", name="uq_calls_content_lexicon"),
)

utterances = Table(
    "utterances", metadata,
    Column("call_id", Integer, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("speaker", String(16), nullable=False),
    Column("start_s", Float),
    Column("end_s", Float),
    Column("text", Text, nullable=False),
)

events = Table(
    "events", metadata,
    Column("call_id", Integer, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("type", String(16), nullable=False),
    Column("category", String(64)),
    Column("rule", String(200)),
    Column("utterance", Integer),
    Column("speaker", String(16)),
    Column("start_s", Float),
    Column("end_s", Float),
    Column("match", Text),
    Column("suggestion", Text),
    Column("severity", String(16)),
    Column("detector", String(16)),
)

checklist = Table(
    "checklist", metadata,
    Column("call_id", Integer, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("at_s", Float),
)

metrics = Table(
    "metrics", metadata,
    Column("call_id", Integer, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Float),
)

_V1_TABLES = (calls, utterances, events, checklist, metrics)

# Version 2's indexes: the history list and the team report filter by agent and time, and
# aggregate events by category.
# Written as plain DDL (valid in SQLite and PostgreSQL) rather than Index objects: an Index bound
# to a Table would also be created by `Table.create` in migration 1, hiding whether 2 ran.
_V2_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_calls_agent_created ON calls (agent_name, created_at)",
    "CREATE INDEX IF NOT EXISTS ix_calls_created ON calls (created_at)",
    "CREATE INDEX IF NOT EXISTS ix_events_category ON events (category)",
)


def _v1(conn: Connection) -> None:
    for t in _V1_TABLES:
        t.create(conn, checkfirst=True)


def _v2(conn: Connection) -> None:
    for ddl in _V2_INDEXES:
        conn.exec_driver_sql(ddl)


# (version, description, apply). Append only.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "calls, utterances, events, checklist, metrics", _v1),
    (2, "indexes for agent/time filters and category counts", _v2),
]

LATEST = MIGRATIONS[-1][0]
