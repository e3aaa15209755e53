"""Content hashes that make batch runs resumable: the same recording scored with the same lexicon
is the same call, whatever its file name or folder."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def content_hash(path: str | Path) -> str:
    """sha256 of the file's bytes (streamed: recordings can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def lexicon_hash(lexicon: Any, *, semantic: bool = True, extra: str = "") -> str:
    """The lexicon's sha256 plus what else changes the score of the same audio (semantic detector
    on/off, company and agent names expected in the greeting), so a change of any re-scores."""
    base = str(getattr(lexicon, "sha256", "") or lexicon)
    return hashlib.sha256(f"{base}|semantic={int(semantic)}|{extra}".encode()).hexdigest()
