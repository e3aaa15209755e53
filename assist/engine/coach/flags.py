"""The matcher stage of the coach: lexicon rules → hits on an utterance → flag and cue events that
stand, are refreshed as a partial grows, or are retracted when the final text drops them.

`StandingEvents` is the book of what stands now (by id, by utterance, counted by category), so no
step of the coach ever rescans the whole call to ask "is a vague promise standing?".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace

from assist.engine.events import REPORTED_TYPES, Event
from assist.engine.normalize import NormText
from assist.engine.rules import Hit
from assist.transcript import Utterance

# Categories whose flag waits for the final utterance: a later clause ("…on Thursday by 3 pm")
# can redeem them, and flashing a flag that then vanishes is worse than a second's delay.
FINAL_ONLY = {"vague-promise"}


class StandingEvents:
    """The flags and cues standing now: by id, by utterance, and how many per category."""

    def __init__(self) -> None:
        self._by_id: dict[str, Event] = {}
        self._by_utt: dict[int, set[str]] = {}
        self._per_category: Counter[str] = Counter()

    def __contains__(self, key: str) -> bool:
        return key in self._by_id

    def get(self, key: str) -> Event | None:
        return self._by_id.get(key)

    def add(self, ev: Event) -> None:
        self._by_id[ev.id] = ev
        self._by_utt.setdefault(ev.utterance, set()).add(ev.id)
        self._per_category[ev.category] += 1

    def refresh(self, ev: Event) -> None:
        """Replace a standing event by a newer copy of itself (same id, same category)."""
        self._by_id[ev.id] = ev

    def remove(self, key: str) -> Event | None:
        ev = self._by_id.pop(key, None)
        if ev is not None:
            self._by_utt.get(ev.utterance, set()).discard(key)
            self._per_category[ev.category] -= 1
        return ev

    def keys_of(self, utterance: int) -> set[str]:
        """Ids ever given to this utterance (the coach only drops an id when it retracts it)."""
        return self._by_utt.setdefault(utterance, set())

    def of(self, utterance: int) -> Iterator[Event]:
        for k in self._by_utt.get(utterance, ()):
            ev = self._by_id.get(k)
            if ev is not None:
                yield ev

    def standing(self, category: str) -> bool:
        return self._per_category[category] > 0

    def in_category(self, category: str) -> list[Event]:
        return [e for e in self._by_id.values() if e.category == category]

    def reported(self) -> list[Event]:
        return sorted((e for e in self._by_id.values() if e.type in REPORTED_TYPES),
                      key=lambda e: (e.start, e.utterance, e.id))


def event_times(utt: Utterance, norm: NormText, first: int, last: int) -> tuple[float, float]:
    """Start and end of words `first..last`: the recogniser's word times, else spread evenly."""
    if utt.words and len(utt.words) == len(norm.words):
        return utt.words[first].start, utt.words[last].end
    n = max(1, len(norm.words))
    span = max(0.0, utt.end - utt.start)
    return utt.start + span * first / n, utt.start + span * (last + 1) / n


def _matched(norm: NormText, hit: Hit) -> str:
    return " ".join(norm.words[hit.first_word:hit.last_word + 1]).strip(" ,.;:!?\"'")


class Flagger:
    """Turns one utterance's hits into new, refreshed and retracted flag/cue events."""

    def __init__(self, book: StandingEvents, fill: Callable[[str], str], stamp: Callable[[Event], None],
                 on_new: Callable[[Event], list[Event]]) -> None:
        self.book = book
        self.fill = fill
        self.stamp = stamp  # sets latency_s on a new event (streaming runs)
        self.on_new = on_new  # what a new event sets off at once (a frustration cue: empathy is due)

    def _make_event(self, utt: Utterance, norm: NormText, hit: Hit, key: str) -> Event:
        r = hit.rule
        start, end = event_times(utt, norm, hit.first_word, hit.last_word)
        ev = Event(
            type="cue" if r.kind == "cue" else "flag",
            category=r.category, utterance=utt.index, speaker=utt.speaker, start=start, end=end,
            rule=r.id, match=_matched(norm, hit), suggestion=self.fill(r.suggestion), severity=r.severity,
            detector="lexical", why=r.why, id=key, final=utt.final,
        )
        self.stamp(ev)
        return ev

    def _choose(self, utt: Utterance, hits: list[Hit]) -> dict[str, Hit]:
        # One flag per category per sentence: two rules saying the same thing ("No, we can't do
        # that" is both a leading "no" and a refusal) give one piece of advice, not two. Prefer
        # the rule already showing, so a growing partial never swaps one flag for another.
        showing = {e.rule for e in self.book.of(utt.index)}
        chosen: dict[tuple[str, int], Hit] = {}
        for h in hits:
            slot = (h.rule.category, h.sentence)
            prev = chosen.get(slot)
            if prev is None or (prev.rule.id not in showing and h.rule.id in showing):
                chosen[slot] = h
        keep: dict[str, Hit] = {}
        counts: dict[str, int] = {}
        for h in chosen.values():
            n = counts.get(h.rule.id, 0)
            counts[h.rule.id] = n + 1
            keep[f"{utt.index}:{h.rule.id}:{n}"] = h
        return keep

    def reconcile(self, utt: Utterance, norm: NormText, hits: list[Hit]) -> list[Event]:
        """The events this version of the utterance causes: retractions first, then new flags."""
        out: list[Event] = []
        keep = self._choose(utt, hits)
        mine = self.book.keys_of(utt.index)
        for key in sorted(mine - set(keep)):
            ev = self.book.get(key)
            if ev is None or ev.detector != "lexical":
                continue
            # On a partial we only retract what a longer text contradicts; on the final, anything gone.
            self.book.remove(key)
            out.append(Event("retract", ev.category, ev.utterance, ev.speaker, ev.start, ev.end,
                             rule=ev.rule, match=ev.match, id=key, final=utt.final, detector=ev.detector))
        for key, h in keep.items():
            waiting = h.pending or (not utt.final and h.rule.category in FINAL_ONLY)
            old = self.book.get(key)
            if old is not None:
                # Keep the flag, refresh its words and times from the newer text. A copy: the event
                # already handed out (to the UI) must not change under its holder's feet.
                s, e = event_times(utt, norm, h.first_word, h.last_word)
                self.book.refresh(replace(old, start=s, end=e, final=utt.final, match=_matched(norm, h)))
                continue
            if waiting:
                continue
            ev = self._make_event(utt, norm, h, key)
            self.book.add(ev)
            out.append(ev)
            out += self.on_new(ev)
        return out
