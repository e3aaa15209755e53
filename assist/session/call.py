"""The call session: the one door through which the screens reach speech and the call history.

    session = CallSession(spec)
    session.check()                 # cheap, before any screen opens: the file is there / a microphone is
    pipe = session.pipeline(sink)   # slow (decodes, loads models): on a worker thread; then pipe.run()
    session.player()                # replay audio out, or None without an output device
    session.transcript_log(stem)    # the append-only log of a live call
    session.save(report, stem, kind=…)  # report files + history; a failed history is reported, not lost

What kind of call is the spec's: `spec.source` a recording (paced as if live with `spec.realtime`,
else fed as fast as the recognisers take it — still the streaming path), or None for the
microphone(s) in `spec.devices`. Errors are one-line AssistErrors raised before any audio flows:
the recording is decoded, or the devices opened, before a model is loaded.

Loading order (issue 18 changes it here): source first, then the semantic model, then the
recogniser. A live capture that should start while models load starts in `pipeline()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from assist.engine.coach import Coach
from assist.errors import InputError
from assist.session.messages import Sink
from assist.session.models import call_engine, load_semantic
from assist.session.outputs import Saved, TranscriptLog, save_report
from assist.session.pipeline import CallPipeline
from assist.session.spec import CallSpec
from assist.speech.playback import Player


class Playback(Protocol):
    """The recording through the output device, from any point (assist.speech.playback.Player)."""

    def play_from(self, t: float) -> None: ...
    def stop(self) -> None: ...


class CallSession:
    def __init__(self, spec: CallSpec) -> None:
        self.spec = spec

    def check(self) -> None:
        """What can be checked before the screen opens (so bad input is one line, exit 2)."""
        if self.spec.source is None:
            from assist.speech.devices import require_input

            require_input()
            return
        p = Path(self.spec.source)
        if not p.exists():
            raise InputError("no such file", p)
        if p.is_dir():
            raise InputError("is a directory, not a recording", p)
        try:
            with p.open("rb") as f:
                f.read(1)
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror}", p) from e

    def coach(self, *, semantic_async: bool = True) -> Coach:
        spec = self.spec
        return Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name,
                     semantic=load_semantic(spec.lexicon, spec.semantic), semantic_async=semantic_async)

    def pipeline(self, sink: Sink, *, semantic_async: bool = True) -> CallPipeline:
        """The streaming pipeline for this call (see the module docstring for which)."""
        if self.spec.source is None:
            return self._microphone(sink, semantic_async)
        return self._recording(sink, semantic_async)

    def _recording(self, sink: Sink, semantic_async: bool) -> CallPipeline:
        from assist.speech.audio import load_call
        from assist.speech.sources import FileSource, PacedFileSource

        spec = self.spec
        assert spec.source is not None
        audio = load_call(spec.source, swap=spec.channels.swap, mono_speaker=spec.channels.mono_speaker,
                          channels=spec.channels.pick)
        coach = self.coach(semantic_async=semantic_async)
        eng = call_engine(spec, live=True)
        source = PacedFileSource(audio, speed=spec.speed) if spec.realtime else FileSource(audio, block_s=0.25)
        return CallPipeline(source, eng.recognizer_factory(), coach, sink, engine=eng.name, model=eng.model.name)

    def _microphone(self, sink: Sink, semantic_async: bool) -> CallPipeline:
        from assist.speech.devices import MicSource

        devices = self.spec.devices
        source = MicSource(devices.agent, devices.customer)  # checks PortAudio and the devices first: fails fast
        try:
            coach = self.coach(semantic_async=semantic_async)
            eng = call_engine(self.spec, live=True)
            factory = eng.recognizer_factory()
        except BaseException:
            source.close()
            raise
        return CallPipeline(source, factory, coach, sink, engine=eng.name, model=eng.model.name)

    def player(self) -> Playback | None:
        """Replay audio through the output device; None without one (the replay is then visual)."""
        return Player.open(self.spec.source) if self.spec.source is not None else None

    def transcript_log(self, stem: str) -> TranscriptLog:
        return TranscriptLog(self.spec.reports_dir / f"{stem}.transcript.jsonl", redact=self.spec.redact)

    def save(self, report: dict[str, Any], stem: str, *, kind: str, to_store: bool = True) -> Saved:
        return save_report(report, self.spec, stem, kind=kind, to_store=to_store)

