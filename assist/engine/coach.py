"""The coach: utterances in (partial or final, from any source), events out.

One `Coach` follows one call. It is incremental: feed the same utterance index again and again as
the recogniser's partial grows; a flag is emitted once, as soon as its words are there, never
repeated, and retracted if the final text no longer holds it. Thread-safe: a recogniser thread may
feed while a semantic worker adds its findings.
"""

from __future__ import annotations

import datetime as _dt
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from assist.engine.events import REPORTED_TYPES, Event
from assist.engine.lexicon import Lexicon, Rule
from assist.engine.metrics import compute_metrics
from assist.engine.names import find_name
from assist.engine.normalize import NormText
from assist.engine.rules import Hit, Matcher, any_match
from assist.engine.scoring import score_call
from assist.transcript import Utterance

SCHEMA = "assist.report/1"
# Categories whose flag waits for the final utterance: a later clause ("…on Thursday by 3 pm")
# can redeem them, and flashing a flag that then vanishes is worse than a second's delay.
_FINAL_ONLY = {"vague-promise"}


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


@dataclass
class _Empathy:
    required_at: float
    cue_utt: int
    turns: int = 0
    status: str = "pending"
    at: float | None = None
    utterance: int | None = None


@dataclass
class _State:
    greeting: dict[str, Any] = field(default_factory=lambda: {"status": "pending"})
    greet_company: bool = False
    greet_agent: bool = False
    greet_phrase: bool = False
    greet_at: float | None = None
    empathy: list[_Empathy] = field(default_factory=list)
    callback: dict[str, Any] = field(default_factory=lambda: {"status": "not-needed"})
    last_final_speaker: str | None = None


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
        self.semantic = semantic
        self.semantic_async = semantic_async
        self.clock = clock
        self.audio_clock = audio_clock  # audio time -> wall-clock time it was fed (streaming only)
        self.today = today or _dt.date.today()
        self.utterances: dict[int, Utterance] = {}
        self._norm: dict[int, NormText] = {}
        self._active: dict[str, Event] = {}  # id -> flag/cue currently standing
        self._by_utt: dict[int, set[str]] = {}
        self._semantic_done: set[int] = set()
        self._st = _State()
        self._lock = threading.RLock()
        self.notices: list[str] = []
        self._day_cache: tuple[tuple[Any, ...], str] | None = None

    # ----------------------------------------------------------------- templates
    def fill(self, template: str) -> str:
        d = self.lexicon.defaults
        values = {
            "company": self.company or d.get("company", "[company]"),
            "agent_name": self.agent_name or d.get("agent_name", "[your name]"),
            "customer_name": d.get("customer_name", ""),
            "day": self._next_business_day(),
            "time": d.get("time", "3 pm"),
        }
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template

    def _next_business_day(self) -> str:
        # Asked for on every event's suggestion; the answer only changes with these inputs.
        d = self.lexicon.defaults
        key = (self.today, d.get("weekdays"), d.get("weekend"), d.get("day"))
        if self._day_cache is None or self._day_cache[0] != key:
            self._day_cache = (key, self._compute_next_business_day())
        return self._day_cache[1]

    def _compute_next_business_day(self) -> str:
        names = [x.strip() for x in self.lexicon.defaults.get("weekdays", "").split(",") if x.strip()]
        if len(names) != 7:
            return self.lexicon.defaults.get("day", "Thursday")
        # The weekend differs by country (Israel: Friday and Saturday); lexicons say which days.
        weekend = {5, 6}
        spec = self.lexicon.defaults.get("weekend")
        if spec is not None:  # validated at load (lexicon.py): digits 0-6, comma-separated
            weekend = {int(x) for x in spec.split(",") if x.strip()}
        day = self.today + _dt.timedelta(days=1)
        for _ in range(7):
            if day.weekday() not in weekend:
                break
            day += _dt.timedelta(days=1)
        return names[day.weekday()]

    # ----------------------------------------------------------------- feeding
    def feed(self, utt: Utterance) -> list[Event]:
        """Feed a partial or final utterance; returns the events it causes (new, retracted, checklist)."""
        with self._lock:
            self.utterances[utt.index] = utt
            words = [w.text for w in utt.words] if utt.words else None
            norm = self.matcher.normalize(utt.text, words)
            self._norm[utt.index] = norm
            hits = self.matcher.find(norm, utt.speaker, partial=not utt.final)
            out: list[Event] = []
            if utt.speaker == "agent":
                cb_hits, redeemed = self._callback(utt, norm, out)
                hits = [h for h in hits if not (h.sentence in redeemed and h.rule.category == "vague-promise")]
                hits += cb_hits
            out += self._reconcile(utt, norm, hits)
            out += self._checklist(utt, norm)
            if utt.final and self.semantic is not None and not self.semantic_async:
                out += self.semantic_pass(utt.index)
            return out

    def _event_times(self, utt: Utterance, norm: NormText, first: int, last: int) -> tuple[float, float]:
        if utt.words and len(utt.words) == len(norm.words):
            return utt.words[first].start, utt.words[last].end
        n = max(1, len(norm.words))
        span = max(0.0, utt.end - utt.start)
        return utt.start + span * first / n, utt.start + span * (last + 1) / n

    def _make_event(self, utt: Utterance, norm: NormText, hit: Hit, key: str) -> Event:
        r = hit.rule
        start, end = self._event_times(utt, norm, hit.first_word, hit.last_word)
        ev = Event(
            type="cue" if r.kind == "cue" else "flag",
            category=r.category, utterance=utt.index, speaker=utt.speaker, start=start, end=end,
            rule=r.id, match=" ".join(norm.words[hit.first_word:hit.last_word + 1]).strip(" ,.;:!?\"'"),
            suggestion=self.fill(r.suggestion), severity=r.severity, detector="lexical", why=r.why,
            id=key, final=utt.final,
        )
        self._set_latency(ev)
        return ev

    def _set_latency(self, ev: Event) -> None:
        if self.audio_clock is not None:
            fed = self.audio_clock(ev.end)
            if fed is not None:
                ev.latency_s = max(0.0, self.clock() - fed)

    def _reconcile(self, utt: Utterance, norm: NormText, hits: list[Hit]) -> list[Event]:
        out: list[Event] = []
        keep: dict[str, Hit] = {}
        counts: dict[str, int] = {}
        # One flag per category per sentence: two rules saying the same thing ("No, we can't do
        # that" is both a leading "no" and a refusal) give one piece of advice, not two. Prefer
        # the rule already showing, so a growing partial never swaps one flag for another.
        showing = {self._active[k].rule for k in self._by_utt.get(utt.index, set()) if k in self._active}
        chosen: dict[tuple[str, int], Hit] = {}
        for h in hits:
            slot = (h.rule.category, h.sentence)
            prev = chosen.get(slot)
            if prev is None or (prev.rule.id not in showing and h.rule.id in showing):
                chosen[slot] = h
        for h in chosen.values():
            n = counts.get(h.rule.id, 0)
            counts[h.rule.id] = n + 1
            keep[f"{utt.index}:{h.rule.id}:{n}"] = h
        mine = self._by_utt.setdefault(utt.index, set())
        for key in sorted(mine - set(keep)):
            ev = self._active.get(key)
            if ev is None or ev.detector != "lexical":
                continue
            # On a partial we only retract what a longer text contradicts; on the final, anything gone.
            del self._active[key]
            mine.discard(key)
            out.append(Event("retract", ev.category, ev.utterance, ev.speaker, ev.start, ev.end,
                             rule=ev.rule, match=ev.match, id=key, final=utt.final, detector=ev.detector))
        for key, h in keep.items():
            waiting = h.pending or (not utt.final and h.rule.category in _FINAL_ONLY)
            if key in self._active:
                # Keep the flag, refresh its words and times from the newer text. A copy: the event
                # already handed out (to the UI) must not change under its holder's feet.
                s, e = self._event_times(utt, norm, h.first_word, h.last_word)
                self._active[key] = replace(self._active[key], start=s, end=e, final=utt.final,
                                            match=" ".join(norm.words[h.first_word:h.last_word + 1]).strip(" ,.;:!?\"'"))
                continue
            if waiting:
                continue
            ev = self._make_event(utt, norm, h, key)
            self._active[key] = ev
            mine.add(key)
            out.append(ev)
            if ev.type == "cue" and ev.category == "customer-frustration":
                out += self._empathy_required(ev)
        return out

    # ----------------------------------------------------------------- checklist
    def _checklist(self, utt: Utterance, norm: NormText) -> list[Event]:
        out: list[Event] = []
        st = self._st
        if utt.speaker == "agent":
            out += self._greeting(utt, norm)
            if utt.final:
                new_turn = st.last_final_speaker != "agent"
                for ep in st.empathy:
                    if ep.status == "pending" and utt.start >= ep.required_at - 0.5:
                        if new_turn:
                            ep.turns += 1
                        if any_match(self.lexicon.empathy.phrases, norm.text):
                            ep.status, ep.at, ep.utterance = "done", utt.start, utt.index
                            out.append(self._ck_event("empathy", utt))
                        elif ep.turns >= self.lexicon.empathy.turns:
                            ep.status = "missed"
                            out += self._empathy_missed(utt)
        if utt.final:
            st.last_final_speaker = utt.speaker
            if utt.speaker == "customer" and st.greeting["status"] == "pending" and self._agent_spoke():
                out += self._decide_greeting(utt.start)
        return out

    def _agent_spoke(self) -> bool:
        return any(u.speaker == "agent" and u.final for u in self.utterances.values())

    def _greeting(self, utt: Utterance, norm: NormText) -> list[Event]:
        st = self._st
        g = self.lexicon.greeting
        if st.greeting["status"] != "pending":
            return []
        # The window opens when the agent first speaks (a recording may start with ringing).
        first = min((u.start for u in self.utterances.values() if u.speaker == "agent"), default=utt.start)
        if utt.start > first + g.within_s and utt.final:
            return self._decide_greeting(utt.start)
        tokens = [t.text for s in norm.sentences for t in s.tokens]
        if self.company and find_name(self.company, tokens, g.name_threshold):
            st.greet_company = True
        if self.agent_name and find_name(self.agent_name, tokens, g.name_threshold):
            st.greet_agent = True
        if any_match(g.phrases, norm.text):
            st.greet_phrase = True
        if st.greet_at is None:
            st.greet_at = utt.start
        if self._greeting_complete():
            st.greeting = {"status": "done", "at": round(st.greet_at, 2), **self._greet_detail()}
            return [self._ck_event("greeting", utt)]
        return []

    def _greeting_complete(self) -> bool:
        st = self._st
        if not self.company and not self.agent_name:
            return st.greet_phrase
        return (st.greet_company or not self.company) and (st.greet_agent or not self.agent_name)

    def _greet_detail(self) -> dict[str, Any]:
        st = self._st
        d: dict[str, Any] = {}
        if self.company:
            d["company_named"] = st.greet_company
        if self.agent_name:
            d["agent_named"] = st.greet_agent
        return d

    def _decide_greeting(self, at: float) -> list[Event]:
        st = self._st
        if st.greeting["status"] != "pending":
            return []
        missing = []
        if self.company and not st.greet_company:
            missing.append("company")
        if self.agent_name and not st.greet_agent:
            missing.append("agent name")
        if not self.company and not self.agent_name and not st.greet_phrase:
            missing.append("greeting")
        st.greeting = {"status": "missed", "at": round(st.greet_at, 2) if st.greet_at is not None else None,
                       "missing": missing, **self._greet_detail()}
        ev = Event("checklist", "greeting", -1, "agent", at, at,
                   suggestion=self.fill(self.lexicon.greeting.suggestion), why=self.lexicon.greeting.why,
                   data={"item": "greeting", "status": "missed", "missing": missing})
        return [ev]

    def _empathy_required(self, cue: Event) -> list[Event]:
        st = self._st
        if any(ep.status == "pending" for ep in st.empathy):
            return []
        # A new episode only if the last one was settled before this cue's utterance.
        ep = _Empathy(required_at=cue.start, cue_utt=cue.utterance)
        st.empathy.append(ep)
        return [Event("checklist", "empathy", cue.utterance, "customer", cue.start, cue.end,
                      suggestion=self.fill(self.lexicon.empathy.suggestion), why=self.lexicon.empathy.why,
                      data={"item": "empathy", "status": "pending", "required_at": round(cue.start, 2)})]

    def _empathy_missed(self, utt: Utterance) -> list[Event]:
        sug = self.fill(self.lexicon.empathy.suggestion)
        return [
            Event("checklist", "empathy", utt.index, "agent", utt.start, utt.end, suggestion=sug,
                  why=self.lexicon.empathy.why, data={"item": "empathy", "status": "missed"}),
            Event("suggest", "empathy", utt.index, "agent", utt.start, utt.end, suggestion=sug,
                  why=self.lexicon.empathy.why, severity="warning"),
        ]

    def _ck_event(self, item: str, utt: Utterance) -> Event:
        return Event("checklist", item, utt.index, utt.speaker, utt.start, utt.end,
                     data={"item": item, "status": "done", **({"commitment": self._st.callback.get("commitment")}
                                                               if item == "callback" else {})})

    def _callback(self, utt: Utterance, norm: NormText, out: list[Event]) -> tuple[list[Hit], set[int]]:
        """Follow-up promises: with a concrete day/time they complete `callback`; without, they
        are a vague-promise flag asking for the day and time (decided on the final text only).

        Returns the vague-callback hits and the sentences redeemed by a concrete commitment (a
        lexical vague promise there does not count: "I'll see what I can do and call you back
        Thursday by 3" is the good line)."""
        cb = self.lexicon.callback
        hits: list[Hit] = []
        redeemed: set[int] = set()
        outstanding: bool | None = None  # is a vague promise standing? (looked up only when needed)
        sents = norm.sentences
        for si, s in enumerate(sents):
            m = any_match(cb.intent, s.text)
            if m is not None and any_match(cb.exceptions, s.text):
                m = None
            # The time may come in the next sentence ("I'll call you back. Thursday, by three.").
            # The day/time that belongs to the promise is the one after it: in "I refunded the second
            # charge, and I'll call you back on Thursday by 3 pm" the commitment is Thursday, not "the second".
            concrete = _first_match_from(cb.concrete, s.text, m.start()) if m is not None else None
            if concrete is None:
                concrete = any_match(cb.concrete, s.text)
            csent = s
            if concrete is None and m is not None and si + 1 < len(sents):
                concrete, csent = any_match(cb.concrete, sents[si + 1].text), sents[si + 1]
            if concrete is not None and m is None and outstanding is None:
                outstanding = any(e.category == "vague-promise" for e in self._active.values())
            if concrete is not None and (m is not None or outstanding):
                # A concrete commitment redeems the vague words said before it in this utterance
                # too: "I'll look into it. I'll call you back Thursday at 3." is the good line.
                redeemed.update(range(si + 1))
                if self._st.callback.get("status") != "done" and utt.final:
                    t0, t1 = csent.token_at(concrete.start()), csent.token_at(concrete.end() - 1)
                    words = norm.words[csent.tokens[t0].word:csent.tokens[t1].word + 1]
                    commitment = " ".join(words).strip(" ,.;:!?")
                    self._st.callback = {"status": "done", "at": round(utt.start, 2), "commitment": commitment}
                    out.append(self._ck_event("callback", utt))
                continue
            if m is not None:
                t0, t1 = s.token_at(m.start()), s.token_at(m.end() - 1)
                hits.append(Hit(self._callback_rule, si, s.tokens[t0].word, s.tokens[t1].word, m.group(0)))
        return hits, redeemed

    @property
    def _callback_rule(self) -> Rule:
        cb = self.lexicon.callback
        return Rule(id=cb.rule, category="vague-promise", severity=cb.severity, speaker="agent", kind="flag",
                    position="anywhere", patterns=[], not_followed_by=[], not_preceded_by=[], exceptions=[],
                    suggestion=cb.suggestion, why=cb.why)

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
            skip = {self._active[k].category for k in self._by_utt.get(index, set()) if k in self._active}
            text, speaker = utt.text, utt.speaker
        found = det.detect(text, speaker, skip)  # outside the lock: the model is the slow part
        out: list[Event] = []
        with self._lock:
            for h in found:
                if h.category in skip:
                    continue
                rule = next((r for r in self.lexicon.rules if r.category == h.category), None)
                key = f"{index}:semantic:{h.category}"
                if key in self._active:
                    continue
                is_cue = h.category == "customer-frustration"
                ev = Event(
                    type="cue" if is_cue else "flag", category=h.category, utterance=index, speaker=speaker,
                    start=utt.start, end=utt.end, rule=f"{self.lexicon.language}.semantic.{h.category}",
                    match=text, suggestion=self.fill(rule.suggestion) if rule else "",
                    severity=rule.severity if rule else "warning", detector="semantic",
                    why=rule.why if rule else "", id=key,
                    data={"similarity": round(h.similarity, 3), "prototype": h.prototype,
                          "threshold": round(h.threshold, 3)},
                )
                self._set_latency(ev)
                self._active[key] = ev
                self._by_utt.setdefault(index, set()).add(key)
                out.append(ev)
                if is_cue:
                    out += self._empathy_required(ev)
        return out

    # ----------------------------------------------------------------- time and end
    def advance(self, t: float) -> list[Event]:
        """The call has reached time `t` (seconds): decide what time alone decides."""
        with self._lock:
            g = self.lexicon.greeting
            if self._st.greeting["status"] == "pending" and self._agent_spoke() and t > g.within_s + 5:
                return self._decide_greeting(t)
            return []

    def finish(self) -> list[Event]:
        """End of call: anything still pending is decided."""
        with self._lock:
            out: list[Event] = []
            end = max((u.end for u in self.utterances.values()), default=0.0)
            if self._st.greeting["status"] == "pending":
                out += self._decide_greeting(end)
            for ep in self._st.empathy:
                if ep.status == "pending":
                    ep.status = "missed"
                    out.append(Event("checklist", "empathy", ep.cue_utt, "agent", end, end,
                                     suggestion=self.fill(self.lexicon.empathy.suggestion),
                                     data={"item": "empathy", "status": "missed"}))
            return out

    # ----------------------------------------------------------------- state and report
    def events(self) -> list[Event]:
        with self._lock:
            return sorted((e for e in self._active.values() if e.type in REPORTED_TYPES),
                          key=lambda e: (e.start, e.utterance, e.id))

    def checklist(self, live: bool = False) -> dict[str, dict[str, Any]]:
        with self._lock:
            st = self._st
            out: dict[str, dict[str, Any]] = {"greeting": dict(st.greeting)}
            if not st.empathy:
                out["empathy"] = {"status": "not-needed"}
            else:
                eps = [{"required_at": round(e.required_at, 2), "status": e.status,
                        **({"at": round(e.at, 2)} if e.at is not None else {})} for e in st.empathy]
                status = "missed" if any(e.status == "missed" for e in st.empathy) else (
                    "pending" if any(e.status == "pending" for e in st.empathy) else "done")
                first = st.empathy[0]
                d: dict[str, Any] = {"status": status, "required_at": round(first.required_at, 2)}
                done_at = next((e.at for e in st.empathy if e.at is not None), None)
                if done_at is not None:
                    d["at"] = round(done_at, 2)
                if len(eps) > 1:
                    d["episodes"] = eps
                out["empathy"] = d
            cb = dict(st.callback)
            if cb["status"] != "done":
                vague = [e for e in self._active.values() if e.category == "vague-promise"]
                if vague:
                    cb = {"status": "pending" if live else "missed",
                          "required_at": round(min(e.start for e in vague), 2)}
            out["callback"] = cb
            return out

    def final_utterances(self) -> list[Utterance]:
        with self._lock:
            return [self.utterances[i] for i in sorted(self.utterances)]

    def report(self, *, source: str = "", duration_s: float | None = None, **call: Any) -> dict[str, Any]:
        with self._lock:
            utts = self.final_utterances()
            events = [e.to_dict() for e in self.events()]
            checklist = self.checklist()
            dur = duration_s if duration_s is not None else max((u.end for u in utts), default=0.0)
            metrics = compute_metrics(utts, dur)
            score, breakdown = score_call(events, checklist, metrics)
            return {
                "schema": SCHEMA,
                "call": {"source": source, "duration_s": round(dur, 2), "language": self.lexicon.language,
                         "company": self.company, "agent_name": self.agent_name,
                         "lexicon": str(self.lexicon.path.name), **call},
                "utterances": [u.to_dict() for u in utts],
                "events": events,
                "checklist": checklist,
                "metrics": metrics,
                "score": score,
                "score_breakdown": breakdown,
            }


def _first_match_from(patterns: list[re.Pattern[str]], text: str, pos: int) -> re.Match[str] | None:
    """The earliest match at or after `pos` over all patterns (the longest on a tie)."""
    best: re.Match[str] | None = None
    for p in patterns:
        mm = p.search(text, pos)
        if mm and (best is None or (mm.start(), -mm.end()) < (best.start(), -best.end())):
            best = mm
    return best


def analyze_utterances(utts: list[Utterance], lexicon: Lexicon, *, company: str | None = None,
                       agent_name: str | None = None, semantic: SemanticDetector | None = None,
                       source: str = "", duration_s: float | None = None, **call: Any) -> dict[str, Any]:
    """Score a finished transcript in one go (analyze, batch, replay of a whole file)."""
    coach = Coach(lexicon, company=company, agent_name=agent_name, semantic=semantic)
    for u in sorted(utts, key=lambda x: (x.start, x.index)):
        coach.feed(u)
        coach.advance(u.start)
    coach.finish()
    return coach.report(source=source, duration_s=duration_s, **call)
