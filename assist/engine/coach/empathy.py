"""Checklist item `empathy`: after a customer's frustration cue, the agent acknowledges it (an
empathy phrase) within the lexicon's number of agent turns.

Each cue that arrives while no episode is open opens one (`required_at` = the cue); an episode is
done at the first empathy phrase, missed after the allowed agent turns or at the end of the call.
At most one episode is open at a time, so each agent line costs O(1) however long the call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assist.engine.events import Event
from assist.engine.lexicon import EmpathySpec
from assist.engine.normalize import NormText
from assist.engine.rules import any_match
from assist.transcript import Utterance


@dataclass
class Episode:
    required_at: float
    cue_utt: int
    turns: int = 0
    status: str = "pending"
    at: float | None = None
    utterance: int | None = None


class EmpathyCheck:
    def __init__(self, spec: EmpathySpec, fill: Callable[[str], str]) -> None:
        self.spec = spec
        self.fill = fill
        self.episodes: list[Episode] = []
        self._open: Episode | None = None

    def cue(self, cue: Event) -> list[Event]:
        """A frustration cue (lexical or semantic): empathy is due, unless an episode is open."""
        if self._open is not None:
            return []
        ep = Episode(required_at=cue.start, cue_utt=cue.utterance)
        self.episodes.append(ep)
        self._open = ep
        return [Event("checklist", "empathy", cue.utterance, "customer", cue.start, cue.end,
                      suggestion=self.fill(self.spec.suggestion), why=self.spec.why,
                      data={"item": "empathy", "status": "pending", "required_at": round(cue.start, 2)})]

    def agent_final(self, utt: Utterance, norm: NormText, new_turn: bool) -> list[Event]:
        """A final agent utterance; `new_turn` when the previous final utterance was the customer's."""
        ep = self._open
        if ep is None or utt.start < ep.required_at - 0.5:
            return []
        if new_turn:
            ep.turns += 1
        if any_match(self.spec.phrases, norm.text):
            ep.status, ep.at, ep.utterance = "done", utt.start, utt.index
            self._open = None
            return [Event("checklist", "empathy", utt.index, utt.speaker, utt.start, utt.end,
                          data={"item": "empathy", "status": "done"})]
        if ep.turns >= self.spec.turns:
            ep.status = "missed"
            self._open = None
            sug = self.fill(self.spec.suggestion)
            return [
                Event("checklist", "empathy", utt.index, "agent", utt.start, utt.end, suggestion=sug,
                      why=self.spec.why, data={"item": "empathy", "status": "missed"}),
                Event("suggest", "empathy", utt.index, "agent", utt.start, utt.end, suggestion=sug,
                      why=self.spec.why, severity="warning"),
            ]
        return []

    def finish(self, end: float) -> list[Event]:
        ep = self._open
        if ep is None:
            return []
        ep.status = "missed"
        self._open = None
        return [Event("checklist", "empathy", ep.cue_utt, "agent", end, end,
                      suggestion=self.fill(self.spec.suggestion), data={"item": "empathy", "status": "missed"})]

    def state(self) -> dict[str, Any]:
        if not self.episodes:
            return {"status": "not-needed"}
        eps = self.episodes
        status = "missed" if any(e.status == "missed" for e in eps) else (
            "pending" if any(e.status == "pending" for e in eps) else "done")
        d: dict[str, Any] = {"status": status, "required_at": round(eps[0].required_at, 2)}
        done_at = next((e.at for e in eps if e.at is not None), None)
        if done_at is not None:
            d["at"] = round(done_at, 2)
        if len(eps) > 1:
            d["episodes"] = [{"required_at": round(e.required_at, 2), "status": e.status,
                              **({"at": round(e.at, 2)} if e.at is not None else {})} for e in eps]
        return d
