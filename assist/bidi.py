"""Right-to-left text for terminals that do not reorder it themselves.

Text is stored and processed in logical order (the order it is spoken and typed). Most terminals
(xterm, Windows Terminal, iTerm2, the Linux console) draw characters left to right as they come,
so a Hebrew line reads backwards. `visual()` turns one logical line into the visual order such a
terminal must be given: the Unicode Bidirectional Algorithm (python-bidi's implementation), with

- the paragraph direction from the first strong letter (a Hebrew line is right-to-left even when
  it holds English words, numbers or times: "הטכנאי יגיע ב-15:00 עם ה-router"), or forced;
- mirrored brackets in right-to-left runs, combining marks (niqqud) kept after their letter;
- the invisible direction marks (LRM, RLM, embeddings, isolates) removed, so the result has
  exactly the terminal cells of the logical line (`rich.cells.cell_len` is unchanged).

Reordering must happen after line-wrapping, never before: `visual_lines()` wraps a logical line to
a width and reorders each line with the paragraph's direction (right-aligned when it is RTL);
`visual_text()` / `visual_text_lines()` do the same for a `rich.text.Text`, carrying its styles
(a highlighted match stays on its words). Terminals that do their own bidi (GNOME Terminal / VTE,
Konsole, mlterm) must get logical text instead: `reorder_enabled()` reads ASSIST_BIDI
(`visual`, the default, or `logical`); `reorder_output(is_terminal)` keeps printed text logical
when it goes to a pipe or a file. Pure functions: no terminal, no I/O.

The width a line is wrapped at is often known only when rich or Textual lays it out: `BidiText`
(a rich renderable; `bidi_text()` picks it only when there is something to reorder) wraps and
reorders at render time, at the width it is given; `VisualLines` reorders the drawn lines of any
renderable (a Markdown document); `for_terminal()` does it for plain printed lines.

python-bidi is an optional dependency (the `hebrew` extra): without it, `available()` is False and
every function returns its text in logical order, unchanged.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

if TYPE_CHECKING:
    from rich.text import Text

BIDI_ENV = "ASSIST_BIDI"
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic … and their presentation forms.
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Direction controls: marks, embeddings/overrides, isolates (the visual string needs none of them).
_CONTROLS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
RTL_LANGUAGES = frozenset(["he", "iw", "ar", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"])


def has_rtl(text: str) -> bool:
    """Does `text` hold any right-to-left letter? (else it needs no reordering at all)"""
    return _RTL.search(text) is not None


def direction(text: str) -> str:
    """"rtl" or "ltr": the direction of the first strong letter (Unicode rules P2-P3); "ltr" if none."""
    for ch in text:
        t = unicodedata.bidirectional(ch)
        if t in ("R", "AL"):
            return "rtl"
        if t == "L":
            return "ltr"
    return "ltr"


def reorder_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether to hand the terminal visual order: ASSIST_BIDI=logical for terminals that do bidi."""
    env = os.environ if environ is None else environ
    return env.get(BIDI_ENV, "visual").strip().lower() not in ("logical", "off", "0", "no", "terminal")


@functools.cache
def available() -> bool:
    """Is python-bidi installed (the `hebrew` extra)? Without it text stays in logical order."""
    import importlib.util

    return importlib.util.find_spec("bidi") is not None


@functools.lru_cache(maxsize=4096)
def _reorder(line: str, base: str | None) -> tuple[str, tuple[int, ...]]:
    """(visual string, logical index of each visual character). `line` has no newline and no
    direction controls."""
    if not available():
        return line, tuple(range(len(line)))
    from bidi.algorithm import (  # the reference (pure Python) implementation: it exposes the levels
        apply_mirroring,
        explicit_embed_and_overrides,
        get_embedding_levels,
        get_empty_storage,
        reorder_resolved_levels,
        resolve_implicit_levels,
        resolve_neutral_types,
        resolve_weak_types,
    )

    storage: dict[str, Any] = get_empty_storage()
    level = (1 if direction(line) == "rtl" else 0) if base is None else (1 if base == "rtl" else 0)
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    get_embedding_levels(line, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["i"] = i
    explicit_embed_and_overrides(storage)
    resolve_weak_types(storage, False)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    reorder_resolved_levels(storage, False)
    apply_mirroring(storage, False)
    chars = storage["chars"]
    # L3: a right-to-left run reversed puts combining marks (niqqud) before their letter; put each
    # group of marks back after the letter it belongs to.
    out: list[dict[str, Any]] = []
    k = 0
    while k < len(chars):
        j = k
        while j < len(chars) and unicodedata.combining(chars[j]["ch"]) and chars[j]["level"] % 2:
            j += 1
        if j > k and j < len(chars) and chars[j]["i"] < chars[k]["i"]:
            out.append(chars[j])
            out.extend(reversed(chars[k:j]))
            k = j + 1
            continue
        out.append(chars[k])
        k += 1
    return "".join(c["ch"] for c in out), tuple(c["i"] for c in out)


def _clean(line: str) -> str:
    return _CONTROLS.sub("", line)


def without_marks(text: str) -> str:
    """`text` without the invisible direction marks and isolates (LRM, RLM, FSI…PDI): what a
    document we reorder ourselves must not carry (a terminal may draw them as boxes)."""
    return _clean(text)


def visual(line: str, base: str | None = None) -> str:
    """One logical line in visual (left-to-right drawing) order. `base`: "rtl", "ltr" or None (the
    first strong letter decides). A line without right-to-left letters comes back unchanged
    (apart from invisible direction marks)."""
    line = _clean(line)
    if not has_rtl(line):
        return line
    return "\n".join(_reorder(part, base)[0] for part in line.split("\n"))


def wrap_logical(text: str, width: int) -> list[str]:
    """Break a logical line into lines of at most `width` terminal cells, at spaces where possible
    (a word longer than the width is cut). Done before reordering: each output line is reordered
    on its own, so the first line shown holds the start of the sentence, as a reader expects."""
    width = max(1, width)
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        while cell_len(word) > width:  # a word longer than a line: cut it
            room = width - cell_len(cur) - (1 if cur else 0)
            if room <= 0:
                lines.append(cur)
                cur = ""
                continue
            head, word = _cut(word, room)
            lines.append((cur + " " + head) if cur else head)
            cur = ""
        if not cur:
            cur = word
        elif cell_len(cur) + 1 + cell_len(word) <= width:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    lines.append(cur)
    return lines


def _cut(word: str, cells: int) -> tuple[str, str]:
    n = 0
    for i, ch in enumerate(word):
        n += cell_len(ch)
        if n > cells:
            return word[:i] or word[:1], word[i:] if i else word[1:]
    return word, ""


def visual_lines(text: str, width: int, base: str | None = None, align: bool = True) -> list[str]:
    """Wrap a logical line to `width` cells, then put each line in visual order using the direction
    of the whole line (not of each piece). With `align`, right-to-left lines are padded on the left
    to `width`, so they start at the right edge like a Hebrew page."""
    text = _clean(text)
    base = base or direction(text)
    rtl = base == "rtl"
    out = []
    for line in wrap_logical(text, width):
        v = _reorder(line, base)[0] if has_rtl(line) or rtl else line
        if rtl and align:
            v = " " * max(0, width - cell_len(v)) + v
        out.append(v)
    return out


def visual_text(text: Text, base: str | None = None) -> Text:
    """A rich Text (one line) in visual order, each character keeping its style."""
    from rich.text import Text as _Text

    plain = text.plain
    if not has_rtl(plain) and base != "rtl":  # a wrapped line of an RTL paragraph may hold no Hebrew ("15:00.")
        return text.copy()
    keep = [i for i, ch in enumerate(plain) if not _CONTROLS.match(ch)]
    clean = "".join(plain[i] for i in keep)
    vis, order = _reorder(clean, base)
    out = _Text(vis, style=text.style, justify=text.justify, no_wrap=text.no_wrap, end=text.end)
    # For each span, the visual positions of its characters, as contiguous ranges.
    pos_of = {keep[logical]: v for v, logical in enumerate(order)}
    for span in text.spans:
        cols = sorted(pos_of[i] for i in range(span.start, span.end) if i in pos_of)
        start = prev = None
        for c in cols:
            if start is None:
                start = prev = c
            elif c == prev + 1:  # type: ignore[operator]
                prev = c
            else:
                out.stylize(span.style, start, prev + 1)  # type: ignore[operator]
                start = prev = c
        if start is not None:
            out.stylize(span.style, start, prev + 1)  # type: ignore[operator]
    return out


def visual_text_lines(text: Text, width: int, base: str | None = None, align: bool = True) -> list[Text]:
    """visual_lines() for a rich Text: wrapped in logical order, each line reordered, styles kept."""
    from rich.text import Text as _Text

    plain = text.plain
    base = base or direction(_clean(plain))
    rtl = base == "rtl"
    out: list[Text] = []
    offset = 0
    for line in wrap_logical(plain, width):
        start = plain.find(line, offset) if line else offset
        start = offset if start < 0 else start
        piece = text[start:start + len(line)]
        offset = start + len(line)
        v = visual_text(piece, base) if has_rtl(line) or rtl else piece
        if rtl and align:
            v = _Text(" " * max(0, width - v.cell_len)) + v
        out.append(v)
    return out


def reorder_output(is_terminal: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Whether text printed to a stream goes out in visual order. Terminals mostly draw what they
    get left to right (xterm, tmux, Windows Terminal, iTerm2, the Linux console), so a terminal
    gets visual order; a pipe or a file gets logical order, because what reads it (an editor, a
    browser, grep, another program) applies bidi itself or needs the text as typed. ASSIST_BIDI
    decides instead when set: `visual` always, `logical` (or 0/off) never."""
    env = os.environ if environ is None else environ
    if BIDI_ENV in env:
        return reorder_enabled(env)
    return is_terminal


def _truncate(text: Text, width: int) -> Text:
    """A one-line Text cut to `width` cells in logical order, "…" at its logical end (cut after
    reordering, the ellipsis would eat the start of a Hebrew phrase at a line's end)."""
    if text.cell_len <= width:
        return text
    out = text.copy()
    out.truncate(max(0, width - 1))
    while out.cell_len > max(0, width - 1):
        out.right_crop(1)
    out.append("…")
    return out


class BidiText:
    """A rich renderable for a logical `Text` that may hold right-to-left words: at render time,
    when the width is known, each paragraph (newline) is wrapped at that width in logical order and
    each line reordered for a left-to-right terminal (`visual_text_lines`), right-to-left paragraphs
    right-aligned. `base` forces the paragraphs' direction: "ltr" for an English template with a
    Hebrew value in it (a label, a checklist line), None for content (its first strong letter
    decides). A text without right-to-left letters, or with reordering off, renders as the plain
    `Text` would (English screens are unchanged). A `no_wrap` Text is cut (with "…") before
    reordering. `fill`: a right-to-left text asks for all the width it is offered (a widget, a
    transcript column); without it, it is measured by its words (a column of a compact table)."""

    def __init__(self, text: Text | str, base: str | None = None, *, align: bool = True,
                 enabled: bool | None = None, fill: bool = True) -> None:
        from rich.text import Text as _Text

        self.text = _Text(text) if isinstance(text, str) else text
        self.base = base
        self.align = align
        self.fill = fill
        self.enabled = reorder_enabled() if enabled is None else enabled

    @property
    def plain(self) -> str:
        return self.text.plain

    def lines(self, width: int) -> list[Text]:
        """The visual lines at `width` cells (logical text wrapped, then reordered)."""
        out: list[Text] = []
        for para in self.text.split("\n", allow_blank=True):
            if self.text.no_wrap:
                para = _truncate(para, width)
            if not para.plain:
                out.append(para)
                continue
            base = self.base or direction(_clean(para.plain))
            out.extend(visual_text_lines(para, width, base, align=self.align))
        return out

    def __rich_console__(self, console: Any, options: Any) -> Any:
        if not self.enabled or not available() or not has_rtl(self.text.plain):
            yield self.text
            return
        width = max(1, options.max_width)
        lines = self.lines(width)
        # already wrapped to the width: the Text must not wrap or justify again
        yield _joined(lines, self.text)

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        m = Measurement.get(console, options, self.text)
        if self.fill and self.align and self.enabled and has_rtl(self.text.plain):
            # right-aligned lines need the whole width they are given (a table column, a widget);
            # measured by their text alone, a short Hebrew line would sit at the left of its cell
            return Measurement(m.minimum, max(m.minimum, options.max_width))
        return m


def _joined(lines: list[Text], like: Text) -> Text:
    from rich.text import Text as _Text

    out = _Text("\n").join(lines)
    out.no_wrap = True
    out.overflow = "crop"
    out.justify = "left"
    out.end = like.end
    return out


def bidi_text(text: Text, base: str | None = None) -> Text | BidiText:
    """`text` itself when it needs no reordering (no right-to-left letter, or ASSIST_BIDI=logical),
    else a BidiText: widgets that show English keep handing their Text over exactly as before."""
    if has_rtl(text.plain) and reorder_enabled() and available():
        return BidiText(text, base)
    return text


def for_terminal(text: str, width: int) -> str:
    """Plain text (lines of English templates and Hebrew) as a terminal that draws left to right
    must get it: each line wrapped at `width` first (the terminal would wrap the visual line and
    put the end of a Hebrew sentence on the first row), then reordered in its own direction,
    right-to-left lines right-aligned. Lines without right-to-left letters are left as they are;
    a line's indentation stays at its left. A line's direction is that of most of its letters (an
    English label before a Hebrew answer, "you: …", makes a Hebrew line), and in a right-to-left
    line an arrow turns round and curly quotes become straight ones."""
    out: list[str] = []
    for line in text.split("\n"):
        if not has_rtl(line):
            out.append(line)
            continue
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        base = dominant(body)
        if base == "rtl":
            body = body.translate(_ARROWS)
        out.extend(indent + v for v in visual_lines(body, max(1, width - len(indent)), base))
    return "\n".join(out)


# "→" is not mirrored by the algorithm; curly quotes in a right-to-left line point outwards (”…“)
_ARROWS = str.maketrans({"→": "←", "←": "→", "⇒": "⇐", "⇐": "⇒", "“": '"', "”": '"'})


def dominant(text: str) -> str:
    """"rtl" when most of the strong letters of `text` are right-to-left, else "ltr"."""
    rtl = sum(1 for ch in text if unicodedata.bidirectional(ch) in ("R", "AL"))
    ltr = sum(1 for ch in text if unicodedata.bidirectional(ch) == "L")
    return "rtl" if rtl > ltr else "ltr"


class VisualLines:
    """Any rich renderable (a Markdown document with tables and lists) drawn at the width it is
    given — rich wraps it, in logical order — and then each drawn line that holds right-to-left
    letters put in visual order, its indentation kept. For documents whose layout rich owns (a
    widget that wraps its own paragraphs cannot be reordered after wrapping). A drawn line does not
    know its paragraph, so its direction is that of most of its letters (`dominant`: "You: <a
    Hebrew answer>" is a Hebrew line, "לוי (angry) · language he" an English one), or `base`."""

    def __init__(self, renderable: Any, base: str | None = None, *, enabled: bool | None = None) -> None:
        self.renderable = renderable
        self.base = base
        self.enabled = reorder_enabled() if enabled is None else enabled

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment
        from rich.text import Text as _Text

        for segments in console.render_lines(self.renderable, options, pad=False):
            line = _Text(no_wrap=True, overflow="crop", end="")
            for seg in segments:
                if not seg.control:
                    line.append(seg.text, seg.style)
            plain = line.plain
            if self.enabled and available() and has_rtl(plain):
                body = plain.strip(" ")
                lead = len(plain) - len(plain.lstrip(" "))
                end = lead + len(body)
                base = self.base or dominant(body)
                mid = line[lead:end]
                if base == "rtl":
                    mid.plain = mid.plain.translate(_ARROWS)  # same length: the styles stay put
                line = line[:lead] + visual_text(mid, base) + line[end:]
                line.no_wrap, line.overflow, line.end = True, "crop", ""
            yield line
            yield Segment.line()

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        return Measurement.get(console, options, self.renderable)
