"""What a running call tells whoever listens (the TUI, `replay --format jsonl`, role-play, tests):
one small frozen dataclass per kind, handed to a sink `Callable[[CallMessage], None]` on the
pipeline's thread. A sink must never block: the TUI wraps each in a Textual message and posts it.

In the order of a call: `CallStarted` (audio position 0 is about to be fed), then as audio flows
`Levels` (per channel, high rate), `PartialUtterance`s that grow and a `FinalUtterance` per turn,
`CoachEvent`s (flag, cue, checklist, suggest) and `Retraction`s (a flag of a partial the final text
no longer holds), `Position` (audio fed so far), `Status` / `RunningBehind` now and then, and last
`CallEnded` with the report. Events of the background semantic pass come from its own thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assist.engine.events import Event
from assist.transcript import Utterance


@dataclass(frozen=True)
class CallStarted:
    engine: str
    model: str
    realtime: bool
    source: str


@dataclass(frozen=True)
class Levels:
    """Loudness of each channel's last block, 0..1 (rms), keyed by speaker."""

    levels: Mapping[str, float]


@dataclass(frozen=True)
class PartialUtterance:
    utterance: Utterance  # final=False; the same index comes again, longer, until its final


@dataclass(frozen=True)
class FinalUtterance:
    utterance: Utterance


@dataclass(frozen=True)
class CoachEvent:
    event: Event  # flag, cue, checklist or suggest


@dataclass(frozen=True)
class Retraction:
    event: Event  # type "retract": the flag or cue with this `id` no longer holds


@dataclass(frozen=True)
class Position:
    t: float  # seconds of audio fed so far


@dataclass(frozen=True)
class Status:
    message: str  # e.g. a semantic check that failed; the call goes on


@dataclass(frozen=True)
class RunningBehind:
    """Recognition is `lag_s` seconds behind the audio (a busy machine): flags come late. Said again
    every few seconds while it lasts; `lag_s` 0 once it has caught up (the warning can go)."""

    lag_s: float
    message: str


@dataclass(frozen=True)
class CallEnded:
    report: dict[str, Any]


CallMessage = (CallStarted | Levels | PartialUtterance | FinalUtterance | CoachEvent | Retraction | Position
               | Status | RunningBehind | CallEnded)
Sink = Callable[[CallMessage], None]


def event_message(ev: Event) -> CoachEvent | Retraction:
    return Retraction(ev) if ev.type == "retract" else CoachEvent(ev)
