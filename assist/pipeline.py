"""The call pipeline: audio source -> recognisers (one per channel) -> coach -> updates.

CONTRACT (used by the CLI, the TUI, batch and role-play; owned by the speech work):

    pipe = CallPipeline(source, recognizer_factory, coach, on_update)
    report = pipe.run()        # blocks (call it from a worker thread); returns the report dict
    pipe.stop()                # from any thread: ends the call early; run() then returns
    pipe.pause() / pipe.resume()

`on_update(update)` is called from the pipeline's thread for every `Update`:
    kind="start"    audio position 0 is being fed (data: {"engine", "model", "realtime", "source"})
    kind="partial"  utterance = growing partial Utterance (final=False)
    kind="final"    utterance = final Utterance
    kind="event"    event = an engine Event (flag, cue, retract, checklist, suggest)
    kind="level"    data = {"agent": rms 0..1, "customer": rms 0..1}  (high rate; UIs coalesce)
    kind="status"   data = {"message": str}  (model loading, device opened, …)
    kind="position" data = {"t": seconds of audio fed so far}
    kind="end"      data = {"report": report dict}
The UI turns these into Textual messages with `post_message`; it must never block in on_update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assist.engine.events import Event
from assist.transcript import Utterance


@dataclass
class Update:
    kind: str
    utterance: Utterance | None = None
    event: Event | None = None
    data: dict[str, Any] = field(default_factory=dict)
