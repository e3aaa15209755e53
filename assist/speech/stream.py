"""What a streaming recogniser gives the pipeline, whatever the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assist.transcript import Word


@dataclass
class Segment:
    """One utterance of one channel as the recogniser sees it now.

    `key` numbers a channel's utterances (0, 1, …); the same key comes again with more words while
    it is partial (`final=False`) and once more, last, with `final=True`. `committed` = how many of
    the leading words will not change any more. `paused`: a partial decoded while the speaker was
    silent after these words (see Utterance.paused).
    """

    key: int
    words: list[Word]
    final: bool
    committed: int = 0
    paused: bool = False


class StreamRecognizer(Protocol):
    """One channel's streaming recogniser (Vosk or Whisper): 16 kHz float32 in, segments out."""

    def accept(self, samples: np.ndarray) -> list[Segment]: ...

    def finish(self) -> list[Segment]: ...
