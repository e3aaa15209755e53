"""The readable terminal summary (rich) that `assist analyze` prints by default."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from assist.timefmt import clock

_STATUS = {"done": ("✔ done", "green"), "missed": ("✘ missed", "red"), "pending": ("… pending", "yellow"),
           "not-needed": ("– not needed", "dim")}


def print_summary(r: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
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
        ck.add_row(item, Text(label, style=style), clock(when) if when is not None else "", detail or "")
    console.print(ck)
    events = [e for e in r.get("events", []) if e.get("type") in ("flag", "cue")]
    t = Table(title=f"Flags and cues ({len(events)})", show_lines=False)
    t.add_column("time")
    t.add_column("category")
    t.add_column("said")
    t.add_column("better line")
    for e in events:
        cat = e["category"] + (" (sounds like)" if e.get("detector") == "semantic" else "")
        t.add_row(clock(e["start"]), cat, f"{e['speaker']}: {e['match']}", e.get("suggestion", ""))
    console.print(t if events else Text("No flags — clean call.", style="green"))
    m = r.get("metrics", {})
    console.print(Text("  ".join(f"{k}={v}" for k, v in m.items() if v is not None), style="dim"))
    lost = [b for b in r.get("score_breakdown", []) if b["points"] < 0]
    if lost:
        console.print(Text("Cost points: " + "; ".join(f"{b['reason']} ({b['points']})" for b in lost), style="dim"))
