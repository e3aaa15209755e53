"""Text normalisation shared by written and recogniser text.

Written text ("Well, no. That's not my job!") and recogniser text ("well no that's not my job")
must meet the same rules. We lowercase, unify apostrophes, expand the lexicon's contractions, drop
punctuation (Hebrew niqqud too) and split sentences where punctuation exists. Every normalised
token remembers which original word it came from, so a match can be shown, highlighted and timed
in the words the user actually saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u05f3": "'", "\u05f4": '"'})
_NIQQUD = re.compile(r"[\u0591-\u05c7]")
# A word that ends a sentence: trailing . ! ? … (but not a decimal/time like 10.30 or an initial).
_SENT_END = re.compile(r"[.!?\u2026;]+[\"')\]]*$")
_END_CHARS = frozenset(".!?\u2026;\"')]")  # last characters a sentence-ending word can have
_ABBREV = {"mr.", "mrs.", "ms.", "dr.", "st.", "e.g.", "i.e.", "etc.", "vs.", "approx.", "dept.", "a.m.", "p.m."}
_STRIP = re.compile(r"^[^\w']+|[^\w']+$")
# ":" and "/" stay inside a word: they hold times (10:30) and dates (14/3).
_SPLIT_INNER = re.compile(r"[\-\u2013\u2014,;!?\"()\[\]\u2026]+|:(?!\d)|\.{2,}")
_NUM_UNIT = re.compile(r"^(\d{1,2}(?::\d{2})?)(am|pm|a\.m\.|p\.m\.)$")


@dataclass(slots=True)
class Token:
    text: str
    word: int  # index of the original word it came from


@dataclass(slots=True)
class Sentence:
    tokens: list[Token]
    text: str  # tokens joined by single spaces
    offsets: list[int]  # char offset of each token in `text`

    def token_at(self, char: int) -> int:
        """Index of the token that covers char offset `char` (binary search over offsets)."""
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo


@dataclass(slots=True)
class NormText:
    words: list[str]  # original words as given (whitespace split)
    sentences: list[Sentence]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def normalize_word(w: str) -> str:
    w = _NIQQUD.sub("", w.translate(_APOS)).lower()
    return w


def _pieces(word: str, contractions: dict[str, str]) -> list[str]:
    if word.isalpha():  # the common case (plain word, no marks or punctuation): skip the regexes
        lw = word.lower()
        exp = contractions.get(lw)
        return exp.split() if exp else [lw]
    w = normalize_word(word)
    out: list[str] = []
    for part in _SPLIT_INNER.split(w):
        part = _STRIP.sub("", part)
        if not part or part == "'":
            continue
        # "3pm" -> "3 pm" so times read the same whichever way they were written.
        m = _NUM_UNIT.match(part.replace(".", "")) if part[0].isdigit() else None
        if m:
            out.extend([m.group(1), m.group(2).replace(".", "")])
            continue
        part = part.strip("'") or part
        if part in ("a.m", "p.m"):  # "3 p.m." reads like "3 pm"
            part = part.replace(".", "")
        exp = contractions.get(part)
        if exp:
            out.extend(exp.split())
        else:
            out.append(part)
    return out


# A memo holds at most this many words, then starts over: a call's vocabulary is far smaller,
# and a long-running process must not grow without bound.
_MEMO_MAX = 20000


def normalize(text: str, contractions: dict[str, str] | None = None,
              words: list[str] | None = None, memo: dict[str, tuple[str, ...]] | None = None) -> NormText:
    """Split `text` (or the given recogniser `words`) into normalised sentences.

    `memo` (word -> its pieces) saves re-normalising words already seen: a live partial is
    re-fed one word longer each time, and a call repeats its words. It must only ever be used
    with the same `contractions`."""
    contractions = contractions or {}
    orig = words if words is not None else text.split()
    sentences: list[Sentence] = []
    cur: list[Token] = []

    def close() -> None:
        nonlocal cur
        if cur:
            offs: list[int] = []
            pos = 0
            for t in cur:
                offs.append(pos)
                pos += len(t.text) + 1
            sentences.append(Sentence(cur, " ".join(t.text for t in cur), offs))
            cur = []

    for i, w in enumerate(orig):
        if memo is None:
            pieces: tuple[str, ...] | list[str] = _pieces(w, contractions)
        else:
            got = memo.get(w)
            if got is None:
                if len(memo) >= _MEMO_MAX:
                    memo.clear()
                got = memo[w] = tuple(_pieces(w, contractions))
            pieces = got
        for p in pieces:
            cur.append(Token(p, i))
        if not w or w[-1] not in _END_CHARS:
            continue
        lw = w.lower()
        if lw == "no." and i + 1 < len(orig) and orig[i + 1][:1].isdigit():
            continue  # "No. 5" is a number sign; "No." on its own ends a sentence
        if _SENT_END.search(w) and lw not in _ABBREV and not re.fullmatch(r"\d+[.:]\d+", w):
            close()
    close()
    return NormText(list(orig), sentences)
