"""Checklist item `callback`: a follow-up promise with a concrete day/time completes it; one
without is a `vague-promise` flag asking for the day and time (decided on the final text only).

A concrete day/time said after a vague promise still standing ("I'll look into it." … "Thursday
by three.") redeems it. Whether one stands is asked of the standing-events book (a counter), so
each agent line costs O(its own sentences), never a scan of the call so far.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assist.engine.events import Event
from assist.engine.lexicon import CallbackSpec, Rule
from assist.engine.normalize import NormText
from assist.engine.rules import Hit, any_match
from assist.transcript import Utterance


@dataclass
class CallbackScan:
    """What one agent utterance says about the callback."""

    hits: list[Hit] = field(default_factory=list)  # vague callback promises (flag them)
    redeemed: set[int] = field(default_factory=set)  # sentences a concrete commitment redeems
    events: list[Event] = field(default_factory=list)  # the checklist item done


class CallbackCheck:
    def __init__(self, spec: CallbackSpec) -> None:
        self.spec = spec
        self.status = "not-needed"
        self.at: float | None = None
        self.commitment: str | None = None
        self.rule = Rule(id=spec.rule, category="vague-promise", severity=spec.severity, speaker="agent",
                         kind="flag", position="anywhere", patterns=[], not_followed_by=[], not_preceded_by=[],
                         exceptions=[], suggestion=spec.suggestion, why=spec.why)

    def scan(self, utt: Utterance, norm: NormText, vague_standing: Callable[[], bool]) -> CallbackScan:
        """Returns the vague-callback hits and the sentences redeemed by a concrete commitment (a
        lexical vague promise there does not count: "I'll see what I can do and call you back
        Thursday by 3" is the good line). `vague_standing` is asked at most once, and only when a
        sentence holds a day/time but no promise of its own."""
        cb = self.spec
        out = CallbackScan()
        outstanding: bool | None = None
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
                outstanding = vague_standing()
            if concrete is not None and (m is not None or outstanding):
                # A concrete commitment redeems the vague words said before it in this utterance
                # too: "I'll look into it. I'll call you back Thursday at 3." is the good line.
                out.redeemed.update(range(si + 1))
                if self.status != "done" and utt.final:
                    t0, t1 = csent.token_at(concrete.start()), csent.token_at(concrete.end() - 1)
                    words = norm.words[csent.tokens[t0].word:csent.tokens[t1].word + 1]
                    self.status, self.at = "done", round(utt.start, 2)
                    self.commitment = " ".join(words).strip(" ,.;:!?")
                    out.events.append(Event("checklist", "callback", utt.index, utt.speaker, utt.start, utt.end,
                                            data={"item": "callback", "status": "done",
                                                  "commitment": self.commitment}))
                continue
            if m is not None:
                t0, t1 = s.token_at(m.start()), s.token_at(m.end() - 1)
                out.hits.append(Hit(self.rule, si, s.tokens[t0].word, s.tokens[t1].word, m.group(0)))
        return out

    def state(self, vague: list[Event], *, live: bool) -> dict[str, Any]:
        """The item for the report; `vague` = the vague promises standing (unanswered, if not done)."""
        if self.status == "done":
            return {"status": "done", "at": self.at, "commitment": self.commitment}
        if vague:
            return {"status": "pending" if live else "missed", "required_at": round(min(e.start for e in vague), 2)}
        return {"status": "not-needed"}


def _first_match_from(patterns: list[re.Pattern[str]], text: str, pos: int) -> re.Match[str] | None:
    """The earliest match at or after `pos` over all patterns (the longest on a tie)."""
    best: re.Match[str] | None = None
    for p in patterns:
        mm = p.search(text, pos)
        if mm and (best is None or (mm.start(), -mm.end()) < (best.start(), -best.end())):
            best = mm
    return best
