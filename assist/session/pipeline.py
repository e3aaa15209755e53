"""The streaming call pipeline: an audio source -> one recogniser per channel -> the coach -> messages.

    pipe = CallPipeline(source, recognizer_factory, coach, sink, engine="whisper", model="whisper-tiny.en")
    report = pipe.run()        # blocks (call it from a worker thread); returns the report dict
    pipe.stop()                # from any thread: ends the call early; run() then finishes and returns
    pipe.pause() / pipe.resume()
    pipe.position              # seconds of audio fed so far (read it from the sink: it is current there)
    pipe.report_so_far(source=…, duration_s=…)  # what the coach has now (a call whose end never came)

`sink(message)` is called on the pipeline's thread with the typed messages of messages.py, in the
order documented there. Recognisers are built when `run()` starts, one per speaker of the source.
Build one with `CallSession` (session/call.py), which decodes the recording or opens the devices,
picks the engine and loads the models first; errors there are one-line AssistErrors.

The coach's `audio_clock` is set here, so events of a streaming run carry `latency_s`.
"""

from __future__ import annotations

import bisect
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from assist.engine.coach import Coach, CoachRun
from assist.engine.events import Event
from assist.session.messages import (
    CallEnded,
    CallStarted,
    FinalUtterance,
    Levels,
    PartialUtterance,
    Position,
    RunningBehind,
    Sink,
    Status,
    event_message,
)
from assist.speech.audio import RATE, rms
from assist.speech.segment import make_utterance
from assist.transcript import Utterance

if TYPE_CHECKING:
    from assist.speech.sources import AudioSource
    from assist.speech.stream import Segment, StreamRecognizer

Block = tuple[float, dict[str, np.ndarray], list[tuple[float, float]]]

# Running behind: said from LAG_SAY_S of lag (a decode on an idle 2-core machine takes ~0.3 s, so
# more than a second means the machine is busy), repeated every LAG_EVERY_S, cleared below LAG_CLEAR_S.
LAG_SAY_S = 1.5
LAG_EVERY_S = 2.0
LAG_CLEAR_S = 0.5


class CallPipeline:
    def __init__(self, source: AudioSource, recognizer_factory: Callable[[str], StreamRecognizer], coach: Coach,
                 sink: Sink, *, engine: str = "", model: str = "") -> None:
        self.source = source
        self.recognizer_factory = recognizer_factory
        self.coach = coach
        self.sink = sink
        self.engine = engine
        self.model = model
        self.run_ = CoachRun(coach, self._event)
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
        self._behind = False  # a RunningBehind was said and not yet cleared
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

    def report_so_far(self, *, source: str, duration_s: float) -> dict[str, Any]:
        """The report of what the coach holds now (a call whose pipeline never finished), marked
        `call.partial`: a replay's partial report is saved as files but never stored (issue 14)."""
        report = self.coach.report(source=source, duration_s=duration_s)
        report.setdefault("call", {})["partial"] = True
        return report

    # ------------------------------------------------------------------ running
    def _event(self, ev: Event) -> None:
        self.sink(event_message(ev))

    def _semantic_worker(self) -> None:
        while True:
            idx = self._sem_q.get()
            if idx is None:
                return
            try:
                for ev in self.coach.semantic_pass(idx):
                    self._event(ev)
            except Exception as e:  # a model failure must not end the call
                self.sink(Status(f"semantic check failed: {e}"))

    def _utterance(self, utt: Utterance, *, semantic: bool = True) -> None:
        self.sink(FinalUtterance(utt) if utt.final else PartialUtterance(utt))
        self.run_.utterance(utt)
        if semantic and utt.final and self.coach.semantic is not None and self.coach.semantic_async:
            self._sem_q.put(utt.index)

    def _handle(self, batch: list[tuple[str, Segment]]) -> None:
        # Indices are handed out as turns appear. One batch can hold new turns of both speakers (a
        # pipeline that fell behind feeds several blocks at once), so they are taken in order of
        # their first word: the utterance list then follows the call's time order.
        batch = sorted((x for x in batch if x[1].words), key=lambda x: (x[1].words[0].start, x[0]))
        for speaker, seg in batch:
            k = (speaker, seg.key)
            if k not in self._index:
                self._index[k] = self._next
                self._next += 1
            utt = make_utterance(seg.words, speaker, self._index[k], final=seg.final, paused=seg.paused)
            if seg.final:
                self._last_partial.pop(utt.index, None)
            else:
                self._last_partial[utt.index] = utt
            self._utterance(utt)

    def _blocks(self) -> Iterator[Block]:
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
        th = threading.Thread(target=self._read, args=(q,), name="assist-audio", daemon=True)
        th.start()
        done = False
        while not done:
            items = [q.get()]
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
            if got:
                yield _joined(got)
        th.join(timeout=1.0)

    def _read(self, q: queue.Queue[Any]) -> None:
        """The audio thread of a live source: every block as it arrives, with its arrival time."""
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

    def _report_lag(self, oldest_wall: float) -> None:
        """Say when recognition runs behind the audio (on a busy machine the user should know why
        the flags come late), again every LAG_EVERY_S while it lasts, and once when it has caught
        up (`lag_s` 0: the screen clears the warning)."""
        now = time.monotonic()
        lag = now - oldest_wall
        if lag >= LAG_SAY_S and now - self._lag_said >= LAG_EVERY_S:
            self._lag_said = now
            self._behind = True
            self.sink(RunningBehind(round(lag, 1), f"running behind (lag {lag:.1f} s): speech recognition "
                                                   "is behind the audio, the machine is busy"))
        elif self._behind and lag < LAG_CLEAR_S:
            self._behind = False
            self._lag_said = -1e9
            self.sink(RunningBehind(0.0, "caught up"))

    def run(self) -> dict[str, Any]:
        recs = {sp: self.recognizer_factory(sp) for sp in self.source.speakers}
        if self.coach.semantic is not None and self.coach.semantic_async:
            self._sem_thread = threading.Thread(target=self._semantic_worker, name="assist-semantic", daemon=True)
            self._sem_thread.start()
        try:
            self._feed(recs)
            self._handle([(sp, seg) for sp, rec in recs.items() for seg in rec.finish()])
            # a partial that never got a final version (stopped early, recogniser dropped it)
            # (no semantic pass for these: the call is over and the worker is being stopped)
            for _idx, utt in sorted(self._last_partial.items()):
                utt.final = True
                self._utterance(utt, semantic=False)
            self._last_partial.clear()
        finally:
            self.source.close()
            if self._sem_thread is not None:
                self._sem_q.put(None)
                self._sem_thread.join()
        self.run_.finish()
        report = self.coach.report(source=self.source.name, duration_s=self.position,
                                   engine=self.engine, model=self.model,
                                   mode="realtime" if self.source.realtime else "streaming")
        duration = getattr(self.source, "duration", None)  # a recording's; a microphone has none
        if duration is not None and self.position < float(duration) - 0.5:
            # stopped before the recording's end (a replay quit during its analysis): not the call's
            # score, so it is saved as files but never stored (issue 14)
            report.setdefault("call", {})["partial"] = True
        self.sink(CallEnded(report))
        return report

    def _feed(self, recs: dict[str, StreamRecognizer]) -> None:
        started = False
        for _t0, block, marks in self._blocks():
            if not self._running.is_set():
                self._running.wait()
            if self._stop.is_set():
                break
            if not started:
                started = True
                self.sink(CallStarted(self.engine, self.model, self.source.realtime, self.source.name))
            for t_end, wall in marks:
                self._fed_t.append(t_end)
                self._fed_wall.append(wall)
            t1 = marks[-1][0]
            self.position = t1
            self._report_lag(marks[0][1])
            if not getattr(self.source, "reports_levels", False):  # a device source says them as they arrive
                self.sink(Levels({sp: round(min(1.0, rms(x)), 4) for sp, x in block.items()}))
            self._handle([(sp, seg) for sp, x in _agent_first(block, recs) for seg in recs[sp].accept(x)])
            self.run_.clock(t1)
            self.sink(Position(round(t1, 2)))


def _joined(got: list[tuple[float, dict[str, np.ndarray], float]]) -> Block:
    """Blocks that arrived while the recogniser was busy, as one block (and each one's arrival)."""
    t0 = got[0][0]
    block = {sp: np.concatenate([g[1][sp] for g in got if sp in g[1]]) for sp in got[0][1]}
    marks = [(g[0] + max((len(x) for x in g[1].values()), default=0) / RATE, g[2]) for g in got]
    return t0, block, marks


def _agent_first(block: dict[str, np.ndarray], recs: dict[str, StreamRecognizer]) -> list[tuple[str, np.ndarray]]:
    """The block's channels, the agent's first (the flags are on the agent's words). While the agent
    is mid-utterance the other channel's partial decodes wait (`hold_partials`): on two cores a
    customer's partial decoded ahead of the agent's would delay the agent's flag. Its audio and its
    finals are never held. Recognisers without these attributes (Vosk: cheap) are fed as they are."""
    agent = recs.get("agent")
    floor = bool(getattr(agent, "speaking", False))
    for sp, rec in recs.items():
        if sp != "agent" and hasattr(rec, "hold_partials"):
            rec.hold_partials = floor  # type: ignore[attr-defined]
    items = [(sp, x) for sp, x in block.items() if sp in recs and len(x)]
    return sorted(items, key=lambda it: it[0] != "agent")
