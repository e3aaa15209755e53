"""Tolerant name matching for the greeting: recognisers get names wrong more than any other word.

"Acme" may come back as "ACME", "ac me", "acne" or "akme"; "Dana" as "donna"; "Søren" as "Sehren".
We compare the name (spaces removed, accents folded) with every window of one to n+1 words of the
utterance and accept a window that is spelled close enough, or that sounds the same (the same
Metaphone key, from `jellyfish`) and is still spelled roughly alike.

Precision matters as much as recall: a greeting wrongly marked done hides a missed one. The
generic words of a greeting ("hello", "thanks", "name", "am", "done") must never pass for a name,
which is why a short candidate must start like the name and why a sound-alike needs some shared
spelling too (the Soundex match used before let "hello" pass for "Hooli" and "thank" for "Tomasz").
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from assist.engine.normalize import normalize_word

# Letters NFKD does not take apart.
_FOLD = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th", "ð": "d",
                       "ı": "i"})
# A sound-alike is accepted only with this much shared spelling (edit similarity): a two-sound key
# ("TN" for Dana, "HL" for Hooli) is shared by many everyday words, so it needs more.
_PHONETIC_FLOOR = {1: 1.01, 2: 0.65}  # key length -> floor; longer keys: _PHONETIC_FLOOR_LONG
_PHONETIC_FLOOR_LONG = 0.5
# Candidates shorter than this must start with the name's letter to count on spelling alone ("am" is not "Sam").
_SHORT = 5


def fold(s: str) -> str:
    """Lower case, accents removed: "Siobhán" -> "siobhan", "Søren" -> "soren"."""
    s = unicodedata.normalize("NFKD", s.lower().translate(_FOLD))
    return "".join(c for c in s if not unicodedata.combining(c))


def phonetic_key(word: str) -> str:
    """Metaphone of the folded word; a leading vowel is one symbol ("Eitan" and "Iton" both "ATN").
    Empty for words with no Latin letters (Hebrew, digits): those match on spelling only."""
    import jellyfish

    w = re.sub(r"[^a-z]", "", fold(word))
    if not w:
        return ""
    key = jellyfish.metaphone(w)
    if key and key[0] in "AEIOU":
        key = "A" + key[1:]
    return key


def _squash(s: str) -> str:
    return re.sub(r"[^\w]", "", fold(normalize_word(s)))


def name_tokens(name: str) -> list[str]:
    return [t for t in (_squash(x) for x in name.split()) if t]


def _sounds_like(cand: str, target: str, spelled: float) -> bool:
    kt = phonetic_key(target)
    if not kt or phonetic_key(cand) != kt:
        return False
    return spelled >= _PHONETIC_FLOOR.get(len(kt), _PHONETIC_FLOOR_LONG)


def name_score(cand: str, target: str, threshold: float = 0.75) -> float:
    """How well a (squashed) candidate matches a (squashed) name: its edit similarity, raised to
    `threshold` for a sound-alike; 0 when it cannot be that name."""
    if not cand or not target:
        return 0.0
    spelled = SequenceMatcher(None, cand, target).ratio()
    score = spelled
    if len(cand) < _SHORT and cand[0] != target[0]:
        score = 0.0  # a short word must start like the name to count on spelling alone
    if score < threshold and len(target) >= 3 and _sounds_like(cand, target, spelled):
        score = threshold
    return score


def find_name(name: str, tokens: list[str], threshold: float = 0.75) -> tuple[int, int, float] | None:
    """Best window (first, last token index, score) of `tokens` that sounds like `name`, or None."""
    target = "".join(name_tokens(name))
    if not target or not tokens:
        return None
    toks = [_squash(t) for t in tokens]
    n = max(1, len(name_tokens(name)))
    best: tuple[int, int, float] | None = None
    for size in range(1, n + 2):
        for i in range(0, len(toks) - size + 1):
            cand = "".join(toks[i:i + size])
            if not cand:
                continue
            # Cheap reject: lengths too far apart can never reach the threshold.
            if min(len(cand), len(target)) / max(len(cand), len(target)) < 0.5:
                continue
            score = name_score(cand, target, threshold)
            if score >= threshold and (best is None or score > best[2]):
                best = (i, i + size - 1, score)
    return best
