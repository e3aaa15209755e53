"""The call history as the UI and role-play see it: save a call, read earlier attempts, browse.

The store (assist/store) is reached only through here (and the CLI's history/report/batch commands),
so the UI imports no database code. A failure is returned as one line for the caller to show and to
turn into the exit status — a history that silently loses calls is worse than one that says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from assist.session.spec import CallSpec

HISTORY_LIMIT = 10  # earlier role-play attempts read back for the "since last time" notes


class StoredCall(Protocol):
    id: int
    created_at: datetime
    kind: str
    agent_name: str | None
    source: str | None
    scenario: str | None
    score: int | None
    duration_s: float | None


class CallHistory(Protocol):
    """What the history screen reads (assist.store.Store has it)."""

    url: str

    def list_calls(self, *, agent: str | None = None, limit: int | None = None) -> list[Any]: ...

    def get_report(self, call_id: int) -> dict[str, Any]: ...


def save_call(report: dict[str, Any], *, url: str | None, kind: str, agent_name: str | None = None,
              scenario: str | None = None, redact: bool = True,
              key: tuple[str, str] | None = None) -> tuple[int | None, str | None]:
    """Store one call, redacted unless `redact` is off (--no-redact): (its id, None), or (None,
    the problem in one line). With `key` (recording_key), a call already stored under that key is
    updated rather than stored again."""
    from assist.store import open_store  # here, not at the top: opening a screen must not wait for SQLAlchemy

    if redact and report.get("roleplay"):
        from assist.roleplay.debrief import redact_debrief

        report = redact_debrief(report)  # the role-play section holds the answers again
    try:
        with open_store(url) as store:
            ch, lh = key if key is not None else (None, None)
            return store.save_call(report, kind=kind, agent_name=agent_name, scenario=scenario, redact=redact,
                                   content_hash=ch, lexicon_hash=lh, update=key is not None), None
    except Exception as e:  # a broken database must not lose the report files or the debrief
        return None, _one_line(e)


def recording_key(spec: CallSpec, kind: str) -> tuple[str, str] | None:
    """(content hash, settings hash) of a recording's call: the same audio scored with the same
    lexicon, names, engine, model and channel layout is the same call, stored once (issue 14: each
    replay of a recording added a row, and the team report counted them all). `kind` is part of the
    settings, so a replay and a batch run of one file are two calls. None without a readable file."""
    from assist.store import content_hash, lexicon_hash

    if not spec.source:
        return None
    try:
        ch = content_hash(spec.source)
    except OSError:
        return None
    extra = "|".join(str(x) for x in (kind, spec.company, spec.agent_name, spec.engine, spec.model, spec.language,
                                      spec.channels.swap, spec.channels.mono_speaker, spec.channels.pick))
    return ch, lexicon_hash(spec.lexicon, semantic=spec.semantic, extra=extra)


def previous_attempts(scenario: str, agent_name: str | None, url: str | None = None, *,
                      missing_ok: bool = True) -> tuple[list[dict[str, Any]], str | None]:
    """Earlier role-play reports of this scenario (this trainee's, when named), oldest first, and
    the problem if the history could not be read. Nothing is created; no history at all is a first
    attempt, or (not `missing_ok`: a history named on purpose that is not there) the problem."""
    from assist.store import NoStoreError, open_store

    try:
        # reading earlier attempts must not create a database (issue 14): saving creates it
        with open_store(url, create=False) as store:
            rows = store.list_calls(kind="roleplay", scenario=scenario, agent=agent_name or None, limit=HISTORY_LIMIT)
            reports = [store.get_report(r.id) for r in rows]
    except NoStoreError as e:
        return [], None if missing_ok else str(e)  # nothing stored yet: nothing to compare with
    except Exception as e:  # a broken history must not cost the trainee the debrief
        return [], _one_line(e)
    return list(reversed(reports)), None  # list_calls gives newest first


def _one_line(e: Exception) -> str:
    first = (str(e).splitlines() or [""])[0]
    return f"{type(e).__name__}: {first}" if first else type(e).__name__
