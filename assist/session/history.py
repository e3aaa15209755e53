"""The call history as the UI and role-play see it: save a call, read earlier attempts, browse.

The store (assist/store) is reached only through here (and the CLI's history/report/batch commands),
so the UI imports no database code. A failure is returned as one line for the caller to show and to
turn into the exit status — a history that silently loses calls is worse than one that says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

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
              scenario: str | None = None) -> tuple[int | None, str | None]:
    """Store one call (the store redacts it): (its id, None), or (None, the problem in one line)."""
    from assist.store import open_store  # here, not at the top: opening a screen must not wait for SQLAlchemy

    try:
        with open_store(url) as store:
            return store.save_call(report, kind=kind, agent_name=agent_name, scenario=scenario), None
    except Exception as e:  # a broken database must not lose the report files or the debrief
        return None, _one_line(e)


def previous_attempts(scenario: str, agent_name: str | None, url: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Earlier role-play reports of this scenario (this trainee's, when named), oldest first, and
    the problem if the history could not be read."""
    from assist.store import open_store

    try:
        with open_store(url) as store:
            rows = store.list_calls(kind="roleplay", scenario=scenario, agent=agent_name or None, limit=HISTORY_LIMIT)
            reports = [store.get_report(r.id) for r in rows]
    except Exception as e:  # a broken history must not cost the trainee the debrief
        return [], _one_line(e)
    return list(reversed(reports)), None  # list_calls gives newest first


def _one_line(e: Exception) -> str:
    first = (str(e).splitlines() or [""])[0]
    return f"{type(e).__name__}: {first}" if first else type(e).__name__
