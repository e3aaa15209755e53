"""Vosk streaming recogniser: one KaldiRecognizer per channel, partials, words with times."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from assist.speech.audio import RATE, quiet_stderr, to_int16_bytes
from assist.speech.segment import PAUSE_S, split_at_pauses
from assist.speech.stream import Segment
from assist.transcript import Word

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


def load_vosk(model_dir: str | Path) -> Any:
    key = str(model_dir)
    with _LOCK:
        if key not in _MODELS:
            import vosk

            vosk.SetLogLevel(-1)
            with quiet_stderr():
                _MODELS[key] = vosk.Model(key)
        return _MODELS[key]


def _words(items: list[dict[str, Any]]) -> list[Word]:
    return [Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
            for w in items if str(w.get("word", "")).strip()]


class VoskStream:
    """One channel. Vosk's own endpointing closes an utterance; a gap of `pause_s` between words
    inside its final result splits it further, so two turns never share one utterance."""

    def __init__(self, model_dir: str | Path, *, pause_s: float = PAUSE_S) -> None:
        import vosk

        self.model = load_vosk(model_dir)
        self.rec = vosk.KaldiRecognizer(self.model, RATE)
        self.rec.SetWords(True)
        self.rec.SetPartialWords(True)
        self.pause_s = pause_s
        self.key = 0
        self.t = 0.0  # audio time fed so far
        self.partial_words: list[Word] = []

    def accept(self, samples: np.ndarray) -> list[Segment]:
        self.t += len(samples) / RATE
        if self.rec.AcceptWaveform(to_int16_bytes(samples)):
            return self._final(json.loads(self.rec.Result()))
        part = json.loads(self.rec.PartialResult())
        words = _words(part.get("partial_result", []))
        if not words:
            return []
        self.partial_words = words
        # One key for the whole partial, even if it spans a pause: a partial split in two could be
        # finalised as one group, leaving a key whose utterance never gets a final (and that the next
        # turn would then reuse). Vosk's endpointer closes most turns at the pause anyway; the final
        # is split below, its first group keeping this key.
        return [Segment(self.key, words, final=False)]

    def _final(self, res: dict[str, Any]) -> list[Segment]:
        words = _words(res.get("result", [])) or self.partial_words
        self.partial_words = []
        out = []
        for g in split_at_pauses(words, self.pause_s):
            out.append(Segment(self.key, g, final=True, committed=len(g)))
            self.key += 1
        return out

    def finish(self) -> list[Segment]:
        return self._final(json.loads(self.rec.FinalResult()))
