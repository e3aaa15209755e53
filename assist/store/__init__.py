"""Call history (SQLite by default; any SQLAlchemy URL, e.g. a team's PostgreSQL).

    from assist.store import open_store
    store = open_store(url)            # None: --db / settings db_url / SQLite in the data dir
    store = open_store(url, create=False)  # read-only commands (history, report): never creates;
                                           # NoStoreError when there is nothing there yet
    call_id = store.save_call(report, kind="live", agent_name="Dana")
    store.list_calls(agent="Dana", since="2026-11-01")  -> list[CallSummary]
    store.get_report(call_id)  -> the stored (redacted) report dict
    store.has_call(content_hash, lexicon_hash) -> bool
"""

from __future__ import annotations

from assist.store.hashing import content_hash, lexicon_hash
from assist.store.store import (
    KINDS,
    CallSummary,
    NoStoreError,
    Store,
    default_url,
    open_store,
    parse_since,
    resolve_url,
)

__all__ = ["KINDS", "CallSummary", "NoStoreError", "Store", "content_hash", "default_url", "lexicon_hash", "open_store",
           "parse_since", "resolve_url"]
