"""Secondary screens: help, settings (and the first-run question), and the review of a call just
ended (the summary: score, checklist, flags, where the report went)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from assist.bidi import bidi_text
from assist.config import Config, config_path, save_config
from assist.ui.widgets import ChecklistView, category_title, mmss

HELP = {
    "live": [
        ("space", "pause / resume listening"),
        ("m", "mark this moment (saved with the report)"),
        ("s", "settings"),
        ("q", "end the call: save the report and quit (press twice to leave at once)"),
        ("?", "this help"),
    ],
    "replay": [
        ("space", "play / pause (audio too, when there is an output device)"),
        ("← / →", "seek 10 s back / forward"),
        ("n / p", "next / previous flag"),
        ("m", "mark this moment"),
        ("s", "settings"),
        ("q", "save the report and quit"),
        ("?", "this help"),
    ],
}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        t = Text()
        t.append("Keys\n\n", style="bold")
        for key, what in HELP.get(self.mode, HELP["live"]):
            t.append(f"  {key:<8}", style="bold")
            t.append(what + "\n")
        t.append("\nThe card shows the newest coaching point: what was said, why it hurts, and the line to "
                 "say instead.\nChecklist: ✓ done  … pending  ✗ missed  · not yet.\n\nEsc closes this help.")
        with Vertical(id="dialog"):
            yield Static(t)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


class SettingsScreen(ModalScreen[Config | None]):
    """Edit the settings file. Returns the saved Config, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    FIELDS: tuple[tuple[str, str], ...] = (
        ("company", "Company name (expected in the greeting)"),
        ("agent_name", "Your name (expected in the greeting)"),
        ("lexicon", "Language or lexicon file (en, he, or a path)"),
        ("engine", "Speech engine: vosk, whisper, or empty for automatic"),
        ("model", "Speech model name or folder (empty: default)"),
        ("agent_device", "Microphone (device name or number; empty: default)"),
        ("customer_device", "Customer audio device (empty: none)"),
        ("target_call_s", "Target call length in seconds"),
        ("reports_dir", "Where reports go (empty: default)"),
    )
    title_text = "Settings"
    intro = ""

    def __init__(self, config: Config, path: Path | None = None) -> None:
        super().__init__()
        self.config = config
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Label(Text(self.title_text, style="bold"))
            if self.intro:
                yield Static(self.intro)
            yield Static(Text("Enter saves, Esc cancels.", style="italic"))
            for name, label in self.FIELDS:
                yield Label(label)
                yield Input(str(getattr(self.config, name)), id=f"f-{name}")
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def _collect(self) -> Config | str:
        kw: dict[str, Any] = {}
        for name, _ in self.FIELDS:
            val = self.query_one(f"#f-{name}", Input).value.strip()
            if name == "target_call_s":
                if not val.isdigit() or not 30 <= int(val) <= 7200:
                    return "Target call length: a whole number of seconds between 30 and 7200."
                kw[name] = int(val)
            elif name == "engine" and val not in ("", "vosk", "whisper"):
                return "Engine: vosk, whisper, or empty."
            else:
                kw[name] = val
        return replace(self.config, **kw)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.action_cancel()
            return
        cfg = self._collect()
        if isinstance(cfg, str):
            self.query_one("#error", Static).update(Text(cfg, style="bold reverse"))
            return
        try:
            save_config(cfg, self.path or config_path())
        except OSError as e:
            self.query_one("#error", Static).update(Text(f"Could not save: {e}", style="bold reverse"))
            return
        self.dismiss(cfg)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#save", Button).press()

    def action_cancel(self) -> None:
        self.dismiss(None)


class FirstRunScreen(SettingsScreen):
    """Asked once, on the first run: the names the greeting check needs."""

    FIELDS = (("company", "Company name (how you open the call)"), ("agent_name", "Your first name"))
    title_text = "Welcome to assist"
    intro = ("The greeting check listens for your company and your name. You can change these later\n"
             "with `s` (settings). Leave them empty and press Save to skip.")

    def compose(self) -> ComposeResult:
        yield from super().compose()

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).label = "Skip"

    def action_cancel(self) -> None:
        self.dismiss(None)


class SummaryScreen(ModalScreen[None]):
    """End of call: score, checklist, flags, where the report went."""

    BINDINGS = [Binding("escape", "dismiss", "Back to the transcript"), Binding("q", "app.quit_call", "Quit")]

    def __init__(self, report: dict[str, Any] | None, saved: list[Path], error: str | None = None,
                 history_error: str | None = None) -> None:
        super().__init__()
        self.report = report or {}
        self.saved = saved
        self.error = error
        self.history_error = history_error

    def compose(self) -> ComposeResult:
        r = self.report
        t = Text()
        t.append("End of call\n", style="bold")
        if self.error:
            t.append(f"Stopped: {self.error}\n", style="bold reverse")
        call = r.get("call", {})
        score = r.get("score")
        t.append("Score      ", style="bold")
        t.append(f"{score if score is not None else '–'}/100\n")
        t.append("Length     ", style="bold")
        t.append(f"{mmss(call.get('duration_s'))}\n")
        m = r.get("metrics", {})
        if m:
            wpm = m.get("agent_wpm")
            ratio = m.get("agent_talk_ratio")
            t.append("Agent      ", style="bold")
            t.append(f"{wpm if wpm is not None else '–'} wpm, talks "
                     f"{round(ratio * 100) if ratio is not None else '–'}% of the time\n")
        events = [e for e in r.get("events", []) if e.get("type") == "flag"]
        t.append(f"\nFlags ({len(events)})\n", style="bold")
        for e in events[:8]:
            t.append(f"  {mmss(e.get('start'))} {category_title(str(e.get('category')))}")
            if e.get("match"):
                t.append(f" — “{e['match']}”")
            t.append("\n")
        if len(events) > 8:
            t.append(f"  … and {len(events) - 8} more (see the report)\n")
        ck = ChecklistView()
        ck.set_state(r.get("checklist", {}))
        if self.saved:
            foot = Text("\nReport: ", style="bold") + Text(str(self.saved[0]))
        else:
            foot = Text("\nReport not saved.", style="italic")
        if self.history_error:
            foot.append(f"\nNOT in the call history: {self.history_error}", style="bold reverse")
        foot.append("\nEsc: back to the transcript   q: quit", style="dim")

        # scrolls when the terminal is small (80x24): the report path must stay reachable
        with VerticalScroll(id="dialog", classes="summary"):
            yield Static(bidi_text(t, base="ltr"))  # English labels, the flagged words may be Hebrew
            yield ck
            yield Static(foot)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
