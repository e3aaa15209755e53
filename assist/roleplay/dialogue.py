"""The scripted customer: it listens to the trainee through the same `Coach` a live call uses and
picks its next line from what the coach found in the answer.

The call runs on a simulated clock (speech at a phone pace, short pauses), because a typed answer
takes far longer to type than to say and the coach's timing rules (greeting window, empathy turns)
are about speech. The first answer is the trainee picking up the phone: the customer only starts
talking after it, exactly as on a real line.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from assist.engine.coach import Coach, SemanticDetector
from assist.engine.events import Event
from assist.engine.lexicon import Lexicon
from assist.engine.rules import any_match
from assist.roleplay.scenario import Scenario
from assist.transcript import Utterance

WORDS_PER_S = 2.5  # a phone pace (about 150 words a minute), as the transcript estimator uses
REPLY_PAUSE_S = 1.0  # the trainee answers after a short pause: an instant answer sounds dismissive
CUSTOMER_PAUSE_S = 0.7
# How much one answer moves the customer's anger.
ANGER_STEP = {"angrier": 2, "vague": 1, "calmer": -1, "neutral": 0, "satisfied": -2}
VAGUE_CATEGORIES = {"vague-promise", "half-promise"}
ANGERING_SEVERITIES = {"warning", "critical"}

OUTCOMES = ("satisfied", "hangup", "timeout", "unfinished")


@dataclass
class Turn:
    """One trainee answer and what followed it."""

    number: int
    answer: str
    utterance: int  # index of the trainee's utterance in the call
    events: list[Event]  # everything the coach emitted on this answer (flags, checklist, suggestions)
    reaction: str
    why: str  # the reason for the reaction, shown in the debrief
    anger: int
    customer_line: str | None = None
    customer_utterance: int | None = None
    customer_events: list[Event] = field(default_factory=list)

    @property
    def flags(self) -> list[Event]:
        return [e for e in self.events if e.type == "flag"]

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.number, "answer": self.answer, "utterance": self.utterance,
                "reaction": self.reaction, "why": self.why, "anger": self.anger,
                "flags": [{"category": e.category, "match": e.match, "suggestion": e.suggestion} for e in self.flags],
                "customer_line": self.customer_line, "customer_utterance": self.customer_utterance}


class RolePlay:
    """One role-play call. `answer(text)` per trainee turn until `ended`; then `report()`."""

    def __init__(self, scenario: Scenario, lexicon: Lexicon, *, agent_name: str | None = None,
                 company: str | None = None, semantic: SemanticDetector | None = None,
                 today: _dt.date | None = None) -> None:
        self.scenario = scenario
        self.lexicon = lexicon
        self.coach = Coach(lexicon, company=company or scenario.company, agent_name=agent_name,
                           semantic=semantic, today=today)
        self.t = 0.0
        self.anger = scenario.start_anger
        self.turns: list[Turn] = []
        self.outcome: str | None = None
        self.commitment: str | None = None  # the concrete resolution that satisfied the customer
        self.empathy_said = False
        self._next_index = 0
        self._used: dict[str, int] = {}
        self.customer_lines: list[str] = []
        self.live_checklist: dict[str, dict[str, Any]] | None = None

    # ----------------------------------------------------------------- state
    @property
    def ended(self) -> bool:
        return self.outcome is not None

    @property
    def answered(self) -> bool:
        """True once the trainee has picked up (the first answer is the greeting)."""
        return bool(self.turns)

    def prompt(self) -> str:
        """What the trainee sees before the first answer."""
        p = self.scenario.persona
        return f"The phone rings: {p.name} is calling ({p.mood}). Pick up and greet the caller."

    # ----------------------------------------------------------------- playing
    def _utt(self, speaker: str, text: str, pause: float) -> Utterance:
        start = self.t + pause
        end = start + max(1.0, len(text.split()) / WORDS_PER_S)
        self.t = end
        u = Utterance(index=self._next_index, speaker=speaker, start=round(start, 2), end=round(end, 2), text=text)
        self._next_index += 1
        return u

    def _feed(self, u: Utterance) -> list[Event]:
        evs = self.coach.feed(u)
        evs += self.coach.advance(u.end)
        return evs

    def answer(self, text: str) -> Turn:
        """The trainee says `text`; the coach judges it; the customer answers (or the call ends)."""
        if self.ended:
            raise RuntimeError("the role-play has ended")
        text = " ".join(text.split())
        first = not self.turns
        u = self._utt("agent", text, 0.3 if first else REPLY_PAUSE_S)
        evs = self._feed(u)
        reaction, why = self._react(u, evs)
        if first and reaction == "satisfied":
            reaction, why = "neutral", "the customer has not said what they need yet"
        self.anger = max(0, self.anger + ANGER_STEP[reaction])
        turn = Turn(len(self.turns) + 1, text, u.index, evs, reaction, why, self.anger)
        self.turns.append(turn)
        if first:
            line = self.scenario.opening
        elif reaction == "satisfied":
            self.outcome, line = "satisfied", self.scenario.end["satisfied"]
        elif self.anger >= self.scenario.persona.anger_limit:
            self.outcome, line = "hangup", self.scenario.end["hangup"]
        elif len(self.turns) >= self.scenario.max_turns or self.t >= self.scenario.time_limit_s:
            self.outcome, line = "timeout", self.scenario.end["timeout"]
        else:
            line = self._line(reaction)
        cu = self._utt("customer", line, CUSTOMER_PAUSE_S)
        turn.customer_line, turn.customer_utterance = line, cu.index
        turn.customer_events = self._feed(cu)
        self.customer_lines.append(line)
        return turn

    def _line(self, reaction: str) -> str:
        # Lines of one reaction are used in order, so a trainee who keeps making the same mistake
        # hears the customer escalate rather than repeat themselves.
        lines = self.scenario.lines[reaction]
        n = self._used.get(reaction, 0)
        self._used[reaction] = n + 1
        return lines[min(n, len(lines) - 1)]

    def _react(self, u: Utterance, evs: list[Event]) -> tuple[str, str]:
        flags = [e for e in evs if e.type == "flag"]
        angering = [e for e in flags if e.category not in VAGUE_CATEGORIES and e.severity in ANGERING_SEVERITIES]
        if angering:
            return "angrier", f"{angering[0].category}: “{angering[0].match}”"
        vague = [e for e in flags if e.category in VAGUE_CATEGORIES]
        if vague:
            return "vague", f"{vague[0].category}: “{vague[0].match}”"
        norm = self.coach.matcher.normalize(u.text)
        empathy_ev = any(e.type == "checklist" and e.category == "empathy" and e.data.get("status") == "done"
                         for e in evs)
        empathy = empathy_ev or any_match(self.lexicon.empathy.phrases, norm.text) is not None
        if empathy:
            self.empathy_said = True
        callback = next((e for e in evs if e.type == "checklist" and e.category == "callback"
                         and e.data.get("status") == "done"), None)
        if callback is not None:
            self.commitment = str(callback.data.get("commitment") or "callback")
            return "satisfied", f"concrete commitment: “{self.commitment}”"
        for pat in self.scenario.commitments:
            m = pat.search(norm.text)
            if m:
                self.commitment = m.group(0)
                return "satisfied", f"concrete resolution: “{m.group(0)}”"
        if empathy:
            return "calmer", "empathy"
        return "neutral", "no empathy, no commitment yet"

    def finish(self, outcome: str = "unfinished") -> None:
        """End the call (the trainee stopped, or the responses ran out) and settle the checklist."""
        if self.outcome is None:
            self.outcome = outcome
        if self.live_checklist is None:
            # What was still open when the call ended: the debrief judges a satisfied customer's
            # last cue differently from one the trainee had turns to answer (assist/roleplay/debrief.py).
            self.live_checklist = self.coach.checklist(live=True)
        self.coach.finish()

    def play(self, answers: list[str]) -> None:
        """Scripted mode: one answer per turn until the customer ends the call or answers run out."""
        for a in answers:
            if self.ended:
                break
            self.answer(a)
        self.finish()
