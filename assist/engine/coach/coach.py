"""The coach: utterances in (partial or final, from any source), events out.

One `Coach` follows one call. It is incremental: feed the same utterance index again and again as
the recogniser's partial grows; a flag is emitted once, as soon as its words are there, never
repeated, and retracted if the final text no longer holds it. Thread-safe: a recogniser thread may
feed while a semantic worker adds its findings.

The parts: the matcher stage (`flags.py`: lexicon rules → hits → standing flags and cues), one
class per checklist item (`greeting.py`, `empathy.py`, `callback.py`), suggestion templates
(`templates.py`) and the report (`report.py`). `run.py` drives a coach through a call.
"""

from __future__ import annotations

import datetime as _dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from assist.engine.coach.callback import CallbackCheck
from assist.engine.coach.empathy import EmpathyCheck
from assist.engine.coach.flags import Flagger, StandingEvents
from assist.engine.coach.greeting import AgentOpening, GreetingCheck
from assist.engine.coach.report import build_report
from assist.engine.coach.templates import Templates
from assist.engine.events import Event
from assist.engine.lexicon import Lexicon, Rule
from assist.engine.rules import Matcher
from assist.transcript import Utterance


@dataclass
class SemanticHit:
    category: str
    similarity: float
    prototype: str
    threshold: float
    margin: float = 0.0


class SemanticDetector(Protocol):
    """What the coach needs from the semantic detector (assist/engine/semantic.py)."""

    def detect(self, text: str, speaker: str, skip: set[str]) -> list[SemanticHit]: ...


class Coach:
    def __init__(
        self,
        lexicon: Lexicon,
        *,
        company: str | None = None,
        agent_name: str | None = None,
        semantic: SemanticDetector | None = None,
        semantic_async: bool = False,
        clock: Callable[[], float] = time.monotonic,
        audio_clock: Callable[[float], float | None] | None = None,
        today: _dt.date | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.matcher = Matcher(lexicon)
        self.company = company or None
        self.agent_name = agent_name or None
        self.semantic = semantic  # may be set later (role-play gains it once its model has loaded)
        self.semantic_async = semantic_async
        self.clock = clock
        self.audio_clock = audio_clock  # audio time -> wall-clock time it was fed (streaming only)
        self.templates = Templates(lexicon, self.company, self.agent_name, today or _dt.date.today())
        self.utterances: dict[int, Utterance] = {}  # each index as last fed (partial or final)
        self.book = StandingEvents()
        self.flagger = Flagger(self.book, self.fill, self._stamp, self._on_new)
        self.opening = AgentOpening()
        self.greeting = GreetingCheck(lexicon.greeting, self.company, self.agent_name, self.fill)
        self.empathy = EmpathyCheck(lexicon.empathy, self.fill)
        self.callback = CallbackCheck(lexicon.callback)
        self._last_final_speaker: str | None = None
        self._semantic_done: set[int] = set()
        self._rule_of: dict[str, Rule] = {}
        for r in lexicon.rules:  # a semantic finding borrows the first rule of its category's advice
            self._rule_of.setdefault(r.category, r)
        self._lock = threading.RLock()

    def fill(self, template: str) -> str:
        return self.templates.fill(template)

    def _stamp(self, ev: Event) -> None:
        if self.audio_clock is not None:
            fed = self.audio_clock(ev.end)
            if fed is not None:
                ev.latency_s = max(0.0, self.clock() - fed)

    def _on_new(self, ev: Event) -> list[Event]:
        if ev.type == "cue" and ev.category == "customer-frustration":
            return self.empathy.cue(ev)
        return []

    # ----------------------------------------------------------------- feeding
    def feed(self, utt: Utterance) -> list[Event]:
        """Feed a partial or final utterance; returns the events it causes (new, retracted, checklist)."""
        with self._lock:
            self.utterances[utt.index] = utt
            self.opening.fed(utt)
            words = [w.text for w in utt.words] if utt.words else None
            norm = self.matcher.normalize(utt.text, words)
            hits = self.matcher.find(norm, utt.speaker, partial=not (utt.final or utt.paused))
            out: list[Event] = []
            if utt.speaker == "agent":
                cb = self.callback.scan(utt, norm, lambda: self.book.standing("vague-promise"))
                out += cb.events
                hits = [h for h in hits if not (h.sentence in cb.redeemed and h.rule.category == "vague-promise")]
                hits += cb.hits
            out += self.flagger.reconcile(utt, norm, hits)
            if utt.speaker == "agent":
                first = self.opening.first_start
                out += self.greeting.agent_said(utt, norm, utt.start if first is None else first)
                if utt.final:
                    out += self.empathy.agent_final(utt, norm, new_turn=self._last_final_speaker != "agent")
            if utt.final:
                self._last_final_speaker = utt.speaker
                if utt.speaker == "customer" and self.greeting.pending and self.opening.spoke:
                    out += self.greeting.decide(utt.start)
            if utt.final and self.semantic is not None and not self.semantic_async:
                out += self.semantic_pass(utt.index)
            return out

    # ----------------------------------------------------------------- semantic
    def semantic_pass(self, index: int) -> list[Event]:
        """Run the semantic detector on a final utterance (call from a worker thread)."""
        det = self.semantic
        if det is None:
            return []
        with self._lock:
            utt = self.utterances.get(index)
            if utt is None or not utt.final or index in self._semantic_done:
                return []
            self._semantic_done.add(index)
            skip = {e.category for e in self.book.of(index)}
            text, speaker = utt.text, utt.speaker
        found = det.detect(text, speaker, skip)  # outside the lock: the model is the slow part
        out: list[Event] = []
        with self._lock:
            for h in found:
                key = f"{index}:semantic:{h.category}"
                if h.category in skip or key in self.book:
                    continue
                out += self._semantic_event(utt, h, key)
        return out

    def _semantic_event(self, utt: Utterance, h: SemanticHit, key: str) -> list[Event]:
        rule = self._rule_of.get(h.category)
        is_cue = h.category == "customer-frustration"
        ev = Event(
            type="cue" if is_cue else "flag", category=h.category, utterance=utt.index, speaker=utt.speaker,
            start=utt.start, end=utt.end, rule=f"{self.lexicon.language}.semantic.{h.category}",
            match=utt.text, suggestion=self.fill(rule.suggestion) if rule else "",
            severity=rule.severity if rule else "warning", detector="semantic",
            why=rule.why if rule else "", id=key,
            data={"similarity": round(h.similarity, 3), "prototype": h.prototype, "threshold": round(h.threshold, 3)},
        )
        self._stamp(ev)
        self.book.add(ev)
        return [ev, *self._on_new(ev)]

    # ----------------------------------------------------------------- time and end
    def advance(self, t: float) -> list[Event]:
        """The call has reached time `t` (seconds): decide what time alone decides."""
        with self._lock:
            if self.greeting.pending and self.opening.spoke and t > self.lexicon.greeting.within_s + 5:
                return self.greeting.decide(t)
            return []

    def finish(self) -> list[Event]:
        """End of call: anything still pending is decided."""
        with self._lock:
            end = max((u.end for u in self.utterances.values()), default=0.0)
            return self.greeting.decide(end) + self.empathy.finish(end)

    # ----------------------------------------------------------------- state and report
    def events(self) -> list[Event]:
        """The flags and cues standing (the report's `events`), in call order."""
        with self._lock:
            return self.book.reported()

    def checklist(self, live: bool = False) -> dict[str, dict[str, Any]]:
        """Each item's state; `live` keeps an unanswered vague promise `pending` instead of `missed`."""
        with self._lock:
            return {"greeting": self.greeting.state(), "empathy": self.empathy.state(),
                    "callback": self.callback.state(self.book.in_category("vague-promise"), live=live)}

    def call_utterances(self) -> list[Utterance]:
        """Every utterance in index order as last fed: final ones, and the partial of a turn the
        recogniser never finished (a call cut short keeps what was heard)."""
        with self._lock:
            return [self.utterances[i] for i in sorted(self.utterances)]

    def report(self, *, source: str = "", duration_s: float | None = None, **call: Any) -> dict[str, Any]:
        with self._lock:
            return build_report(self.call_utterances(), self.events(), self.checklist(),
                                language=self.lexicon.language, company=self.company, agent_name=self.agent_name,
                                lexicon_file=str(self.lexicon.path.name), source=source, duration_s=duration_s,
                                **call)
