"""Audio sources behind one small interface: blocks of 16 kHz float32 audio per speaker.

- `FileSource`: a decoded recording, as fast as the consumer takes it;
- `PacedFileSource`: the same at real-time speed (a live call without a microphone);
- `MicSource` (devices.py): the agent's microphone and optionally a second device for the customer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Protocol

import numpy as np

from assist.speech.audio import RATE, CallAudio


class AudioSource(Protocol):
    name: str
    speakers: tuple[str, ...]
    realtime: bool

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        """Yield (start time in s, {speaker: samples}) in time order; ends when the audio does."""
        ...

    def close(self) -> None: ...


class FileSource:
    realtime = False

    def __init__(self, audio: CallAudio, block_s: float = 0.5) -> None:
        self.audio = audio
        self.name = audio.source
        self.speakers = tuple(audio.tracks)
        self.block = max(160, int(block_s * RATE))
        self.duration = audio.duration
        self._closed = False

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        n = max(len(a) for a in self.audio.tracks.values())
        for i in range(0, n, self.block):
            if self._closed:
                return
            yield i / RATE, {sp: a[i:i + self.block] for sp, a in self.audio.tracks.items()}

    def close(self) -> None:
        self._closed = True


class PacedFileSource(FileSource):
    """Hands each block over when it would have finished playing, as a sound card does. After a
    stall (a pause in the pipeline) it carries on from now instead of rushing to catch up."""

    realtime = True

    def __init__(self, audio: CallAudio, block_s: float = 0.1, speed: float = 1.0) -> None:
        super().__init__(audio, block_s)
        self.speed = speed

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        dur = self.block / RATE / self.speed
        deadline = time.monotonic()
        for t0, chunk in super().blocks():
            deadline += dur
            now = time.monotonic()
            if now > deadline + 0.5:
                deadline = now
            elif deadline > now:
                time.sleep(deadline - now)
            yield t0, chunk
