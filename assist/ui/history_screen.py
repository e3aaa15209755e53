"""The history screen: past calls from the call history, newest first; Enter opens one's report.

It reads the call history it is given (`assist history --tui` opens the store and runs
`HistoryApp` on it; the main app could push `HistoryScreen(store)` too) and imports no database
code itself. The store is read once when the screen opens and again on `r` (refresh), never while
the user scrolls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, Static

from assist.bidi import VisualLines, has_rtl, reorder_enabled, without_marks
from assist.session.history import CallHistory
from assist.timefmt import clock

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".mp4", ".webm", ".wma"}


def replayable(source: str | None) -> Path | None:
    """The stored call's recording, if it is an audio file that is still where it was scored."""
    if not source:
        return None
    p = Path(source)
    return p if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file() else None


class CallReportScreen(Screen[None]):
    """One stored call's report (the Markdown report, rendered); `p` replays its recording."""

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back"), Binding("p", "replay", "Replay recording")]

    def __init__(self, call_id: int, report: dict[str, Any]) -> None:
        super().__init__()
        self.call_id = call_id
        self.report = report

    def compose(self) -> ComposeResult:
        from assist.report.markdown import to_markdown

        md = to_markdown(self.report)
        yield Header()
        with VerticalScroll(id="call-report"):
            if has_rtl(md) and reorder_enabled():
                # a Hebrew call: rich draws the Markdown, then each drawn line is reordered (Textual's
                # Markdown widget wraps its paragraphs itself, so they could not be reordered)
                from rich.markdown import Markdown as RichMarkdown

                yield Static(VisualLines(RichMarkdown(without_marks(md))), id="call-report-rtl")
            else:
                yield Markdown(md, id="call-report-md")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"Call {self.call_id}"
        self.sub_title = f"score {self.report.get('score')}"

    def action_replay(self) -> None:
        # The replay TUI is a whole app of its own: leave this one and let `assist history --tui`
        # start it on the file (the app's return value).
        path = replayable(str(self.report.get("call", {}).get("source") or ""))
        if path is None:
            self.notify("The recording is not available here (a transcript, or the file moved).", severity="warning")
            return
        self.app.exit(str(path))


class HistoryScreen(Screen[None]):
    """Past calls in a table; Enter shows the selected call's report."""

    CSS_PATH = "history_screen.tcss"
    BINDINGS = [Binding("r", "refresh", "Refresh"), Binding("escape,q", "leave", "Back")]

    def __init__(self, store: CallHistory, *, agent: str | None = None, limit: int = 500) -> None:
        super().__init__()
        self.store = store
        self.agent = agent
        self.limit = limit
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="history-title")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Call history"
        table = self.query_one(DataTable)
        table.add_columns("id", "when (UTC)", "kind", "agent", "source", "scenario", "score", "length")
        self.action_refresh()
        table.focus()

    def action_refresh(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        calls = self.store.list_calls(agent=self.agent, limit=self.limit)
        self.ids = [c.id for c in calls]
        for c in calls:
            table.add_row(str(c.id), c.created_at.strftime("%Y-%m-%d %H:%M"), c.kind, c.agent_name or "",
                          Path(c.source).name if c.source else "", c.scenario or "",
                          "" if c.score is None else str(c.score), clock(c.duration_s), key=str(c.id))
        n = len(calls)
        self.query_one("#history-title", Static).update(
            f"{n} call{'s' if n != 1 else ''}" + (f" of {self.agent}" if self.agent else "")
            + f" — {self.store.url}" + ("" if n else "  (nothing stored yet: score a call, or run `assist batch`)"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is None:
            return
        call_id = int(event.row_key.value)
        self.app.push_screen(CallReportScreen(call_id, self.store.get_report(call_id)))

    def action_leave(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()


class HistoryApp(App[str | None]):
    """`assist history --tui`: the history screen on its own. Returns a recording to replay, or None."""

    def __init__(self, store: CallHistory, *, agent: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.agent = agent

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.store, agent=self.agent))
