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
    kind="status"   data = {"message": str}  (recognition running behind: also "lag_s"; semantic failures)
    kind="position" data = {"t": seconds of audio fed so far}
    kind="end"      data = {"report": report dict}
The UI turns these into Textual messages with `post_message`; it must never block in on_update.
(Events of the background semantic pass arrive from that thread; they are "event" updates too.)

BUILDING ONE FOR A FILE (`assist live --source FILE`, `assist replay` in the TUI):

    pipe = file_pipeline(path, on_update, *, args=None, realtime=True, engine=None, model=None,
                         swap=False, mono_speaker="agent", lexicon=None, company=None,
                         agent_name=None, semantic=None, semantic_async=True)

`args` (an argparse Namespace with the common options, --swap, --mono-speaker) fills whatever is
not given; the lexicon, names and semantic detector come from assist.session when not passed.
Errors (missing/undecodable file, no model) raise assist.errors.InputError before any audio flows.
The coach's `audio_clock` is set by the pipeline, so events of a streaming run carry `latency_s`.
"""

from __future__ import annotations

import bisect
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assist.engine.events import Event
from assist.transcript import Utterance

RATE = 16000  # every source delivers 16 kHz mono float32 per speaker (assist.speech.audio.RATE)

if TYPE_CHECKING:
    import argparse

    from assist.engine.coach import Coach, SemanticDetector
    from assist.engine.lexicon import Lexicon
    from assist.speech.sources import AudioSource
    from assist.speech.stream import Segment, StreamRecognizer


@dataclass
class Update:
    kind: str
    utterance: Utterance | None = None
    event: Event | None = None
    data: dict[str, Any] = field(default_factory=dict)


class CallPipeline:
    def __init__(self, source: AudioSource, recognizer_factory: Callable[[str], StreamRecognizer], coach: Coach,
                 on_update: Callable[[Update], None], *, engine: str = "", model: str = "") -> None:
        self.source = source
        self.recognizer_factory = recognizer_factory
        self.coach = coach
        self.on_update = on_update
        self.engine = engine
        self.model = model
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._fed_t: list[float] = []  # audio time at the end of each block fed …
        self._fed_wall: list[float] = []  # … and the monotonic time it was fed at
        self._index: dict[tuple[str, int], int] = {}  # (speaker, segment key) -> utterance index
        self._last_partial: dict[int, Utterance] = {}
        self._next = 0
        self._sem_q: queue.Queue[int | None] = queue.Queue()
        self._sem_thread: threading.Thread | None = None
        self.position = 0.0
        self._lag_said = -1e9
        if coach.audio_clock is None:
            coach.audio_clock = self.audio_clock

    # ------------------------------------------------------------------ control
    def stop(self) -> None:
        self._stop.set()
        self._running.set()
        self.source.close()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def audio_clock(self, t: float) -> float | None:
        """Wall-clock (monotonic) time at which the audio at time `t` was fed."""
        i = bisect.bisect_left(self._fed_t, t - 1e-6)
        if i >= len(self._fed_wall):
            return None
        return self._fed_wall[i]

    # ------------------------------------------------------------------ running
    def _emit(self, u: Update) -> None:
        self.on_update(u)

    def _events(self, events: list[Event]) -> None:
        for ev in events:
            self._emit(Update("event", event=ev))

    def _semantic_worker(self) -> None:
        while True:
            idx = self._sem_q.get()
            if idx is None:
                return
            try:
                self._events(self.coach.semantic_pass(idx))
            except Exception as e:  # a model failure must not end the call
                self._emit(Update("status", data={"message": f"semantic check failed: {e}"}))

    def _handle(self, batch: list[tuple[str, Segment]]) -> None:
        from assist.speech.segment import make_utterance

        # Indices are handed out as turns appear. One batch can hold new turns of both speakers (a
        # pipeline that fell behind feeds several blocks at once), so they are taken in order of
        # their first word: the utterance list then follows the call's time order.
        batch = sorted((x for x in batch if x[1].words), key=lambda x: (x[1].words[0].start, x[0]))
        for speaker, seg in batch:
            k = (speaker, seg.key)
            if k not in self._index:
                self._index[k] = self._next
                self._next += 1
            utt = make_utterance(seg.words, speaker, self._index[k], final=seg.final)
            if seg.final:
                self._last_partial.pop(utt.index, None)
            else:
                self._last_partial[utt.index] = utt
            self._emit(Update("final" if seg.final else "partial", utterance=utt))
            self._events(self.coach.feed(utt))
            if seg.final and self.coach.semantic is not None and self.coach.semantic_async:
                self._sem_q.put(utt.index)

    def _blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray], list[tuple[float, float]]]]:
        """(t0, {speaker: samples}, [(block end time, wall time it arrived)]) in time order.

        A live source (microphone, paced file) is read on its own thread, as a sound card delivers
        audio whether or not we keep up: when a decode takes longer than the audio it covers, the
        blocks that arrived meanwhile are handed over together, so the recogniser catches up in one
        step instead of the call drifting further behind, and `latency_s` stays honest (it counts
        from when the audio arrived, not from when we got round to it).
        """
        if not self.source.realtime:
            for t0, block in self.source.blocks():
                n = max((len(x) for x in block.values()), default=0)
                yield t0, block, [(t0 + n / RATE, time.monotonic())]
            return
        q: queue.Queue[tuple[float, dict[str, np.ndarray], float] | BaseException | None] = queue.Queue()

        def reader() -> None:
            try:
                for t0, block in self.source.blocks():
                    if not self._running.is_set():
                        self._running.wait()
                    if self._stop.is_set():
                        break
                    q.put((t0, block, time.monotonic()))
            except BaseException as e:  # noqa: BLE001 - handed to the pipeline thread, which re-raises
                q.put(e)
            finally:
                q.put(None)

        th = threading.Thread(target=reader, name="assist-audio", daemon=True)
        th.start()
        done = False
        while not done:
            item = q.get()
            items = [item]
            while not q.empty():  # everything that arrived while we were busy
                items.append(q.get_nowait())
            got = []
            for it in items:
                if it is None:
                    done = True
                elif isinstance(it, BaseException):
                    raise it
                else:
                    got.append(it)
            if not got:
                continue
            t0 = got[0][0]
            block = {sp: np.concatenate([g[1][sp] for g in got if sp in g[1]]) for sp in got[0][1]}
            marks = [(g[0] + max((len(x) for x in g[1].values()), default=0) / RATE, g[2]) for g in got]
            yield t0, block, marks
        th.join(timeout=1.0)

    def _report_lag(self, oldest_wall: float) -> None:
        """Say (as a status update, at most every 10 s) when recognition runs well behind the audio:
        on a busy machine the user should know why the flags come late."""
        lag = time.monotonic() - oldest_wall
        if lag >= 2.0 and time.monotonic() - self._lag_said >= 10.0:
            self._lag_said = time.monotonic()
            self._emit(Update("status", data={"message": f"speech recognition is {lag:.1f} s behind the audio "
                                                         "(the machine is busy)", "lag_s": round(lag, 2)}))

    def run(self) -> dict[str, Any]:
        recs = {sp: self.recognizer_factory(sp) for sp in self.source.speakers}
        if self.coach.semantic is not None and self.coach.semantic_async:
            self._sem_thread = threading.Thread(target=self._semantic_worker, name="assist-semantic", daemon=True)
            self._sem_thread.start()
        started = False
        try:
            for _t0, block, marks in self._blocks():
                if not self._running.is_set():
                    self._running.wait()
                if self._stop.is_set():
                    break
                if not started:
                    started = True
                    self._emit(Update("start", data={"engine": self.engine, "model": self.model,
                                                     "realtime": self.source.realtime, "source": self.source.name}))
                for t_end, wall in marks:
                    self._fed_t.append(t_end)
                    self._fed_wall.append(wall)
                t1 = marks[-1][0]
                self.position = t1
                self._report_lag(marks[0][1])
                self._emit(Update("level", data={sp: _rms(x) for sp, x in block.items()}))
                self._handle([(sp, seg) for sp, x in block.items() if sp in recs and len(x)
                              for seg in recs[sp].accept(x)])
                self._events(self.coach.advance(t1))
                self._emit(Update("position", data={"t": round(t1, 2)}))
            self._handle([(sp, seg) for sp, rec in recs.items() for seg in rec.finish()])
            # a partial that never got a final version (stopped early, recogniser dropped it)
            for _idx, utt in sorted(self._last_partial.items()):
                utt.final = True
                self._emit(Update("final", utterance=utt))
                self._events(self.coach.feed(utt))
            self._last_partial.clear()
        finally:
            self.source.close()
            if self._sem_thread is not None:
                self._sem_q.put(None)
                self._sem_thread.join()
        self._events(self.coach.finish())
        report = self.coach.report(source=self.source.name, duration_s=self.position,
                                   engine=self.engine, model=self.model,
                                   mode="realtime" if self.source.realtime else "streaming")
        self._emit(Update("end", data={"report": report}))
        return report


def _rms(x: Any) -> float:
    from assist.speech.audio import rms

    return round(min(1.0, rms(x)), 4)


@dataclass
class _CallSetup:
    lexicon: Lexicon
    company: str | None
    agent_name: str | None
    semantic: SemanticDetector | None


def _setup(ns: argparse.Namespace, lexicon: Lexicon | None, company: str | None, agent_name: str | None,
           semantic: SemanticDetector | None) -> _CallSetup:
    """Fill what the caller did not pass from the options and the settings file (assist.session)."""
    from assist.session import call_settings, load_semantic

    if lexicon is None:
        settings = call_settings(ns)
        lexicon = settings.lexicon
        company = company or settings.company
        agent_name = agent_name or settings.agent_name
        if semantic is None:
            semantic = load_semantic(lexicon, ns)
    return _CallSetup(lexicon, company, agent_name, semantic)


def _ns(args: argparse.Namespace | None) -> argparse.Namespace:
    import argparse as _argparse

    return args if args is not None else _argparse.Namespace()


def _open_recording(path: str | Path, args: argparse.Namespace | None, engine: str | None, model: str | None,
                    swap: bool | None, mono_speaker: str | None, lexicon: Lexicon | None, company: str | None,
                    agent_name: str | None, semantic: SemanticDetector | None, *, live: bool) -> tuple[Any, _CallSetup, Any]:
    """Decode the recording (errors before any model loads), fill the call settings, pick the engine."""
    from assist.speech.audio import load_call
    from assist.speech.factory import pick_engine

    ns = _ns(args)
    swap = bool(getattr(ns, "swap", False)) if swap is None else swap
    mono_speaker = (getattr(ns, "mono_speaker", None) or "agent") if mono_speaker is None else mono_speaker
    audio = load_call(path, swap=swap, mono_speaker=mono_speaker)
    cs = _setup(ns, lexicon, company, agent_name, semantic)
    eng = pick_engine(engine or getattr(ns, "engine", None), model or getattr(ns, "model", None),
                      cs.lexicon.language, (cs.company, cs.agent_name), live=live)
    return audio, cs, eng


def file_pipeline(path: str | Path, on_update: Callable[[Update], None], *, args: argparse.Namespace | None = None,
                  realtime: bool = True, engine: str | None = None, model: str | None = None,
                  swap: bool | None = None, mono_speaker: str | None = None, lexicon: Lexicon | None = None,
                  company: str | None = None, agent_name: str | None = None,
                  semantic: SemanticDetector | None = None, semantic_async: bool = True,
                  speed: float = 1.0) -> CallPipeline:
    """A pipeline that plays a recording through the live path (see the module docstring).

    `realtime=False` feeds the file as fast as the recognisers take it (still the streaming path);
    `speed` > 1 plays a paced file faster than real time (tests, demos).
    """
    from assist.engine.coach import Coach
    from assist.speech.sources import FileSource, PacedFileSource

    audio, cs, eng = _open_recording(path, args, engine, model, swap, mono_speaker, lexicon, company, agent_name,
                                     semantic, live=True)
    source = PacedFileSource(audio, speed=speed) if realtime else FileSource(audio, block_s=0.25)
    coach = Coach(cs.lexicon, company=cs.company, agent_name=cs.agent_name, semantic=cs.semantic,
                  semantic_async=semantic_async)
    return CallPipeline(source, eng.recognizer_factory(), coach, on_update, engine=eng.name, model=eng.model.name)


def mic_pipeline(on_update: Callable[[Update], None], *, args: argparse.Namespace | None = None,
                 agent_device: str | int | None = None, customer_device: str | int | None = None,
                 engine: str | None = None, model: str | None = None, lexicon: Lexicon | None = None,
                 company: str | None = None, agent_name: str | None = None,
                 semantic: SemanticDetector | None = None, semantic_async: bool = True) -> CallPipeline:
    """A live call from the microphone (and optionally a second device for the customer's side).

    Devices come from the arguments, else `--agent-device/--customer-device`, else the settings file,
    else the system's default input. No PortAudio or no input device raises assist.errors.DeviceError
    (one line: what to install, or to pass --source FILE) before anything else is loaded.
    """
    from assist.engine.coach import Coach
    from assist.speech.devices import MicSource
    from assist.speech.factory import pick_engine

    ns = _ns(args)
    cfg_agent = cfg_customer = None
    if agent_device is None or customer_device is None:
        from assist.config import load_config

        cfg = load_config()
        cfg_agent, cfg_customer = cfg.agent_device or None, cfg.customer_device or None
    if agent_device is None:
        agent_device = getattr(ns, "agent_device", None) or cfg_agent
    if customer_device is None:
        customer_device = getattr(ns, "customer_device", None) or cfg_customer
    source = MicSource(agent_device, customer_device)  # checks PortAudio and the devices first: cheap, fails fast
    try:
        cs = _setup(ns, lexicon, company, agent_name, semantic)
        eng = pick_engine(engine or getattr(ns, "engine", None), model or getattr(ns, "model", None),
                          cs.lexicon.language, (cs.company, cs.agent_name), live=True)
        factory = eng.recognizer_factory()
    except BaseException:
        source.close()
        raise
    coach = Coach(cs.lexicon, company=cs.company, agent_name=cs.agent_name, semantic=cs.semantic,
                  semantic_async=semantic_async)
    return CallPipeline(source, factory, coach, on_update, engine=eng.name, model=eng.model.name)


def analyze_recording(path: str | Path, *, args: argparse.Namespace | None = None, engine: str | None = None,
                      model: str | None = None, swap: bool | None = None, mono_speaker: str | None = None,
                      lexicon: Lexicon | None = None, company: str | None = None, agent_name: str | None = None,
                      semantic: SemanticDetector | None = None,
                      on_update: Callable[[Update], None] | None = None) -> dict[str, Any]:
    """The whole-file path: transcribe the recording in one go (fast), then coach it; the report dict.

    Used by `assist replay` without --realtime and by batch scoring. Whisper is preferred here (the
    accuracy engine for recordings) when it has a model for the language; Vosk otherwise. Options
    not passed come from `args`, then the settings file. Bad input raises assist.errors.InputError.
    `on_update`, if given, sees start / final / event / end updates in call order (for jsonl output).
    """
    from assist.engine.coach import Coach
    from assist.speech.segment import merge_speakers
    from assist.speech.transcribe import transcribe_audio

    audio, cs, eng = _open_recording(path, args, engine, model, swap, mono_speaker, lexicon, company, agent_name,
                                     semantic, live=False)
    emit = on_update or (lambda u: None)
    emit(Update("start", data={"engine": eng.name, "model": eng.model.name, "realtime": False,
                               "source": str(path)}))
    utts = merge_speakers(transcribe_audio(audio, eng))
    coach = Coach(cs.lexicon, company=cs.company, agent_name=cs.agent_name, semantic=cs.semantic)
    for u in utts:
        emit(Update("final", utterance=u))
        for ev in coach.feed(u) + coach.advance(u.start):
            emit(Update("event", event=ev))
    for ev in coach.finish():
        emit(Update("event", event=ev))
    report = coach.report(source=str(path), duration_s=audio.duration, engine=eng.name, model=eng.model.name,
                          mode="whole-file")
    emit(Update("end", data={"report": report}))
    return report
