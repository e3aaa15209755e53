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

Loading order: source first, then the semantic model, then the recogniser. A call from devices
can be `prepare()`d before the screen is drawn: the devices open and start recording at once (the
audio is held, up to speech.sources.BUFFER_S), and the models load on a thread; `pipeline()` then
says "loading models — recording" until they are ready, and the pipeline catches up on what was
said meanwhile — nothing from the first second is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assist.engine.coach import Coach, SemanticDetector
from assist.errors import InputError
from assist.session.messages import Levels, Sink, Status
from assist.session.models import call_engine, load_semantic
from assist.session.outputs import Saved, TranscriptLog, save_report
from assist.session.pipeline import CallPipeline
from assist.session.spec import CallSpec
from assist.speech.factory import Engine
from assist.speech.playback import Player

if TYPE_CHECKING:
    from assist.speech.sources import MicSource
    from assist.speech.stream import StreamRecognizer

LOADING = "loading models — recording"

# The models of a live call load on this one thread, which lives as long as the process: a
# CTranslate2 (Whisper) model decodes about 3x slower once the thread that loaded it has ended
# (measured here: 24 s vs 8.6 s for the same 12 s of a call, side by side; 13.7 vs 13.0 s with the
# loading thread kept alive). Whisper models are cached per process, so later calls use them too.
_LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assist-models")


class Playback(Protocol):
    """The recording through the output device, from any point (assist.speech.playback.Player)."""

    def play_from(self, t: float) -> None: ...
    def stop(self) -> None: ...


class LiveStart:
    """A call from devices, opened early: the devices record from now on (into the source's bounded
    buffer) while the recogniser and the semantic model load on a thread."""

    def __init__(self, spec: CallSpec) -> None:
        from assist.speech.sources import MicSource

        self.spec = spec
        self.source: MicSource = MicSource(spec.devices.agent, spec.devices.customer, swap=spec.channels.swap)
        self.source.start()  # a DeviceError here is the caller's, before any model loads
        self.engine: Engine | None = None
        self.factory: Callable[[str], StreamRecognizer] | None = None
        self.semantic: SemanticDetector | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()
        _LOADER.submit(self._load)

    def _load(self) -> None:
        try:
            self.semantic = load_semantic(self.spec.lexicon, self.spec.semantic)
            eng = call_engine(self.spec, live=True)
            self.factory = eng.recognizer_factory()  # the slow part: the model is loaded here
            self.engine = eng
        except BaseException as e:  # noqa: BLE001 - handed to whoever waits for the models
            self.error = e
        finally:
            self.ready.set()

    def wait(self) -> tuple[Engine, Callable[[str], StreamRecognizer]]:
        """The engine and its recogniser factory, once loaded (a loading error is raised here)."""
        self.ready.wait()
        if self.error is not None:
            self.source.close()
            raise self.error
        assert self.engine is not None and self.factory is not None
        return self.engine, self.factory


class CallSession:
    def __init__(self, spec: CallSpec, *, live: LiveStart | None = None) -> None:
        self.spec = spec
        self._live = live
        self._prepared = live is not None

    def prepare(self) -> None:
        """For a call from devices: start recording and loading the models now (idempotent; a
        recording is decoded and its models loaded by `pipeline()` as before)."""
        if self.spec.source is None and self._live is None:
            self._live = LiveStart(self.spec)
            self._prepared = True

    @property
    def recording(self) -> bool:
        """The devices were opened early and record (the models may still be loading)."""
        return self._prepared

    def with_spec(self, spec: CallSpec) -> CallSession:
        """The same call with another spec (names given on the first-run screen): what was
        prepared (devices recording, models loading) carries over."""
        live, self._live = self._live, None
        return CallSession(spec, live=live)

    def close(self) -> None:
        """Release what `prepare()` opened and no pipeline took over."""
        if self._live is not None:
            self._live.source.close()
            self._live = None

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

    def coach(self, *, semantic_async: bool = True, semantic: SemanticDetector | None | bool = True) -> Coach:
        """The call's coach; `semantic` a detector already loaded (or None), True: load it now."""
        spec = self.spec
        det = load_semantic(spec.lexicon, spec.semantic) if semantic is True else semantic or None
        return Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name,
                     semantic=det, semantic_async=semantic_async)

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
        live, self._live = self._live, None
        if live is None:
            live = LiveStart(self.spec)  # checks PortAudio and the devices first: fails fast
        source = live.source
        source.attach(notice=lambda text: sink(Status(text)), levels=lambda lv: sink(Levels(lv)))
        if not live.ready.is_set():
            sink(Status(LOADING))
        eng, factory = live.wait()
        try:
            coach = self.coach(semantic_async=semantic_async, semantic=live.semantic)
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

