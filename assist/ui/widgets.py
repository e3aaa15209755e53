"""Reusable widgets of the agent's screen: transcript, coaching card, flag history, checklist, gauges.

They render what the engine and speech layers produce (Utterances, Events, metrics) and hold no
coaching rules. Other screens (role-play, history) reuse them, so their styles live in DEFAULT_CSS
and they take plain data. Their state is `reactive`: assign it and the `watch_` methods redraw
(`gauges.status = "Listening"`, `card.item = CardItem.from_event(ev)`, `checklist.apply(ev)`);
`reset()` puts a widget back as it was at the start of a call.

Colour is never the only signal (colour-blind users): speakers carry a text label, states carry a
symbol and a word. Colours come from theme variables so light and dark terminals both work.

Right to left: the widgets keep text in logical order and hand it to the terminal through
`assist.bidi.BidiText`, which wraps at the widget's width first and then reorders each line, so a
Hebrew turn or card reads top to bottom, each line right-aligned, in terminals that draw left to
right (ASSIST_BIDI=logical for those that reorder themselves). English renders exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from assist.bidi import bidi_text, has_rtl, visual
from assist.engine.events import Event
from assist.timefmt import clock
from assist.transcript import Utterance

SPEAKER_LABEL = {"agent": "AGENT", "customer": "CUSTOMER"}
CATEGORY_TITLE = {
    "starts-with-no": "Starts with “no”",
    "not-my-job": "“Not my job”",
    "vague-promise": "Vague promise",
    "half-promise": "Half-promise",
    "condescending-check": "Condescending check",
    "why-did-you": "“Why did you…?”",
    "ultimatum": "Ultimatum",
    "no-problem": "“No problem”",
    "known-issue": "“Known issue”",
    "dismissive": "Dismissive",
    "jargon": "Jargon",
    "customer-frustration": "Customer is frustrated",
    "greeting": "Greeting",
    "empathy": "Empathy",
    "callback": "Callback",
}
# How fast is "fast" for the pace gauge: a presentation threshold, not a coaching rule. Phone
# guides put a comfortable pace at 140–160 wpm; above 170 callers start to ask for repeats.
FAST_WPM = 170


def mmss(t: float | None) -> str:
    """The screen's fixed-width call time (MM:SS)."""
    return clock(t, pad=True)


def category_title(cat: str) -> str:
    return CATEGORY_TITLE.get(cat, cat.replace("-", " ").capitalize())


def highlight(text: str, matches: list[str], style: str = "bold reverse") -> Text:
    """`text` with every flagged phrase marked (reverse video: visible without colour)."""
    out = Text(text)
    low = text.lower()
    for m in matches:
        m = m.strip().lower()
        if not m:
            continue
        for hit in re.finditer(re.escape(m), low):
            out.stylize(style, hit.start(), hit.end())
    return out


# --------------------------------------------------------------------------- transcript
class TurnLine(Static):
    """One speaker turn; replaced in place as the partial grows and when it becomes final."""

    DEFAULT_CSS = """
    TurnLine { padding: 0 1; height: auto; }
    TurnLine.customer { padding-left: 4; }
    TurnLine.partial { text-style: italic; color: $text-muted; }
    """

    def __init__(self, utt: Utterance, matches: list[str]) -> None:
        self.head = Text()
        self.body = Text()
        super().__init__(self._render_turn(utt, matches), classes=utt.speaker)
        self.set_class(not utt.final, "partial")

    @property
    def plain(self) -> str:
        """The turn as plain text (time, speaker, words): for tests and copy-out."""
        return f"{self.head.plain} {self.body.plain}"

    def _render_turn(self, utt: Utterance, matches: list[str]) -> Table:
        # a two-column grid gives wrapped lines a hanging indent, so turns stay easy to tell apart
        label = SPEAKER_LABEL.get(utt.speaker, utt.speaker.upper())
        head = Text.assemble((f"{mmss(utt.start)} ", "dim"),
                             (f"{label:<8}", "bold" if utt.speaker == "agent" else "bold italic"))
        body = highlight(utt.text, matches) if utt.final else Text(utt.text + " …")
        self.head, self.body = head, body
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=14, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(head, bidi_text(body))
        return grid

    def update_turn(self, utt: Utterance, matches: list[str]) -> None:
        self.update(self._render_turn(utt, matches))
        self.set_class(not utt.final, "partial")


class TranscriptView(VerticalScroll):
    """Agent and customer turns in call order. Follows the live edge unless the user scrolled back."""

    DEFAULT_CSS = """
    TranscriptView { height: 1fr; border: round $primary 50%; border-title-color: $text; }
    TranscriptView > .placeholder { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = "Transcript"
        self._turns: dict[int, TurnLine] = {}
        self._utts: dict[int, Utterance] = {}
        self._matches: dict[int, dict[str, str]] = {}  # utterance -> {event id: matched text}
        self._placeholder: Static | None = Static("Waiting for speech…", classes="placeholder")

    def compose(self) -> ComposeResult:
        if self._placeholder is not None:
            yield self._placeholder

    @property
    def at_live_edge(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    def _matches_for(self, index: int) -> list[str]:
        return list(self._matches.get(index, {}).values())

    def show_utterance(self, utt: Utterance) -> None:
        follow = self.at_live_edge
        if self._placeholder is not None:
            self._placeholder.remove()
            self._placeholder = None
        self._utts[utt.index] = utt
        line = self._turns.get(utt.index)
        if line is None:
            line = TurnLine(utt, self._matches_for(utt.index))
            self._turns[utt.index] = line
            # indices are handed out in call order, so a later index always goes last
            later = [i for i in self._turns if i > utt.index]
            if later:
                self.mount(line, before=self._turns[min(later)])
            else:
                self.mount(line)
        else:
            line.update_turn(utt, self._matches_for(utt.index))
        if follow:
            # after the refresh: a new or grown turn only has its wrapped height once laid out
            self.call_after_refresh(self.scroll_end, animate=False)

    def mark(self, ev: Event) -> None:
        """Highlight a flag's words in its turn (or remove them when the flag is retracted)."""
        if ev.utterance < 0:
            return
        marks = self._matches.setdefault(ev.utterance, {})
        if ev.type == "retract":
            marks.pop(ev.id, None)
        elif ev.type in ("flag", "cue") and ev.match:
            marks[ev.id or ev.match] = ev.match
        else:
            return
        utt = self._utts.get(ev.utterance)
        if utt is not None and ev.utterance in self._turns:
            self._turns[ev.utterance].update_turn(utt, self._matches_for(ev.utterance))

    def clear_turns(self) -> None:
        for line in self._turns.values():
            line.remove()
        self._turns.clear()
        self._utts.clear()
        self._matches.clear()
        if self._placeholder is None:
            self._placeholder = Static("Waiting for speech…", classes="placeholder")
            self.mount(self._placeholder)

    def utterances(self) -> list[Utterance]:
        return [self._utts[i] for i in sorted(self._utts)]


# --------------------------------------------------------------------------- coaching card
@dataclass
class CardItem:
    id: str
    kind: str  # flag | suggest | checklist
    category: str
    title: str
    said: str
    why: str
    better: str
    at: float
    severity: str
    semantic: bool = False
    status: str = ""  # checklist items: the status the card was raised for (pending, missed)

    @classmethod
    def from_event(cls, ev: Event) -> CardItem:
        semantic = ev.detector == "semantic"
        title = category_title(ev.category)
        if ev.type == "checklist":
            status = str(ev.data.get("status", ""))
            missing = ev.data.get("missing") or []
            title = f"{title}: {'due now' if status == 'pending' else status}" + (
                f" ({', '.join(missing)})" if missing else "")
        elif ev.type == "suggest":
            title = f"{title}: say it now"
        # checklist and suggest events about the same moment (empathy missed + "say it now")
        # share an id, so the second replaces the first instead of piling up in the history
        item_id = ev.id if ev.type == "flag" and ev.id else f"{ev.category}:{ev.utterance}"
        return cls(id=item_id, kind=ev.type,
                   category=ev.category, title=title, said=ev.match, why=ev.why, better=ev.suggestion,
                   at=ev.start, severity=ev.severity, semantic=semantic,
                   status=str(ev.data.get("status", "")) if ev.type == "checklist" else "")


def card_worthy(ev: Event) -> bool:
    """Which events earn the one prominent card: agent flags and lines to say now. Checklist
    changes that ask for an action (empathy due, greeting missed) too; a 'done' tick does not."""
    if ev.type == "flag":
        return True
    if ev.type == "suggest":
        return bool(ev.suggestion)
    if ev.type == "checklist":
        return ev.data.get("status") in ("pending", "missed") and bool(ev.suggestion)
    return False


class CoachingCard(Static):
    """The one prominent card: what was said, why it hurts, the better line to say now."""

    DEFAULT_CSS = """
    CoachingCard { height: auto; min-height: 6; border: heavy $accent; padding: 0 1; }
    CoachingCard.empty { border: round $primary 40%; color: $text-muted; }
    CoachingCard.critical { border: heavy $error; }
    CoachingCard.warning { border: heavy $warning; }
    """

    item: reactive[CardItem | None] = reactive(None)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.border_title = "Coaching"

    def reset(self) -> None:
        self.item = None

    def watch_item(self, item: CardItem | None) -> None:
        self.remove_class("critical", "warning", "empty")
        if item is None:
            self.add_class("empty")
            self.border_title = "Coaching"
            self.update(Text("No coaching needed right now. Keep going.", style="italic"))
            return
        if item.severity in ("critical", "warning"):
            self.add_class(item.severity)
        mark = {"critical": "▲▲", "warning": "▲"}.get(item.severity, "•")
        self.border_title = visual(f"{mark} {item.title}  {mmss(item.at)}", base="ltr")
        if any(has_rtl(x) for x in (item.said, item.why, item.better)):
            self.update(self._rtl_card(item))
            return
        t = Text()
        if item.said:
            if item.semantic:
                t.append("Sounds like: ", style="bold")
                t.append(f"{category_title(item.category).lower()} — “{item.said}”\n")
            else:
                t.append("You said:    ", style="bold")
                t.append(f"“{item.said}”\n")
        if item.why:
            t.append("Why:         ", style="bold")
            t.append(item.why + "\n")
        if item.better:
            t.append("Say instead: ", style="bold")
            t.append(item.better, style="bold underline")
        t.rstrip()
        self.update(t if len(t) else Text(item.title))

    @staticmethod
    def _rtl_card(item: CardItem) -> Table:
        """A card in a right-to-left language: the English labels in a column of their own, each
        value a paragraph wrapped and right-aligned in the other (mixed into one paragraph, the
        labels would be reordered with the Hebrew). Straight quotes: “ ” are not mirrored, and
        reversed they would open the quotation at its end."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=12, no_wrap=True)
        grid.add_column(ratio=1)
        if item.said:
            if item.semantic:
                grid.add_row(Text("Sounds like:", style="bold"), Text(category_title(item.category).lower()))
                grid.add_row(Text("Heard:", style="bold"), bidi_text(Text(f'"{item.said}"')))
            else:
                grid.add_row(Text("You said:", style="bold"), bidi_text(Text(f'"{item.said}"')))
        if item.why:
            grid.add_row(Text("Why:", style="bold"), bidi_text(Text(item.why)))
        if item.better:
            grid.add_row(Text("Say instead:", style="bold"), bidi_text(Text(item.better, style="bold underline")))
        return grid


class FlagHistory(Static):
    """A short list of earlier cards, newest first."""

    DEFAULT_CSS = """
    FlagHistory { height: auto; max-height: 7; padding: 0 1; color: $text-muted; }
    """

    items: reactive[list[CardItem]] = reactive(list)

    def __init__(self, size: int = 5, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.keep = size

    def push(self, item: CardItem) -> None:
        self.items = [item, *self.items]

    def remove_id(self, item_id: str) -> None:
        self.items = [i for i in self.items if i.id != item_id]

    def reset(self) -> None:
        self.items = []

    def watch_items(self, items: list[CardItem]) -> None:
        if not items:
            self.update(Text("Earlier: none", style="italic"))
            return
        t = Text("Earlier:\n", style="bold", no_wrap=True, overflow="ellipsis")
        for it in items[: self.keep]:
            t.append(f"{mmss(it.at)} {it.title}", style="")
            if it.said:
                t.append(f" — “{it.said}”", style="")
            t.append("\n")
        t.rstrip()
        self.update(bidi_text(t, base="ltr"))


# --------------------------------------------------------------------------- checklist
CHECK_ITEMS = ("greeting", "empathy", "callback")
_STATE_MARK = {"done": "✓", "missed": "✗", "pending": "…", "not-needed": "–", "waiting": "·"}


def _waiting() -> dict[str, dict[str, Any]]:
    return {k: {"status": "waiting"} for k in CHECK_ITEMS}


class ChecklistView(Static):
    """Greeting, empathy, callback: pending / done / missed with the time."""

    DEFAULT_CSS = """
    ChecklistView { height: auto; border: round $primary 50%; padding: 0 1; }
    """

    state: reactive[dict[str, dict[str, Any]]] = reactive(_waiting)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.border_title = "Checklist"

    def apply(self, ev: Event) -> None:
        if ev.type != "checklist":
            return
        item = str(ev.data.get("item", ev.category))
        d = {k: v for k, v in ev.data.items() if k != "item"}
        if "at" not in d and d.get("status") in ("done", "missed"):
            d["at"] = ev.start
        self.state = {**self.state, item: d}

    def set_state(self, checklist: dict[str, dict[str, Any]]) -> None:
        self.state = {**self.state, **{k: dict(v) for k, v in checklist.items()}}

    def reset(self) -> None:
        self.state = _waiting()

    def status(self, item: str) -> str:
        return str(self.state.get(item, {}).get("status", "waiting"))

    def watch_state(self, state: dict[str, dict[str, Any]]) -> None:
        t = Text()
        styles = {"done": "bold", "missed": "bold reverse", "pending": "italic", "waiting": "dim", "not-needed": "dim"}
        for k in CHECK_ITEMS:
            d = state.get(k, {"status": "waiting"})
            st = str(d.get("status", "waiting"))
            when = d.get("at") if st != "pending" else d.get("required_at")
            label = {"waiting": "not yet", "not-needed": "not needed"}.get(st, st)
            t.append(f"{_STATE_MARK.get(st, '?')} {k:<9}", style=styles.get(st, ""))
            t.append(f"{label:<8}")
            if when is not None:
                t.append(f" {'since ' if st == 'pending' else ''}{mmss(float(when))}", style="dim")
            if k == "callback" and d.get("commitment"):
                t.append(f" ({d['commitment']})", style="dim")
            t.append("\n")
        t.rstrip()
        # English labels with a Hebrew commitment in brackets: left to right, the Hebrew run reordered
        self.update(bidi_text(t, base="ltr"))


# --------------------------------------------------------------------------- gauges
class CallGauges(Static):
    """Header gauges: timer vs target, agent pace, talk ratio, customer mood, engine+model, status."""

    DEFAULT_CSS = """
    CallGauges { height: auto; background: $panel; padding: 0 1; }
    """

    t: reactive[float] = reactive(0.0)
    target_s: reactive[int] = reactive(300)
    wpm: reactive[float | None] = reactive(None)
    talk_ratio: reactive[float | None] = reactive(None)
    mood: reactive[str] = reactive("calm")
    engine: reactive[str] = reactive("")
    status: reactive[str] = reactive("starting…")

    def __init__(self, target_s: int = 300, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.set_reactive(CallGauges.target_s, target_s)

    def reset_call(self) -> None:
        """Back to the start of the call (a replay seeking backwards): no pace, talk or mood yet."""
        self.mood, self.wpm, self.talk_ratio = "calm", None, None

    def watch_t(self) -> None:
        self._redraw()

    def watch_target_s(self) -> None:
        self._redraw()

    def watch_wpm(self) -> None:
        self._redraw()

    def watch_talk_ratio(self) -> None:
        self._redraw()

    def watch_mood(self) -> None:
        self._redraw()

    def watch_engine(self) -> None:
        self._redraw()

    def watch_status(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        # line 1: what the agent acts on (time, pace, talk share, mood); line 2: status and engine.
        # Warnings are reverse video plus a word, so they read without colour.
        t = Text()
        over = self.t > self.target_s
        t.append("call ", style="dim")
        t.append(f"{mmss(self.t)}/{mmss(self.target_s)}", style="bold reverse" if over else "bold")
        if over:
            t.append(" LONG", style="bold")
        t.append("  pace ", style="dim")
        if self.wpm is None:
            t.append("–")
        else:
            fast = self.wpm > FAST_WPM
            t.append(f"{int(self.wpm)} wpm", style="bold reverse" if fast else "bold")
            if fast:
                t.append(" slow down", style="bold")
        t.append("  talk ", style="dim")
        t.append("–" if self.talk_ratio is None else f"{round(self.talk_ratio * 100)}% agent", style="bold")
        t.append("  mood ", style="dim")
        t.append(self.mood, style="bold reverse" if self.mood == "frustrated" else "bold")
        t.append("\n")
        t.append(self.status, style="italic")
        if self.engine:
            t.append(f"  ·  {self.engine}", style="dim")
        self.update(t)
