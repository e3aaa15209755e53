"""Tolerant name matching for the greeting: recognisers get names wrong more than any other word.

"Acme" may come back as "ACME", "ac me", "acne" or "akme"; "Dana" as "donna". We compare the name
(spaces removed) with every window of one to n+1 words of the utterance, by edit similarity or a
shared sound key (Soundex, for Latin script), and accept close enough.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from assist.engine.normalize import normalize_word

_SOUNDEX = {c: d for d, letters in {"1": "bfpv", "2": "cgjkqsxz", "3": "dt", "4": "l", "5": "mn", "6": "r"}.items()
            for c in letters}


def soundex(word: str) -> str:
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    out = w[0].upper()
    last = _SOUNDEX.get(w[0], "")
    for c in w[1:]:
        d = _SOUNDEX.get(c, "")
        if d and d != last:
            out += d
        if c not in "hw":
            last = d
    return (out + "000")[:4]


def _squash(s: str) -> str:
    return re.sub(r"[^\w]", "", normalize_word(s))


def name_tokens(name: str) -> list[str]:
    return [t for t in (_squash(x) for x in name.split()) if t]


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
            score = SequenceMatcher(None, cand, target).ratio()
            if score < threshold and len(target) >= 3 and soundex(cand) == soundex(target) and soundex(target):
                score = max(score, threshold)
            if score >= threshold and (best is None or score > best[2]):
                best = (i, i + size - 1, score)
    return best
