"""The call history: every scored call (live, replay, batch, role-play) with its utterances, events,
checklist, metrics and score. SQLite in the user's data dir by default; any SQLAlchemy URL (a
team's shared PostgreSQL) with `--db`.

Each save is one transaction: a crash loses nothing already written and never leaves half a call.
Stored text is redacted (DESIGN.md privacy) unless the caller opts out.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, SQLAlchemyError

from assist.errors import AssistError, InputError
from assist.store import schema as S

KINDS = ("live", "replay", "batch", "roleplay")


@dataclass(frozen=True)
class CallSummary:
    id: int
    created_at: datetime  # naive UTC
    kind: str
    agent_name: str | None
    source: str | None
    scenario: str | None
    score: int | None
    duration_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "created_at": self.created_at.isoformat(timespec="seconds") + "Z", "kind": self.kind,
                "agent_name": self.agent_name, "source": self.source, "scenario": self.scenario,
                "score": self.score, "duration_s": self.duration_s}


def default_url() -> str:
    from assist.config import data_dir

    return f"sqlite:///{data_dir() / 'history.sqlite3'}"


def resolve_url(url: str | None) -> str:
    """`--db` value, else the settings file's db_url, else SQLite in the data dir. A bare path is
    taken as a SQLite file, which is what people type; anything else must be a database URL."""
    if not url:
        from assist.config import load_config

        url = load_config().db_url or default_url()
    url = url.strip()
    if "://" not in url:
        # A bare path. "::::" or "host:5432/db" is a URL typed wrong, not a file name to create.
        if not url or ":" in (url[2:] if re.match(r"[A-Za-z]:[\\/]", url) else url):
            raise InputError(f"--db: {url!r} is neither a database URL (sqlite:///PATH, "
                             "postgresql+psycopg://USER@HOST/DB) nor a file path")
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def parse_since(since: str | date | datetime | None) -> datetime | None:
    """A date or datetime (ISO 8601) -> naive UTC datetime, the form stored in `created_at`."""
    if since is None or since == "":
        return None
    if isinstance(since, datetime):
        return since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    if isinstance(since, date):
        return datetime(since.year, since.month, since.day)
    try:
        return parse_since(datetime.fromisoformat(str(since).strip().replace("Z", "+00:00")))
    except ValueError:
        raise InputError(f"--since: not a date {since!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _f(x: Any) -> float | None:
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


class _SqliteMode:
    """Whether connections may write. Opening starts read-only (looking at a file must not change
    it: WAL mode rewrites the header) and becomes read-write once the file is known to be ours."""

    def __init__(self, read_only: bool) -> None:
        self.read_only = read_only


def _sqlite_pragmas(engine: Engine, mode: _SqliteMode) -> None:
    """SQLite: real transactions (pysqlite's legacy mode would commit DDL implicitly and start
    transactions late), a write lock taken at BEGIN so concurrent writers queue instead of
    deadlocking, WAL so readers never block, and foreign keys on for the cascades. A read-only
    connection (history, report; or a first look at a file) sets neither WAL nor the write lock:
    it must not write a byte."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        cur.execute("PRAGMA foreign_keys = ON")
        if not mode.read_only:
            with contextlib.suppress(Exception):  # read-only media: the default journal still works
                cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if mode.read_only else "BEGIN IMMEDIATE")


class Store:
    """Call history behind one SQLAlchemy engine. Use `open_store()`; close with `close()` (or `with`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ schema
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, S.schema_versions.name):
                return 0
            v = conn.execute(select(func.max(S.schema_versions.c.version))).scalar()
            return int(v or 0)

    def migrate(self, target: int | None = None) -> list[int]:
        """Apply pending migrations (up to `target`) in one transaction; returns the versions applied."""
        target = S.LATEST if target is None else target
        applied: list[int] = []
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # two processes opening a fresh team database at once must not both migrate it
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7301966)")
            S.schema_versions.create(conn, checkfirst=True)
            current = int(conn.execute(select(func.max(S.schema_versions.c.version))).scalar() or 0)
            if current > S.LATEST:
                raise AssistError(f"call history {self.url} has schema version {current}, newer than this "
                                  f"assist understands ({S.LATEST}); upgrade assist")
            for version, desc, apply in S.MIGRATIONS:
                if current < version <= target:
                    apply(conn)
                    conn.execute(insert(S.schema_versions).values(version=version, applied_at=_now(),
                                                                  description=desc))
                    applied.append(version)
        return applied

    # ------------------------------------------------------------------ writing
    def save_call(self, report: dict[str, Any], *, kind: str, agent_name: str | None = None,
                  content_hash: str | None = None, lexicon_hash: str | None = None, scenario: str | None = None,
                  redact: bool = True, created_at: datetime | None = None, update: bool = False) -> int:
        """Store one call in one transaction; returns its id. A call with the same content and
        lexicon hashes as a stored one is not stored again: the stored call's id is returned —
        with `update`, after replacing what is stored for it by this report (a replay seen again)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if redact:
            from assist.redact import redact_report

            report = redact_report(report)
        call = report.get("call", {}) or {}
        agent = agent_name or call.get("agent_name") or None
        score = report.get("score")
        row = {
            "created_at": parse_since(created_at) or _now(), "kind": kind, "agent_name": agent,
            "source": None if call.get("source") is None else str(call.get("source")),
            "scenario": scenario or call.get("scenario"), "language": call.get("language"),
            "company": call.get("company"), "score": None if score is None else int(round(float(score))),
            "duration_s": _f(call.get("duration_s")), "content_hash": content_hash, "lexicon_hash": lexicon_hash,
            "redacted": bool(redact), "report_json": json.dumps(report, ensure_ascii=False, default=str),
        }
        if content_hash is not None:
            existing = self.find_call(content_hash, lexicon_hash)
            if existing is not None:
                if update:
                    self._replace(existing, row, report)
                return existing
        try:
            with self.engine.begin() as conn:
                call_id = int(conn.execute(insert(S.calls).values(**row).returning(S.calls.c.id)).scalar_one())
                self._insert_children(conn, call_id, report)
        except IntegrityError:
            # another process stored the same recording between our check and our insert
            existing = self.find_call(content_hash, lexicon_hash) if content_hash is not None else None
            if existing is None:
                raise
            return existing
        return call_id

    def _replace(self, call_id: int, row: dict[str, Any], report: dict[str, Any]) -> None:
        """The stored call `call_id` becomes `report`, in one transaction (same id)."""
        with self.engine.begin() as conn:
            for t in (S.utterances, S.events, S.checklist, S.metrics):
                conn.execute(t.delete().where(t.c.call_id == call_id))
            conn.execute(S.calls.update().where(S.calls.c.id == call_id).values(**row))
            self._insert_children(conn, call_id, report)

    @staticmethod
    def _insert_children(conn: Connection, call_id: int, report: dict[str, Any]) -> None:
        utts = [{"call_id": call_id, "idx": int(u.get("index", i)), "speaker": str(u.get("speaker", "agent")),
                 "start_s": _f(u.get("start")), "end_s": _f(u.get("end")), "text": str(u.get("text", ""))}
                for i, u in enumerate(report.get("utterances", []) or [])]
        evs = [{"call_id": call_id, "seq": i, "type": str(e.get("type", "")), "category": e.get("category"),
                "rule": e.get("rule"), "utterance": e.get("utterance"), "speaker": e.get("speaker"),
                "start_s": _f(e.get("start")), "end_s": _f(e.get("end")), "match": e.get("match"),
                "suggestion": e.get("suggestion"), "severity": e.get("severity"), "detector": e.get("detector")}
               for i, e in enumerate(report.get("events", []) or [])]
        ck = [{"call_id": call_id, "item": str(item), "status": str((st or {}).get("status", "")),
               "at_s": _f((st or {}).get("at"))}
              for item, st in (report.get("checklist", {}) or {}).items()]
        ms = [{"call_id": call_id, "name": str(k), "value": _f(v)}
              for k, v in (report.get("metrics", {}) or {}).items() if v is None or isinstance(v, int | float)]
        for table, rows in ((S.utterances, utts), (S.events, evs), (S.checklist, ck), (S.metrics, ms)):
            if rows:
                conn.execute(insert(table), rows)

    # ------------------------------------------------------------------ reading
    def find_call(self, content_hash: str, lexicon_hash: str | None) -> int | None:
        q = select(S.calls.c.id).where(S.calls.c.content_hash == content_hash)
        q = q.where(S.calls.c.lexicon_hash.is_(None) if lexicon_hash is None else S.calls.c.lexicon_hash == lexicon_hash)
        with self.engine.connect() as conn:
            v = conn.execute(q.limit(1)).scalar()
        return None if v is None else int(v)

    def has_call(self, content_hash: str, lexicon_hash: str | None) -> bool:
        return self.find_call(content_hash, lexicon_hash) is not None

    def _filters(self, q: Any, *, agent: str | None = None, since: Any = None, kind: str | None = None,
                 scenario: str | None = None, until: Any = None) -> Any:
        c = S.calls.c
        if agent:
            q = q.where(c.agent_name == agent)
        s = parse_since(since)
        if s is not None:
            q = q.where(c.created_at >= s)
        u = parse_since(until)
        if u is not None:
            q = q.where(c.created_at < u)
        if kind:
            q = q.where(c.kind == kind)
        if scenario:
            q = q.where(c.scenario == scenario)
        return q

    def list_calls(self, *, agent: str | None = None, since: Any = None, kind: str | None = None,
                   scenario: str | None = None, limit: int | None = None) -> list[CallSummary]:
        """Stored calls, newest first."""
        c = S.calls.c
        q = select(c.id, c.created_at, c.kind, c.agent_name, c.source, c.scenario, c.score, c.duration_s)
        q = self._filters(q, agent=agent, since=since, kind=kind, scenario=scenario)
        q = q.order_by(c.created_at.desc(), c.id.desc())
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [CallSummary(*r) for r in conn.execute(q)]

    def get_report(self, call_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            raw = conn.execute(select(S.calls.c.report_json).where(S.calls.c.id == call_id)).scalar()
        if raw is None:
            raise InputError(f"no call with id {call_id} in {self.url}")
        report: dict[str, Any] = json.loads(raw)
        return report

    def count_calls(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(S.calls)).scalar() or 0)

    def delete_call(self, call_id: int) -> bool:
        with self.engine.begin() as conn:
            for t in (S.utterances, S.events, S.checklist, S.metrics):
                conn.execute(t.delete().where(t.c.call_id == call_id))
            return bool(conn.execute(S.calls.delete().where(S.calls.c.id == call_id)).rowcount)

    # ------------------------------------------------------------------ aggregates (team report)
    def aggregates(self, *, agent: str | None = None, since: Any = None, kind: str | None = None) -> dict[str, Any]:
        """Counts the team report is built from, computed by the database (a team's PostgreSQL may
        hold many thousands of calls): per agent, per flag category, per checklist item/status, and
        one point per call for the trends."""
        c = S.calls.c
        flt = {"agent": agent, "since": since, "kind": kind}
        ids = self._filters(select(c.id), **flt).subquery()
        with self.engine.connect() as conn:
            by_agent = conn.execute(self._filters(
                select(c.agent_name, func.count(), func.avg(c.score), func.min(c.score), func.max(c.score),
                       func.sum(c.duration_s)).group_by(c.agent_name), **flt)).all()
            e = S.events.c
            by_cat = conn.execute(
                select(c.agent_name, e.category, e.type, func.count())
                .select_from(S.events.join(S.calls, S.calls.c.id == e.call_id))
                .where(e.call_id.in_(select(ids.c.id)), e.type.in_(("flag", "cue")))
                .group_by(c.agent_name, e.category, e.type)).all()
            k = S.checklist.c
            ck = conn.execute(
                select(c.agent_name, k.item, k.status, func.count())
                .select_from(S.checklist.join(S.calls, S.calls.c.id == k.call_id))
                .where(k.call_id.in_(select(ids.c.id)))
                .group_by(c.agent_name, k.item, k.status)).all()
            points = conn.execute(self._filters(
                select(c.id, c.created_at, c.agent_name, c.score, c.kind, c.source).order_by(c.created_at, c.id),
                **flt)).all()
        return {
            "by_agent": [{"agent": a, "calls": int(n), "avg_score": None if avg is None else float(avg),
                          "min_score": lo, "max_score": hi, "audio_s": float(d or 0.0)}
                         for a, n, avg, lo, hi, d in by_agent],
            "by_category": [{"agent": a, "category": cat, "type": t, "count": int(n)} for a, cat, t, n in by_cat],
            "checklist": [{"agent": a, "item": i, "status": s, "count": int(n)} for a, i, s, n in ck],
            "points": [{"id": i, "created_at": t, "agent": a, "score": sc, "kind": kd, "source": src}
                       for i, t, a, sc, kd, src in points],
        }


class NoStoreError(InputError):
    """There is no call history at the URL (and the caller asked not to create one). A read-only
    command may catch it to say "nothing stored yet" for the default location."""


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_sqlite_file(path: Path, create: bool) -> None:
    """A SQLite URL's file: an existing database, or (create) a new one in a folder we can make.
    Never creates anything when `create` is False."""
    if path.is_dir():
        raise InputError("is a folder, not a call history database file", path)
    if path.exists():
        try:
            with path.open("rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except OSError as e:
            raise InputError(f"cannot read the call history: {e.strerror}", path) from None
        if head and head != _SQLITE_MAGIC:
            raise InputError("not a call history: the file is not an SQLite database", path)
        return
    if not create:
        raise NoStoreError("no call history here (nothing has been stored yet)", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the folder for the call history: {e.strerror}", path.parent) from None


def _one_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None)
    msg = str(orig if orig is not None else e).strip()
    return msg.splitlines()[0] if msg else type(e).__name__


def open_store(url: str | None = None, *, create: bool = True, migrate: bool = True) -> Store:
    """Open the call history at `url` (see resolve_url). Errors are one line.

    create=True (commands that store calls: live, replay, batch, role-play): a missing SQLite
    file and its folder are created, and the schema is created or upgraded.
    create=False (commands that only read: history, report): nothing is ever created — a missing
    file, or a database without an assist schema, raises NoStoreError; a file that is not a
    database, a folder, or an unreachable server is an InputError/AssistError naming it."""
    url = resolve_url(url)
    try:
        u = make_url(url)
    except ArgumentError:
        raise InputError(f"--db: not a database URL: {url!r}") from None
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        _check_sqlite_file(Path(u.database), create)
    try:
        engine = create_engine(u, pool_pre_ping=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as e:
        raise InputError(f"--db: cannot use {u.render_as_string(hide_password=True)}: {e}") from None
    mode = _SqliteMode(read_only=True)
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, mode)
    store = Store(engine)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
        if S.schema_versions.name not in names:
            if names - {t.name for t in S.metadata.sorted_tables}:
                raise InputError(f"{store.url} is a database, but not an assist call history "
                                 f"(it has other tables: {', '.join(sorted(names)[:3])}…)")
            if not create:
                raise NoStoreError(f"no call history in {store.url} (nothing has been stored yet)")
        if create:
            mode.read_only = False
            engine.dispose()  # connections made from now on are read-write (WAL, write lock)
        if migrate:
            store.migrate()
    except AssistError:
        engine.dispose()
        raise
    except DatabaseError as e:
        engine.dispose()
        raise AssistError(f"cannot open the call history {store.url}: {_one_line(e)}") from None
    return store


def iter_reports(store: Store, ids: Iterable[int]) -> Iterable[dict[str, Any]]:
    for i in ids:
        yield store.get_report(i)
