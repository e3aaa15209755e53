"""Checklist item `greeting`: the agent names the company and themselves (or, with no names set,
says a greeting phrase) within the lexicon's window after they first speak.

A name the recogniser garbles past recognition (the telephone band: "Mateusz" -> "Matthew from",
"Ollivanders" -> "on the mender") is still a name in its place: when a name is not heard, the
agent's introduction in the lexicon's words ("this is ___", "___ speaking", "thank you for calling
___") with a slot of one to three words, at least one of them not a common word, counts for that
part — and the state says so (`by_structure`). It never stands in for a part that was not
introduced at all: "Thank you for calling Acme, how can I help?" still misses the agent's name.

Decided done as soon as it is heard; missed when the window has passed, when the customer has had
a turn after the agent spoke, when the call clock is well past the window, or at the end. Every
step is O(1) per utterance: where the agent first spoke and whether a final agent line exists are
kept as the call goes, never looked up by scanning earlier utterances.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assist.engine.events import Event
from assist.engine.lexicon import GreetingSpec, Intro
from assist.engine.names import find_name
from assist.engine.normalize import NormText, Sentence
from assist.engine.rules import any_match
from assist.transcript import Utterance


class AgentOpening:
    """Where the agent first spoke (the earliest start among the agent's utterances as last fed)
    and whether any of them is final — what the greeting window opens on."""

    def __init__(self) -> None:
        self._starts: dict[int, float] = {}
        self._first: tuple[float, int] | None = None  # (start, index) of the earliest
        self._finals: set[int] = set()

    def fed(self, utt: Utterance) -> None:
        if utt.speaker != "agent":
            return
        self._starts[utt.index] = utt.start
        if utt.final:
            self._finals.add(utt.index)
        else:
            self._finals.discard(utt.index)
        if self._first is None or utt.start < self._first[0]:
            self._first = (utt.start, utt.index)
        elif self._first[1] == utt.index and utt.start > self._first[0]:
            # the earliest turn moved later (a recogniser re-timed it): the only case that needs a look round
            i = min(self._starts, key=lambda k: (self._starts[k], k))
            self._first = (self._starts[i], i)

    @property
    def first_start(self) -> float | None:
        return None if self._first is None else self._first[0]

    @property
    def spoke(self) -> bool:
        """A final agent utterance has been heard."""
        return bool(self._finals)


_SLOT = 3  # words: the longest name an intro's slot holds ("Van der Berg Energy" heard as three)


def _slot(intro: Intro, sent: Sentence, first: int) -> list[str]:
    """The words in the intro's slot: up to _SLOT words after the cue, or before it (for an
    `at_start` intro, all the words before it, and only when they are at most _SLOT)."""
    toks = [t.text for t in sent.tokens]
    m = intro.cue.search(sent.text)
    if m is None:
        return []
    a, b = sent.token_at(m.start()), sent.token_at(max(m.start(), m.end() - 1))
    if intro.at_end and b != len(toks) - 1:
        return []
    if intro.name_after:
        return toks[b + 1:b + 1 + _SLOT]
    if intro.at_start:
        return toks[:a] if first == 0 and 0 < a <= _SLOT else []
    return toks[max(0, a - _SLOT):a]


def introduced(spec: GreetingSpec, part: str, norm: NormText) -> bool:
    """The agent introduced `part` ("company" or "agent_name") by the lexicon's intros, whatever the
    name came out as: an intro whose slot holds a word that is not a common word (the first word,
    for a name after its cue)."""
    for intro in spec.intros:
        if intro.part != part:
            continue
        for i, sent in enumerate(norm.sentences):
            slot = _slot(intro, sent, i)
            # A name right after its cue starts the slot ("this is Dana", not "this is a known issue");
            # before a cue a garble may end in a small word ("Main of speaking" for "Dana speaking").
            if any(_name_like(w, spec.common_words) for w in (slot[:1] if intro.name_after else slot)):
                return True
    return False


def _name_like(word: str, common: frozenset[str]) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in common


class GreetingCheck:
    def __init__(self, spec: GreetingSpec, company: str | None, agent_name: str | None,
                 fill: Callable[[str], str]) -> None:
        self.spec = spec
        self.company = company
        self.agent_name = agent_name
        self.fill = fill
        self.status = "pending"
        self.company_named = False
        self.agent_named = False
        self.phrase_said = False
        self.by_structure: set[str] = set()  # parts heard only as an introduction, the name unclear
        self.at: float | None = None  # start of the agent's first utterance in the window
        self._state: dict[str, Any] = {"status": "pending"}

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    def agent_said(self, utt: Utterance, norm: NormText, first_start: float) -> list[Event]:
        """An agent utterance (partial or final); `first_start` = where the agent first spoke."""
        if not self.pending:
            return []
        # The window opens when the agent first speaks (a recording may start with ringing).
        if utt.start > first_start + self.spec.within_s and utt.final:
            return self.decide(utt.start)
        tokens = [t.text for s in norm.sentences for t in s.tokens]
        if self.company and find_name(self.company, tokens, self.spec.name_threshold):
            self.company_named = True
        if self.agent_name and find_name(self.agent_name, tokens, self.spec.name_threshold):
            self.agent_named = True
        for part, name, named in (("company", self.company, self.company_named),
                                  ("agent_name", self.agent_name, self.agent_named)):
            if name and not named and introduced(self.spec, part, norm):
                self.by_structure.add(part)
        if any_match(self.spec.phrases, norm.text):
            self.phrase_said = True
        if self.at is None:
            self.at = utt.start
        if not self._complete():
            return []
        self.status = "done"
        self._state = {"status": "done", "at": round(self.at, 2), **self._detail()}
        return [Event("checklist", "greeting", utt.index, utt.speaker, utt.start, utt.end,
                      data={"item": "greeting", "status": "done"})]

    def _complete(self) -> bool:
        if not self.company and not self.agent_name:
            return self.phrase_said
        return ((self.company_named or "company" in self.by_structure or not self.company)
                and (self.agent_named or "agent_name" in self.by_structure or not self.agent_name))

    def _detail(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.company:
            d["company_named"] = self.company_named
        if self.agent_name:
            d["agent_named"] = self.agent_named
        heard = sorted(p for p in self.by_structure if not (self.company_named if p == "company" else self.agent_named))
        if heard:
            d["by_structure"] = heard  # introduced, the name itself not recognised
        return d

    def decide(self, at: float) -> list[Event]:
        """Time is up for the greeting (at call time `at`): missed, unless already decided."""
        if not self.pending:
            return []
        missing = []
        if self.company and not self.company_named and "company" not in self.by_structure:
            missing.append("company")
        if self.agent_name and not self.agent_named and "agent_name" not in self.by_structure:
            missing.append("agent name")
        if not self.company and not self.agent_name and not self.phrase_said:
            missing.append("greeting")
        self.status = "missed"
        self._state = {"status": "missed", "at": round(self.at, 2) if self.at is not None else None,
                       "missing": missing, **self._detail()}
        return [Event("checklist", "greeting", -1, "agent", at, at,
                      suggestion=self.fill(self.spec.suggestion), why=self.spec.why,
                      data={"item": "greeting", "status": "missed", "missing": missing})]

    def state(self) -> dict[str, Any]:
        return dict(self._state)
