"""The models a call needs: the recogniser (engine + model, from assist.speech) and the semantic
detector (from assist.engine.semantic). Loading them is the slow part of opening a call; it
happens here and nowhere else, so that loading early (while the screen draws, while live audio is
already being buffered — issues 17 and 18) is a change to this file and its callers in the session.
"""

from __future__ import annotations

import sys
import threading

from assist.engine.coach import SemanticDetector
from assist.engine.lexicon import Lexicon
from assist.session.spec import CallSpec
from assist.speech.factory import Engine, pick_engine

_notified = False


def load_semantic(lexicon: Lexicon, enabled: bool = True, *, quiet: bool = False) -> SemanticDetector | None:
    """The semantic detector, or None (lexical only) — said once on stderr when the model is missing."""
    global _notified
    if not enabled:
        return None
    from assist.engine.semantic import load_detector

    det, why = load_detector(lexicon)
    if det is None and why and not quiet and not _notified:
        _notified = True
        print(f"assist: lexical rules only — {why}", file=sys.stderr)
    return det


def call_engine(spec: CallSpec, *, live: bool) -> Engine:
    """The engine and model for this call (no model loaded yet). A live call prefers Vosk (true
    streaming) and a whole recording Whisper (more accurate), each falling back to the other."""
    return pick_engine(spec.engine, spec.model, spec.language, spec.hotwords, live=live)


class SemanticCache:
    """One semantic detector per lexicon for the life of a process (a batch worker scores many
    calls with the same one; loading it per call would cost more than scoring)."""

    def __init__(self, *, quiet: bool = True) -> None:
        self.quiet = quiet
        self._lock = threading.Lock()
        self._loaded: dict[tuple[str, bool], SemanticDetector | None] = {}

    def get(self, spec: CallSpec) -> SemanticDetector | None:
        key = (spec.lexicon.sha256, spec.semantic)
        with self._lock:
            if key not in self._loaded:
                self._loaded[key] = load_semantic(spec.lexicon, spec.semantic, quiet=self.quiet)
            return self._loaded[key]
