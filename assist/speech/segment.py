"""Turning timed words into utterances: split a channel's words at pauses, merge speakers by time."""

from __future__ import annotations

from typing import Any

import numpy as np

from assist.transcript import Utterance, Word

# A gap this long between two words of one channel ends the turn. Shorter gaps are a breath inside
# a sentence; without the split, a channel's silence while the other side talks would glue two
# turns into one utterance and put the other speaker's reply "inside" it.
PAUSE_S = 0.7


def split_at_pauses(words: list[Word], pause_s: float = PAUSE_S) -> list[list[Word]]:
    groups: list[list[Word]] = []
    for w in words:
        if groups and w.start - groups[-1][-1].end < pause_s:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def join_words(words: list[Word]) -> str:
    return " ".join(w.text.strip() for w in words if w.text.strip())


def make_utterance(words: list[Word], speaker: str, index: int = 0, final: bool = True,
                   paused: bool = False) -> Utterance:
    return Utterance(index=index, speaker=speaker, start=words[0].start, end=words[-1].end,
                     text=join_words(words), words=list(words), final=final, paused=paused and not final)


def merge_speakers(per_speaker: dict[str, list[Word]], pause_s: float = PAUSE_S) -> list[Utterance]:
    """One time-ordered utterance list from each speaker's words; indices follow time."""
    utts = [make_utterance(g, sp) for sp, words in per_speaker.items() for g in split_at_pauses(words, pause_s)]
    utts.sort(key=lambda u: (u.start, u.speaker))
    for i, u in enumerate(utts):
        u.index = i
    return utts


# ---------------------------------------------------------------------------- speech or silence
# A streaming recogniser asks this of every 0.1 s frame: it closes a turn after a pause and never
# decodes silence. Energy is free and right on clean audio; Silero VAD (the ONNX model that
# faster-whisper ships, so nothing to download) also tells speech from a fan, a hum or line noise.


class EnergyGate:
    """Speech = the frame's rms at or above `silence_rms`."""

    def __init__(self, silence_rms: float = 0.01) -> None:
        self.silence_rms = silence_rms

    def is_speech(self, frame: np.ndarray) -> bool:
        return bool(len(frame)) and float(np.sqrt(np.mean(frame * frame))) >= self.silence_rms

    def quiet_tail(self, frame: np.ndarray) -> int:
        """Samples at the end of a speech frame that are already quiet (10 ms resolution): where the
        pause after it really began. A pause was counted in whole 0.1 s frames, so a 0.25 s breath
        between two sentences held two silent frames or one, by chance of alignment — and with one
        the decode at the pause never came and the flag waited for the next tick (~1 s later)."""
        step = 160  # 10 ms at 16 kHz
        n = len(frame) // step
        if n == 0:
            return 0
        sub = frame[len(frame) - n * step:].reshape(n, step)
        loud = np.flatnonzero(np.sqrt(np.mean(sub * sub, axis=1)) >= self.silence_rms)
        return (n - 1 - int(loud[-1])) * step if len(loud) else n * step


class SileroGate:
    """Silero VAD v6 on 32 ms chunks, its recurrent state carried from frame to frame (one per
    channel). A frame is speech when any chunk in it scores `threshold` or more; ~0.1 ms a chunk."""

    CHUNK = 512
    CONTEXT = 64

    def __init__(self, threshold: float = 0.5) -> None:
        from faster_whisper.vad import get_vad_model

        self.session = _silero_session(get_vad_model)
        self.threshold = threshold
        self.h = np.zeros((1, 1, 128), dtype=np.float32)
        self.c = np.zeros((1, 1, 128), dtype=np.float32)
        self.context = np.zeros((1, self.CONTEXT), dtype=np.float32)
        self.rest = np.zeros(0, dtype=np.float32)
        self.last = 0.0

    def is_speech(self, frame: np.ndarray) -> bool:
        x = np.concatenate([self.rest, frame.astype(np.float32, copy=False)])
        n = len(x) // self.CHUNK * self.CHUNK
        self.rest = x[n:]
        probs = []
        for chunk in x[:n].reshape(-1, self.CHUNK):
            inp = np.concatenate([self.context, chunk[None, :]], axis=1)
            out, self.h, self.c = self.session.run(None, {"input": inp, "h": self.h, "c": self.c})
            self.context = chunk[None, -self.CONTEXT:]
            probs.append(float(np.ravel(out)[0]))
        if probs:
            self.last = max(probs)
        return self.last >= self.threshold


_SILERO: list[Any] = []


def _silero_session(load: Any) -> Any:
    """One ONNX session for every channel (it is stateless: the state is passed in each call)."""
    if not _SILERO:
        _SILERO.append(load().session)
    return _SILERO[0]


def speech_gate(kind: str = "energy", silence_rms: float = 0.01) -> EnergyGate | SileroGate:
    if kind == "silero":
        return SileroGate()
    if kind == "energy":
        return EnergyGate(silence_rms)
    raise ValueError(f"unknown voice-activity detector {kind!r} (energy, silero)")
