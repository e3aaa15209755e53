"""Sound out: a recording played from any point (replay), and the role-play customer's voice.

Both are best effort: without an output device (a server, CI) they do nothing, and the screens say
once that the replay is visual only / the customer's lines are shown, not spoken.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from assist.speech.audio import RATE, load_call
from assist.speech.devices import output_available


class Player:
    """A recording through the default output device (decoded on first play, stereo)."""

    def __init__(self, source: str | Path) -> None:
        self.source = source
        self._audio: np.ndarray | None = None

    @classmethod
    def open(cls, source: str | Path) -> Player | None:
        """A player, or None when there is no output device."""
        ok, _ = output_available()
        return cls(source) if ok else None

    def play_from(self, t: float) -> None:
        try:
            import sounddevice as sd

            if self._audio is None:
                call = load_call(self.source)
                tracks = list(call.tracks.values())
                n = max(len(x) for x in tracks)
                self._audio = np.zeros((n, 2), dtype="float32")
                for ch, x in enumerate(tracks[:2]):
                    self._audio[: len(x), ch] = x
                if len(tracks) == 1:
                    self._audio[:, 1] = self._audio[:, 0]
            sd.play(self._audio[int(t * RATE):], RATE)
        except Exception:  # the device went away, or the file: the replay goes on without sound
            self._audio = None

    def stop(self) -> None:
        try:
            import sounddevice as sd

            sd.stop()
        except Exception:
            pass


def voice_problem() -> str:
    """Why the customer's lines cannot be spoken here ("" when they can)."""
    if shutil.which("espeak-ng") is None:
        return "espeak-ng is not installed"
    ok, why = output_available()
    return "" if ok else why


class Voice:
    """Speaks lines with espeak-ng, one at a time, without blocking the screen."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._proc: subprocess.Popen[Any] | None = None

    @property
    def speaking(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def say(self, text: str) -> None:
        self.stop()  # a new line interrupts the old one, as a real caller would
        self._proc = subprocess.Popen(["espeak-ng", "-v", self.language, "-s", "150", text],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None
