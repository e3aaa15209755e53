"""The readable terminal summary (rich) that `assist analyze` prints by default.

Right to left: terminals mostly draw characters left to right as they come (xterm, tmux,
Windows Terminal, iTerm2, the Linux console; GNOME Terminal and Konsole are the exceptions), so a
Hebrew phrase printed in logical order reads backwards. On a terminal the Hebrew cells (what was
said, the better line, the callback commitment) go out in visual order, wrapped at their column
first and right-aligned (`assist.bidi.BidiText`); piped or redirected, the text stays logical,
because what reads it (an editor, a browser, grep) reorders it itself or needs it as typed.
ASSIST_BIDI=logical (terminals that do bidi) or ASSIST_BIDI=visual overrides that choice. English
calls print exactly as before."""

from __future__ import annotations

from typing import Any

from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assist.bidi import BidiText, direction, has_rtl, reorder_output
from assist.timefmt import clock

_STATUS = {"done": ("✔ done", "green"), "missed": ("✘ missed", "red"), "pending": ("… pending", "yellow"),
           "not-needed": ("– not needed", "dim")}


def _said(speaker: str, match: str, rtl: bool) -> RenderableType:
    """"agent: <words>"; with right-to-left words, the label stays at the left and the words are
    a paragraph of their own, right-aligned (mixed into one, the label would move with them)."""
    if not (rtl and has_rtl(match)):
        return f"{speaker}: {match}"
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(f"{speaker}:", BidiText(match, base=direction(match), fill=False))
    return grid


def _cell(text: str, rtl: bool) -> RenderableType:
    return BidiText(text, fill=False) if rtl and has_rtl(text) else text


def print_summary(r: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    rtl = reorder_output(console.is_terminal)
    call = r.get("call", {})
    score = r.get("score", 0)
    colour = "green" if score >= 80 else "yellow" if score >= 60 else "red"
    head = Text.assemble(("Score ", "bold"), (f"{score}/100", f"bold {colour}"),
                         f"   {call.get('source', '')}   {clock(call.get('duration_s'))}")
    console.print(Panel(head, title="assist", expand=False))
    ck = Table(title="Checklist", show_header=False, box=None)
    for item, st in r.get("checklist", {}).items():
        label, style = _STATUS.get(st.get("status", ""), (st.get("status", ""), ""))
        detail = st.get("commitment") or ", ".join(f"missing {m}" for m in st.get("missing", []))
        when = st.get("at", st.get("required_at"))
        ck.add_row(item, Text(label, style=style), clock(when) if when is not None else "", _cell(detail or "", rtl))
    console.print(ck)
    events = [e for e in r.get("events", []) if e.get("type") in ("flag", "cue")]
    t = Table(title=f"Flags and cues ({len(events)})", show_lines=False)
    t.add_column("time")
    t.add_column("category")
    t.add_column("said")
    t.add_column("better line")
    for e in events:
        cat = e["category"] + (" (sounds like)" if e.get("detector") == "semantic" else "")
        t.add_row(clock(e["start"]), cat, _said(e["speaker"], e["match"], rtl), _cell(e.get("suggestion", ""), rtl))
    console.print(t if events else Text("No flags — clean call.", style="green"))
    m = r.get("metrics", {})
    console.print(Text("  ".join(f"{k}={v}" for k, v in m.items() if v is not None), style="dim"))
    lost = [b for b in r.get("score_breakdown", []) if b["points"] < 0]
    if lost:
        console.print(Text("Cost points: " + "; ".join(f"{b['reason']} ({b['points']})" for b in lost), style="dim"))
