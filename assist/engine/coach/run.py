"""The one place that drives a coach through a call: feed each utterance, let the call clock
advance, finish — for a whole transcript (analyze, batch, a recording transcribed in one go), for
a streaming pipeline (one step at a time), for role-play and for the UI tests' scripted call.

`on_event` sees every event in the order the coach emits it; nothing is lost between the steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from assist.engine.coach.coach import Coach, SemanticDetector
from assist.engine.events import Event
from assist.engine.lexicon import Lexicon
from assist.transcript import Utterance


def _ignore(_: Any) -> None:
    return None


class CoachRun:
    """A coach following one call, handing every event it emits to `on_event`."""

    def __init__(self, coach: Coach, on_event: Callable[[Event], None] = _ignore) -> None:
        self.coach = coach
        self.on_event = on_event

    def _emit(self, events: list[Event]) -> list[Event]:
        for ev in events:
            self.on_event(ev)
        return events

    def utterance(self, utt: Utterance, *, clock: float | None = None) -> list[Event]:
        """Feed a partial or final utterance; then, if given, move the call clock to `clock`."""
        out = self._emit(self.coach.feed(utt))
        if clock is not None:
            out += self._emit(self.coach.advance(clock))
        return out

    def clock(self, t: float) -> list[Event]:
        """The call has reached `t` seconds (audio fed so far): what time alone decides."""
        return self._emit(self.coach.advance(t))

    def finish(self) -> list[Event]:
        return self._emit(self.coach.finish())

    def transcript(self, utterances: Iterable[Utterance], *,
                   on_utterance: Callable[[Utterance], None] = _ignore) -> None:
        """A finished transcript, in call order (start, then index): each utterance with the clock
        at its start, then the end of the call."""
        for u in sorted(utterances, key=lambda x: (x.start, x.index)):
            on_utterance(u)
            self.utterance(u, clock=u.start)
        self.finish()


def analyze_utterances(utts: list[Utterance], lexicon: Lexicon, *, company: str | None = None,
                       agent_name: str | None = None, semantic: SemanticDetector | None = None, source: str = "",
                       duration_s: float | None = None, **call: Any) -> dict[str, Any]:
    """Score a finished transcript in one go (analyze, batch, replay of a whole file)."""
    coach = Coach(lexicon, company=company, agent_name=agent_name, semantic=semantic)
    CoachRun(coach).transcript(utts)
    return coach.report(source=source, duration_s=duration_s, **call)
