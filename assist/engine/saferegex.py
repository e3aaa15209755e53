"""Lexicon patterns on a linear-time engine (RE2), so that no lexicon can stall matching.

Python's `re` backtracks: a custom rule like `(a+)+$` takes seconds on 30 letters and never ends on
40, and a live call would freeze on one ordinary line. RE2 (the `google-re2` package) matches in
time linear in the text whatever the pattern, by construction. Lexicon authors keep writing Python
`re` syntax; each pattern is parsed with Python's own parser and re-emitted for RE2:

- groups become non-capturing, quantifiers, classes, alternation, `^`/`$`, flags carry over;
- `\\w`, `\\d`, `\\s` keep their Unicode meaning (RE2's are ASCII; Hebrew letters are word characters);
- the word boundaries every lexicon pattern is wrapped in (`(?<!\\w)…(?!\\w)`) become one consumed
  non-word character (or the text's edge) outside a capture group, so spans stay exact;
- `\\b` at the start or the end of a pattern (the documented idiom: `not_followed_by = ["with\\b"]`)
  means "a word starts / ends here";
- what RE2 cannot run in linear time — look-arounds inside a pattern, back-references, possessive
  and atomic groups — is refused when the lexicon loads, with the file, the rule and the field named
  (`not_followed_by`, `not_preceded_by` and `exceptions` say the same thing without look-arounds).

`SafePattern` offers the part of `re.Pattern` the engine uses (`search`, `match`, `finditer`,
`pattern`, `flags`), so callers do not change. The Python-syntax source stays in `.pattern`: the
literal prefilters in rules.py read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import re2  # type: ignore[import-untyped]
from re2 import _re2  # type: ignore[import-untyped]

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

# Character classes. Python's `\w` is every letter and number of Unicode; spelled that way for RE2
# it costs ~1,350 instructions per use, and a lexicon uses it hundreds of times (hundreds of MB of
# matcher memory). So the matcher sees a text in which each non-ASCII character that is neither a
# word character nor a space (rare in normalised text: "€", "•", "—") is replaced by a placeholder
# of the same UTF-8 length (offsets do not move). On that text "not a word character" is a short
# list — ASCII punctuation and spaces, Unicode's 19 other spaces, the three placeholders — and
# "word character" its complement: the same sets as Python's `\w` / `\W`, in a few ranges.
_PLACEHOLDERS = {2: "\x80", 3: "\uffff", 4: "\U0010ffff"}  # none of them is a word character
# Python's whitespace (str.isspace), all 29 of them.
_SPACES = [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, *range(0x2000, 0x200b),
           0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
_NOT_WORD = sorted({c for c in range(0x80) if not (chr(c).isalnum() or c == 0x5f)}
                   | {0x80, 0xFFFF, 0x10FFFF} | set(_SPACES))


def _items(points: list[int]) -> str:
    """Class items for a sorted list of code points, runs as ranges."""
    out, i = [], 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        out.append(f"\\x{{{points[i]:x}}}" + (f"-\\x{{{points[j]:x}}}" if j > i else ""))
        i = j + 1
    return "".join(out)


def _complement(points: list[int]) -> str:
    out, lo = [], 0
    for c in points:
        if c > lo:
            out.append(f"\\x{{{lo:x}}}" + (f"-\\x{{{c - 1:x}}}" if c - 1 > lo else ""))
        lo = c + 1
    if lo <= 0x10FFFF:
        out.append(f"\\x{{{lo:x}}}-\\x{{10ffff}}")
    return "".join(out)


_WORD_ITEMS = _complement(_NOT_WORD)
_NOT_WORD_ITEMS = _items(_NOT_WORD)
_DIGIT_ITEMS = r"\p{Nd}"
_NOT_DIGIT_ITEMS = r"\P{Nd}"
_SPACE_ITEMS = _items(_SPACES)
_NOT_SPACE_ITEMS = _complement(_SPACES)
_NONWORD = f"[{_NOT_WORD_ITEMS}]"
_END = f"(?:{_NONWORD}|$)"  # "not followed by a word character", consuming one character
# Non-ASCII characters that are neither word characters nor spaces (Python's own tests): replaced.
_EXOTIC = re.compile(r"[^\x00-\x7f\w\s]")
_MAX_COUNT = 1000  # RE2's largest repeat count
_SPECIAL = frozenset("\\.^$|?*+()[]{}")
_SPECIAL_IN_CLASS = frozenset("\\]^-[")

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print to stderr; the caller turns errors into one line
_OPTIONS.max_mem = 32 << 20  # big alternations of phrases (a lexicon's) compile; each regex's cap
_UNANCHORED = _re2.RE2.Anchor.UNANCHORED
_ANCHOR_START = _re2.RE2.Anchor.ANCHOR_START
_ANCHOR_BOTH = _re2.RE2.Anchor.ANCHOR_BOTH

_IS_WORD = re.compile(r"\w")  # one character: Python's own definition of a word character


class UnsafePattern(ValueError):
    """A pattern the linear-time engine cannot run; the message says what to use instead."""


# ------------------------------------------------------------------ translation
def _char(c: str, in_class: bool = False) -> str:
    if c in (_SPECIAL_IN_CLASS if in_class else _SPECIAL):
        return "\\" + c
    if not c.isprintable() or (c.isspace() and c != " "):
        return f"\\x{{{ord(c):x}}}"
    return c


# Class items per category; each is a plain set of characters, so any mix of them in a class,
# negated or not, is itself a plain class.
_CATEGORIES: dict[Any, str] = {
    C.CATEGORY_WORD: _WORD_ITEMS, C.CATEGORY_NOT_WORD: _NOT_WORD_ITEMS,
    C.CATEGORY_DIGIT: _DIGIT_ITEMS, C.CATEGORY_NOT_DIGIT: _NOT_DIGIT_ITEMS,
    C.CATEGORY_SPACE: _SPACE_ITEMS, C.CATEGORY_NOT_SPACE: _NOT_SPACE_ITEMS,
}


def _klass(items: list[tuple[Any, Any]]) -> str:
    negate = bool(items) and items[0][0] is C.NEGATE
    if negate:
        items = items[1:]
    parts: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            parts.append(_char(chr(av), in_class=True))
        elif op is C.RANGE:
            parts.append(f"{_char(chr(av[0]), True)}-{_char(chr(av[1]), True)}")
        elif op is C.CATEGORY and av in _CATEGORIES:
            parts.append(_CATEGORIES[av])
        else:
            raise UnsafePattern(f"unsupported item in a character class ({op} {av})")
    return f"[{'^' if negate else ''}{''.join(parts)}]"


_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.DOTALL, "s"), (re.MULTILINE, "m"))


def _flag_str(add: int, rem: int = 0) -> str:
    if add & (re.ASCII | re.LOCALE) or rem & (re.ASCII | re.LOCALE):
        raise UnsafePattern("the ASCII and LOCALE flags are not supported")
    on = "".join(ch for f, ch in _FLAG_LETTERS if add & f)
    off = "".join(ch for f, ch in _FLAG_LETTERS if rem & f)
    return on + ("-" + off if off else "")


class _Emitter:
    def __init__(self, words: bool) -> None:
        self.words = words  # the caller wraps the pattern in word boundaries
        self.markers = 0  # empty groups marking where a trailing \b ended the real match

    def seq(self, items: Any, head: bool, tail: bool) -> str:
        items = list(items)
        out = []
        for k, (op, av) in enumerate(items):
            zero_before = all(o is C.AT for o, _ in items[:k])
            zero_after = all(o is C.AT for o, _ in items[k + 1:])
            if op is C.AT and av is C.AT_BOUNDARY:
                # At a pattern's edge \b means "a word ends (starts) here": right only next to a
                # character that is surely a word character.
                if tail and zero_after and not _ends_in_word(items[:k]):
                    raise UnsafePattern("\\b at the end of a pattern must follow a letter or digit")
                if head and zero_before and not tail and not _starts_in_word(items[k + 1:]):
                    raise UnsafePattern("\\b at the start of a pattern must come before a letter or digit")
            if op is C.AT and av is C.AT_BOUNDARY and tail and zero_after and any(
                    a in (C.AT_BOUNDARY, C.AT_END, C.AT_END_STRING) for _, a in items[k + 1:]):
                continue  # a later \b or the text's end already says that the word ends here
            out.append(self.item(op, av, head and zero_before, tail and zero_after))
        return "".join(out)

    def item(self, op: Any, av: Any, head: bool, tail: bool) -> str:
        if op is C.LITERAL:
            return _char(chr(av))
        if op is C.NOT_LITERAL:
            return f"[^{_char(chr(av), True)}]"
        if op is C.ANY:
            return "."
        if op is C.IN:
            return _klass(list(av))
        if op is C.BRANCH:
            return "(?:" + "|".join(self.seq(b, head, tail) for b in av[1]) + ")"
        if op is C.SUBPATTERN:
            _group, add, rem, sub = av
            flags = _flag_str(add, rem)
            return f"(?{flags}:" + self.seq(sub, head, tail) + ")"
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            if (hi is C.MAXREPEAT or hi > 1) and sub.getwidth()[0] == 0:
                # (a?)* — the classic catastrophic shape; RE2 and Python also disagree on it.
                raise UnsafePattern("a repeated part that can match nothing, like (a?)*: make it required")
            if lo > _MAX_COUNT or (hi is not C.MAXREPEAT and hi > _MAX_COUNT):
                raise UnsafePattern(f"a repeat count above {_MAX_COUNT}")
            if hi is C.MAXREPEAT:
                q = "*" if lo == 0 else "+" if lo == 1 else f"{{{lo},}}"
            elif (lo, hi) == (0, 1):
                q = "?"
            else:
                q = f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
            lazy = "?" if op is C.MIN_REPEAT else ""
            return "(?:" + self.seq(sub, False, False) + ")" + q + lazy
        if op is C.AT:
            return self.at(av, head, tail)
        if op in (C.ASSERT, C.ASSERT_NOT):
            kind = ("look-ahead (?=…)" if op is C.ASSERT else "look-ahead (?!…)") if av[0] == 1 else \
                   ("look-behind (?<=…)" if op is C.ASSERT else "look-behind (?<!…)")
            raise UnsafePattern(f"{kind} is not supported (patterns run on a linear-time matcher): "
                                "say it with not_followed_by, not_preceded_by or exceptions")
        if op in (C.GROUPREF, C.GROUPREF_EXISTS):
            raise UnsafePattern("back-references are not supported (patterns run on a linear-time matcher)")
        name = str(op)
        if "POSSESSIVE" in name or "ATOMIC" in name:
            raise UnsafePattern("possessive repeats and atomic groups are not supported")
        raise UnsafePattern(f"unsupported regex construct {name}")

    def at(self, code: Any, head: bool, tail: bool) -> str:
        if code is C.AT_BEGINNING:
            return "^"
        if code is C.AT_BEGINNING_STRING:
            return r"\A"
        if code is C.AT_END:
            return "$"
        if code is C.AT_END_STRING:
            return r"\z"
        if code is C.AT_BOUNDARY:
            if self.words and (head or tail):
                return ""  # the word boundaries the pattern is wrapped in say it already
            if tail:
                self.markers += 1
                return "()" + _END  # the real match ends at the marker; one character is consumed
            raise UnsafePattern("\\b is supported only at the end of a pattern (a word ends here); "
                                "patterns match whole words already")
        raise UnsafePattern("\\B is not supported")


def _is_word_item(op: Any, av: Any) -> bool:
    """Whether one consuming item surely matches a word character (and nothing else)."""
    if op is C.LITERAL:
        return bool(_IS_WORD.match(chr(av)))
    if op is C.IN:
        return bool(av) and all(
            (o is C.LITERAL and _IS_WORD.match(chr(a))) or (o is C.CATEGORY and a is C.CATEGORY_WORD)
            or (o is C.RANGE and all(_IS_WORD.match(chr(x)) for x in range(a[0], a[1] + 1)) and a[1] - a[0] < 512)
            for o, a in av)
    if op is C.SUBPATTERN:
        return _ends_in_word(list(av[-1])) and _starts_in_word(list(av[-1]))
    return False


def _ends_in_word(items: list[Any]) -> bool:
    """Whether every match of the sequence `items` ends with a word character."""
    for op, av in reversed(items):
        if op is C.AT:
            continue
        if op is C.BRANCH:
            return all(_ends_in_word(list(b)) for b in av[1])
        if op is C.SUBPATTERN:
            return _ends_in_word(list(av[-1]))
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            inner = _ends_in_word(list(av[2]))
            if av[0] >= 1:
                return inner
            return inner and _ends_in_word(items[:items.index((op, av))])
        return _is_word_item(op, av)
    return False


def _starts_in_word(items: list[Any]) -> bool:
    """Whether every match of the sequence `items` starts with a word character."""
    for k, (op, av) in enumerate(items):
        if op is C.AT:
            continue
        if op is C.BRANCH:
            return all(_starts_in_word(list(b)) for b in av[1])
        if op is C.SUBPATTERN:
            return _starts_in_word(list(av[-1]))
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            inner = _starts_in_word(list(av[2]))
            if av[0] >= 1:
                return inner
            return inner and _starts_in_word(items[k + 1:])
        return _is_word_item(op, av)
    return False


def translate(src: str, *, words: bool = False) -> tuple[str, int]:
    """The RE2 form of a Python-syntax pattern, and how many end markers it holds.

    Raises `re.error` for a pattern Python cannot parse and `UnsafePattern` for one RE2 cannot run."""
    tree = P.parse(src, 0)
    if tree.getwidth()[0] == 0:
        raise UnsafePattern("it can match an empty text (a rule that matches nothing flags everywhere "
                            "or nowhere): make part of it required")
    em = _Emitter(words)
    body = em.seq(tree, True, True)
    flags = _flag_str(tree.state.flags & ~(re.UNICODE | re.VERBOSE | re.DEBUG))
    return (f"(?{flags})" if flags else "") + body, em.markers


def _compile_re2(src: str) -> Any:
    r = _re2.RE2(src.encode("utf-8"), _OPTIONS)
    if not r.ok():
        msg = r.error().decode("utf-8", "replace") if isinstance(r.error(), bytes) else str(r.error())
        raise UnsafePattern(f"the linear-time matcher refuses it: {msg}")
    return r


# ------------------------------------------------------------------ matching
def _utf8_len(ch: str) -> int:
    o = ord(ch)
    return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4


class _Encoded:
    """A text as UTF-8 bytes for RE2 — non-ASCII non-word characters replaced by placeholders of
    the same byte length (see _PLACEHOLDERS), `raw` without that. Offsets convert between chars
    and bytes by slicing in C (a text is a sentence: short), only when a search starts inside the
    text or a match is reported; ASCII text needs no conversion at all."""

    __slots__ = ("text", "data", "_raw", "ascii")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self._raw: bytes | None = None
        if self.ascii:
            self.data = self._raw = text.encode("ascii")
            return
        shown = _EXOTIC.sub(lambda m: _PLACEHOLDERS[_utf8_len(m.group())], text) if _EXOTIC.search(text) else text
        self.data = shown.encode("utf-8", "surrogatepass")

    @property
    def raw(self) -> bytes:
        """The text itself, for the rare pattern that names a non-ASCII non-word character."""
        if self._raw is None:
            self._raw = self.text.encode("utf-8", "surrogatepass")
        return self._raw

    def byte(self, char: int) -> int:
        return char if self.ascii else len(self.text[:char].encode("utf-8", "surrogatepass"))

    def char(self, byte: int) -> int:
        return byte if self.ascii else len(self.data[:byte].decode("utf-8", "surrogatepass"))


# The last texts encoded: matching runs many patterns over one sentence (and over the text before
# and after a match), so each is encoded once. Swapping references is atomic, so threads (a live
# call's two speakers) never see half an entry.
_recent: tuple[_Encoded, _Encoded] = (_Encoded(""), _Encoded(""))


def _encoded(text: str) -> _Encoded:
    global _recent
    a, b = _recent
    if a.text is text or a.text == text:
        return a
    if b.text is text or b.text == text:
        return b
    enc = _Encoded(text)
    _recent = (enc, a)
    return enc


class SafeMatch:
    """The part of `re.Match` the engine uses: start, end, span, group(0)."""

    __slots__ = ("string", "_a", "_b")

    def __init__(self, string: str, a: int, b: int) -> None:
        self.string = string
        self._a = a
        self._b = b

    def _only0(self, g: int) -> None:
        if g != 0:
            raise IndexError("lexicon patterns have no capture groups: use group(0)")

    def start(self, g: int = 0) -> int:
        self._only0(g)
        return self._a

    def end(self, g: int = 0) -> int:
        self._only0(g)
        return self._b

    def span(self, g: int = 0) -> tuple[int, int]:
        self._only0(g)
        return self._a, self._b

    def group(self, g: int = 0) -> str:
        self._only0(g)
        return self.string[self._a:self._b]

    def __repr__(self) -> str:
        return f"<SafeMatch span=({self._a}, {self._b}) match={self.group()!r}>"


class SafePattern:
    """A lexicon pattern compiled for RE2. `pattern` is the Python-syntax source (with the word
    boundaries it is wrapped in), which the literal prefilters parse; matching never uses `re`."""

    __slots__ = ("pattern", "flags", "words", "_search", "_anchored", "_raw", "_markers")

    def __init__(self, body: str, *, words: bool, prefix: str = "") -> None:
        inner = f"{prefix}(?:{body})" if prefix or words else body
        self.pattern = f"(?<!\\w){inner}(?!\\w)" if words else inner
        self.flags = re.UNICODE
        self.words = words
        re.compile(self.pattern)  # Python's parser gives the familiar messages for malformed patterns
        rx, self._markers = translate(body, words=words)
        if prefix:  # optional by nature: translated on its own, not held to the empty-text rule
            rx = _Emitter(False).seq(P.parse(prefix, 0), False, False) + f"(?:{rx})"
        # A pattern that itself names a non-ASCII non-word character must see the text as it is.
        self._raw = _EXOTIC.search(self.pattern) is not None
        if words:
            # The look-behind becomes one consumed non-word character (or the text's start) before
            # the capture group, the look-ahead one after it (or the end).
            self._search = _compile_re2(f"(?:^|{_NONWORD})({rx}){_END}")
            self._anchored = _compile_re2(f"({rx}){_END}")
        else:
            self._search = self._anchored = _compile_re2(f"({rx})")

    def __repr__(self) -> str:
        return f"SafePattern({self.pattern!r})"

    # The methods below are the hot path of every live partial: the text is encoded once per
    # sentence (the cache above), an ASCII text needs no offset conversion, and the common calls
    # (no endpos) skip the bounds arithmetic.
    def _prepare(self, text: str, pos: int, endpos: int | None) -> tuple[_Encoded, bytes, int, int]:
        enc = _encoded(text)
        data = enc.raw if self._raw else enc.data
        n = len(text)
        if pos < 0:
            pos = 0
        elif pos > n:
            pos = n
        end = len(data) if endpos is None or endpos >= n else enc.byte(max(pos, endpos))
        return enc, data, pos, end

    def _result(self, enc: _Encoded, spans: list[tuple[int, int]]) -> SafeMatch | None:
        a, b = spans[1]
        if a < 0:
            return None
        if self._markers:
            for ma, _mb in spans[2:]:
                if ma >= 0:
                    b = ma  # a trailing \b: the match ends at its marker, before the consumed character
                    break
        if enc.ascii:
            return SafeMatch(enc.text, a, b)
        ca = enc.char(a)
        return SafeMatch(enc.text, ca, ca + len(enc.data[a:b].decode("utf-8", "surrogatepass")))

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> SafeMatch | None:
        enc, data, pos, end = self._prepare(text, pos, endpos)
        bpos = pos if enc.ascii else enc.byte(pos)
        if pos > 0 and self.words and not _IS_WORD.match(text, pos - 1):
            # The leftmost candidate starts right at pos (its look-behind is the character before
            # pos); later ones are found by the search, which consumes the character before them.
            m = self._result(enc, self._anchored.Match(_ANCHOR_START, data, bpos, end))
            if m is not None:
                return m
        return self._result(enc, self._search.Match(_UNANCHORED, data, bpos, end))

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> SafeMatch | None:
        if self.words and 0 < pos <= len(text) and _IS_WORD.match(text, pos - 1):
            return None  # the match would start inside a word
        enc, data, pos, end = self._prepare(text, pos, endpos)
        bpos = pos if enc.ascii else enc.byte(pos)
        return self._result(enc, self._anchored.Match(_ANCHOR_START, data, bpos, end))

    def fullmatch(self, text: str, pos: int = 0, endpos: int | None = None) -> SafeMatch | None:
        if self.words and 0 < pos <= len(text) and _IS_WORD.match(text, pos - 1):
            return None
        enc, data, pos, end = self._prepare(text, pos, endpos)
        m = self._result(enc, self._anchored.Match(_ANCHOR_BOTH, data, enc.byte(pos), end))
        return m if m is not None and enc.byte(m.end()) == end else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[SafeMatch]:
        n = len(text)
        while pos <= n:
            m = self.search(text, pos, endpos)
            if m is None:
                return
            yield m
            pos = m.end() if m.end() > m.start() else m.end() + 1

    def findall(self, text: str) -> list[str]:
        return [m.group() for m in self.finditer(text)]


# What the lexicon hands out. Code outside the engine's matching (the coach's helpers, role-play)
# is annotated with `re.Pattern` / `re.Match`; SafePattern and SafeMatch implement the part of
# those they use (search, match, fullmatch, finditer, findall, pattern, flags; start, end, span,
# group(0), string), so for the type checker a lexicon pattern is an `re.Pattern[str]`.
# TODO(after the coach refactor): annotate those helpers with SafePattern and drop this alias.
if TYPE_CHECKING:
    LexPattern: TypeAlias = re.Pattern[str]
else:
    LexPattern = SafePattern


def compile_safe(body: str, *, words: bool = False, prefix: str = "") -> LexPattern:
    """Compile a Python-syntax pattern to run on RE2. `words`: match whole words only (the
    `(?<!\\w)…(?!\\w)` wrapper); `prefix`: an optional prefix group before the body (Hebrew's
    attached letters). Raises `re.error` (malformed) or `UnsafePattern` (not linear-time)."""
    return cast(LexPattern, SafePattern(body, words=words, prefix=prefix))
