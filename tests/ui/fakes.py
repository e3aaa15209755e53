"""A scripted stand-in for CallPipeline, for tests of the UI layer alone (snapshots, key handling).

It plays the demo call's text transcript through the real Coach, so the events on screen are the
engine's own, but without audio or models and fully deterministic. The Pilot tests that drive the
recorded call use the real pipeline (test_live_pilot.py)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assist.config import Config
from assist.engine.coach import Coach, CoachRun
from assist.engine.events import Event
from assist.session.messages import (
    CallEnded,
    CallStarted,
    FinalUtterance,
    Levels,
    PartialUtterance,
    Position,
    Sink,
    event_message,
)
from assist.session.spec import CallOptions, CallSpec, resolve_spec
from assist.transcript import Utterance, parse_txt

ROOT = Path(__file__).resolve().parents[2]
DEMO_TXT = ROOT / "examples" / "demo-call.txt"
DEMO_OGG = ROOT / "examples" / "demo-call.ogg"
HE_TXT = ROOT / "examples" / "he-call.txt"


def demo_utterances(path: Path = DEMO_TXT) -> list[Utterance]:
    # lines starting with # are the script's notes, not speech
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if not x.lstrip().startswith("#")]
    return parse_txt("\n".join(lines), path).utterances


class ScriptedPipeline:
    """Posts the same kinds of message as CallPipeline (tests/ui/test_fake_parity.py holds it to
    that): CallStarted; for each utterance audio levels, partials that grow (a third, half, two
    thirds of its words) with the coach's events on them and the position after each, the final
    with its events and the audio position; the events of the call's end; CallEnded. Flags and cues carry
    `latency_s` (a fixed 0.3 s after the audio, as a streaming run's carry a measured one).
    `stop_after=N` holds the call after N utterances until stop() (a call in progress);
    `with_partial_last` shows the held utterance as a partial (its first half). `utts` plays
    another call's turns (the Hebrew example), `model` is the one the header names."""

    LATENCY_S = 0.3
    PARTS = (1 / 3, 1 / 2, 2 / 3)  # how much of a turn each partial holds

    def __init__(self, sink: Sink, spec: CallSpec, *, stop_after: int | None = None,
                 with_partial_last: bool = False, utts: list[Utterance] | None = None,
                 model: str = "whisper-tiny.en") -> None:
        self.sink = sink
        # audio time t was "fed" at wall time t, and the coach decides LATENCY_S after the audio it
        # has heard (self.position): every flag gets a float latency_s, deterministic for snapshots
        self.coach = Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name,
                           today=dt.date(2026, 11, 24), clock=lambda: self.position + self.LATENCY_S,
                           audio_clock=lambda t: t)
        self.run_ = CoachRun(self.coach, self._event)
        self.speakers = ("agent", "customer")
        self.utts = demo_utterances() if utts is None else utts
        self.model = model
        self.stop_after = stop_after
        self.with_partial_last = with_partial_last
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.position = 0.0
        self.held = threading.Event()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def report_so_far(self, *, source: str, duration_s: float) -> dict[str, Any]:
        return self.coach.report(source=source, duration_s=duration_s)

    def _event(self, ev: Event) -> None:
        self.sink(event_message(ev))

    def _level(self, speaking: str) -> None:
        self.sink(Levels({sp: (0.3 if sp == speaking else 0.0) for sp in self.speakers}))

    def _position(self, t: float) -> None:
        self.position = t
        self.sink(Position(round(t, 2)))

    def _partials(self, u: Utterance, upto: float) -> None:
        """The turn growing as a recogniser hears it: its first third, half, two thirds (up to `upto`)."""
        words = u.text.split()
        said = ""
        for frac in (f for f in self.PARTS if f <= upto):
            text = " ".join(words[: max(1, round(len(words) * frac))])
            if text == said:
                continue
            said = text
            part = Utterance(u.index, u.speaker, u.start, u.start + (u.end - u.start) * frac, text, final=False)
            self._level(u.speaker)
            self.position = part.end
            self.sink(PartialUtterance(part))
            self.run_.utterance(part)
            self._position(part.end)

    def run(self) -> dict[str, Any]:
        self.sink(CallStarted("whisper", self.model, True, "demo-call.ogg"))
        for n, u in enumerate(self.utts):
            self._running.wait()
            if self._stop.is_set():
                break
            if self.stop_after is not None and n >= self.stop_after:
                if self.with_partial_last:
                    self._partials(u, upto=0.5)
                self._position(max(self.position, u.start + 0.8))
                self.held.set()
                self._stop.wait()
                break
            self._partials(u, upto=1.0)
            self._level(u.speaker)
            self.position = u.end
            self.sink(FinalUtterance(u))
            self.run_.utterance(u, clock=u.end)
            self._position(u.end)
        self.run_.finish()
        report = self.coach.report(source="demo-call.ogg", duration_s=self.position, engine="whisper",
                                   model=self.model, mode="realtime")
        self.sink(CallEnded(report))
        return report


def scripted(**kw: Any) -> Callable[[Sink, CallSpec], ScriptedPipeline]:
    made: list[ScriptedPipeline] = []

    def factory(sink: Sink, spec: CallSpec) -> ScriptedPipeline:
        p = ScriptedPipeline(sink, spec, **kw)
        made.append(p)
        return p

    factory.made = made  # type: ignore[attr-defined]
    return factory


def call_spec(config: Config, source: str | Path | None = None, **options: Any) -> CallSpec:
    """The spec the CLI would resolve for this call with these settings (options as CallOptions)."""
    return resolve_spec(CallOptions(source=str(source) if source is not None else None, **options), config)
