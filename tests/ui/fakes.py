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
from assist.engine.coach import Coach
from assist.engine.lexicon import load_lexicon
from assist.pipeline import Update
from assist.transcript import Utterance, parse_txt

ROOT = Path(__file__).resolve().parents[2]
DEMO_TXT = ROOT / "examples" / "demo-call.txt"
DEMO_OGG = ROOT / "examples" / "demo-call.ogg"


def demo_utterances() -> list[Utterance]:
    # lines starting with # are the script's notes, not speech
    lines = [x for x in DEMO_TXT.read_text(encoding="utf-8").splitlines() if not x.lstrip().startswith("#")]
    return parse_txt("\n".join(lines), DEMO_TXT).utterances


class ScriptedPipeline:
    """Emits start, then for each utterance a partial (first half of the words), the final, the
    coach's events and the audio position. `stop_after=N` holds the call after N utterances
    until stop() (a call in progress); `with_partial_last` leaves the last one as a partial."""

    def __init__(self, on_update: Callable[[Update], None], cfg: Config, *, stop_after: int | None = None,
                 with_partial_last: bool = False) -> None:
        self.on_update = on_update
        self.coach = Coach(load_lexicon("en"), company=cfg.company or None, agent_name=cfg.agent_name or None,
                           today=dt.date(2026, 11, 24), clock=lambda: 0.0)
        self.utts = demo_utterances()
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

    def _events(self, evs: list[Any]) -> None:
        for ev in evs:
            ev.latency_s = None
            self.on_update(Update("event", event=ev))

    def run(self) -> dict[str, Any]:
        self.on_update(Update("start", data={"engine": "whisper", "model": "whisper-tiny.en", "realtime": True,
                                             "source": "demo-call.ogg"}))
        for n, u in enumerate(self.utts):
            self._running.wait()
            if self._stop.is_set():
                break
            if self.stop_after is not None and n >= self.stop_after:
                if self.with_partial_last:
                    words = u.text.split()
                    part = Utterance(u.index, u.speaker, u.start, u.end, " ".join(words[: len(words) // 2]),
                                     final=False)
                    self.on_update(Update("partial", utterance=part))
                    self._events(self.coach.feed(part))
                self.position = u.start + 0.8
                self.on_update(Update("position", data={"t": self.position}))
                self.held.set()
                self._stop.wait()
                break
            self.position = u.end
            self.on_update(Update("final", utterance=u))
            self._events(self.coach.feed(u))
            self._events(self.coach.advance(u.end))
            self.on_update(Update("position", data={"t": round(u.end, 2)}))
        self._events(self.coach.finish())
        report = self.coach.report(source="demo-call.ogg", duration_s=self.position, engine="whisper",
                                   model="whisper-tiny.en", mode="realtime")
        self.on_update(Update("end", data={"report": report}))
        return report


def scripted(**kw: Any) -> Callable[[Callable[[Update], None], Config], ScriptedPipeline]:
    made: list[ScriptedPipeline] = []

    def factory(on_update: Callable[[Update], None], cfg: Config) -> ScriptedPipeline:
        p = ScriptedPipeline(on_update, cfg, **kw)
        made.append(p)
        return p

    factory.made = made  # type: ignore[attr-defined]
    return factory
