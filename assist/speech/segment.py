"""Turning timed words into utterances: split a channel's words at pauses, merge speakers by time."""

from __future__ import annotations

from assist.transcript import Utterance, Word

# A gap this long between two words of one channel ends the turn. Shorter gaps are a breath inside
# a sentence; without the split, a channel's silence while the other side talks would glue two
# turns into one utterance and put the other speaker's reply "inside" it.
PAUSE_S = 0.7


def split_at_pauses(words: list[Word], pause_s: float = PAUSE_S) -> list[list[Word]]:
    groups: list[list[Word]] = []
    for w in words:
        if groups and w.start - groups[-1][-1].end < pause_s:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def join_words(words: list[Word]) -> str:
    return " ".join(w.text.strip() for w in words if w.text.strip())


def make_utterance(words: list[Word], speaker: str, index: int = 0, final: bool = True) -> Utterance:
    return Utterance(index=index, speaker=speaker, start=words[0].start, end=words[-1].end,
                     text=join_words(words), words=list(words), final=final)


def merge_speakers(per_speaker: dict[str, list[Word]], pause_s: float = PAUSE_S) -> list[Utterance]:
    """One time-ordered utterance list from each speaker's words; indices follow time."""
    utts = [make_utterance(g, sp) for sp, words in per_speaker.items() for g in split_at_pauses(words, pause_s)]
    utts.sort(key=lambda u: (u.start, u.speaker))
    for i, u in enumerate(utts):
        u.index = i
    return utts
