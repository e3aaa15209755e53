"""What the live and the replay screens share: the layout (gauges, transcript, coaching card,
checklist, earlier cards, a notice line), applying the call's typed messages to the widgets, the
call worker, and saving the report at the end.

The pipeline runs in a thread worker and reaches the screen only through messages (messages.py).
The screen holds no coaching rules: the card, checklist and highlights show the coach's events.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from assist.config import Config
from assist.engine.events import Event
from assist.engine.metrics import compute_metrics
from assist.errors import AssistError
from assist.session.call import CallSession
from assist.session.messages import (
    CallEnded,
    CallMessage,
    CallStarted,
    CoachEvent,
    FinalUtterance,
    PartialUtterance,
    Position,
    Retraction,
    RunningBehind,
    Sink,
    Status,
)
from assist.session.outputs import Saved, call_stem
from assist.session.spec import CallSpec
from assist.transcript import Utterance
from assist.ui.coaching_panel import CoachingPanel
from assist.ui.messages import CallFailed, FromCall
from assist.ui.widgets import CallGauges, ChecklistView, CoachingCard, FlagHistory, TranscriptView, mmss

# How long `q` waits for the pipeline to wind down before saving what the coach has and leaving.
QUIT_GRACE_S = 10.0


class Pipeline(Protocol):
    """A running call as the screens drive it (assist.session.pipeline.CallPipeline)."""

    position: float  # seconds of audio fed so far

    def run(self) -> dict[str, Any]: ...
    def stop(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def report_so_far(self, *, source: str, duration_s: float) -> dict[str, Any]: ...


# (sink, spec) -> a pipeline; called on the worker thread because it loads models
PipelineFactory = Callable[[Sink, CallSpec], Pipeline]


def session_pipeline(sink: Sink, spec: CallSpec) -> Pipeline:
    return CallSession(spec).pipeline(sink)


class CallScreen(Screen[None]):
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("m", "mark", "Mark moment"),
        Binding("s", "settings", "Settings"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit_call", "Quit (saves)"),
    ]
    MODE = "live"  # which help the screen shows
    KIND = "live"  # how the call is stored in the history
    RUNNING = "Listening"  # the status line while the call runs
    CALL_TITLE = "Live call"

    def __init__(self, spec: CallSpec, config: Config, *, factory: PipelineFactory = session_pipeline,
                 save: bool = True, stem: str | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.config = config
        self.session = CallSession(spec)
        self.factory = factory
        self.save_enabled = save
        self.stem = stem or call_stem(spec.source)
        self.pipe: Pipeline | None = None
        self.report: dict[str, Any] | None = None
        self.saved: list[Path] = []
        self.history_error: str | None = None  # the call history failed to take the call
        self.failed: str | None = None
        self.paused = False
        self.ended = False
        self.quitting = False
        self.marks: list[float] = []
        self.finals: dict[int, Utterance] = {}
        self.t = 0.0

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield CallGauges(self.config.target_call_s, id="gauges")
        with Horizontal(id="body"):
            yield TranscriptView(id="transcript")
            yield CoachingPanel(id="side")
        yield Static("", id="notice")
        yield Footer()

    def on_mount(self) -> None:
        self.gauges.status = "Loading speech model…"

    @property
    def gauges(self) -> CallGauges:
        return self.query_one("#gauges", CallGauges)

    @property
    def transcript(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    @property
    def side(self) -> CoachingPanel:
        return self.query_one("#side", CoachingPanel)

    @property
    def card(self) -> CoachingCard:
        return self.side.card

    @property
    def checklist(self) -> ChecklistView:
        return self.side.checklist

    @property
    def history(self) -> FlagHistory:
        return self.side.history

    def say(self, text: str) -> None:
        """One quiet line above the footer (no toasts popping over the card while talking)."""
        self.query_one("#notice", Static).update(text)

    # ------------------------------------------------------------------ the call worker
    def start_call(self, spec: CallSpec | None = None) -> None:
        """Start the call (with names answered on the first-run screen, if `spec` is given)."""
        if spec is not None:
            self.spec = spec
            self.session = self.session.with_spec(spec)  # devices already recording carry over
        self.run_call()

    @work(thread=True, exclusive=True, exit_on_error=False, group="call")
    def run_call(self) -> None:
        try:
            # decodes audio, loads models: slow, so here; `pipe` stays None if that fails
            self.pipe = self.build_pipeline()
            if self.quitting or not self.app.is_running:
                return  # the user left while the models loaded: do not start the call
            self.pipe.run()  # its last message, CallEnded, carries the report
        except AssistError as e:
            self.post_message(CallFailed(str(e)))
        except Exception as e:  # a crash in a model must reach the user as a line, not kill the TUI
            self.post_message(CallFailed(f"internal error: {type(e).__name__}: {e}"))

    def build_pipeline(self) -> Pipeline:
        """On the worker thread: the call's pipeline (the live screen's may be prepared already)."""
        return self.factory(self.from_pipeline, self.spec)

    def from_pipeline(self, m: CallMessage) -> None:
        """Called on the pipeline's thread: hand over, never block, never touch widgets."""
        raise NotImplementedError

    def on_from_call(self, msg: FromCall) -> None:
        self.apply(msg.payload)

    def on_call_failed(self, msg: CallFailed) -> None:
        self.failed = msg.error
        self.ended = True
        self.gauges.status = "Stopped"
        self.say(f"assist: {msg.error}   (press q to quit)")
        if self.quitting or self.pipe is None:
            # nothing ran (bad file, no model): leave, and the launcher prints the one-line error
            self.app.exit(2, return_code=2)

    def on_unmount(self) -> None:
        # the screen is going away (quit, ctrl+c, a failed test): never leave the call thread running
        if self.pipe is not None:
            self.pipe.stop()

    # ------------------------------------------------------------------ applying messages
    def apply(self, m: CallMessage) -> None:
        match m:
            case CallStarted():
                self.gauges.engine = " · ".join(x for x in (m.engine, m.model) if x)
                self.gauges.status = self.RUNNING
                self.call_started()
            case PartialUtterance(utterance=u):
                self.transcript.show_utterance(u)
            case FinalUtterance(utterance=u):
                self.transcript.show_utterance(u)
                self.finals[u.index] = u
                self.final_utterance(u)
                m_ = compute_metrics(list(self.finals.values()))
                self.gauges.wpm, self.gauges.talk_ratio = m_.get("agent_wpm"), m_.get("agent_talk_ratio")
            case CoachEvent(event=ev):
                self.coach_event(ev)
            case Retraction(event=ev):
                self.transcript.mark(ev)
                self.side.retract(ev)
            case Position(t=t):
                self.t = t
                self.gauges.t = t
            case Status(message=text) | RunningBehind(message=text):
                self.gauges.status = text
            case CallEnded(report=report):
                self.call_ended(report)

    def call_started(self) -> None:
        """Audio position 0 is being fed (the live screen opens its transcript log here)."""

    def final_utterance(self, u: Utterance) -> None:
        """A turn is final (the live screen logs it)."""

    def call_ended(self, report: dict[str, Any]) -> None:
        raise NotImplementedError

    def log_event(self, ev: Event) -> None:
        """A flag or cue was raised (the live screen logs it)."""

    def coach_event(self, ev: Event) -> None:
        self.transcript.mark(ev)
        if ev.type in ("flag", "cue"):
            self.log_event(ev)
        if ev.type == "cue" and ev.category == "customer-frustration":
            self.gauges.mood = "frustrated"
        if ev.type == "checklist" and ev.category == "empathy" and ev.data.get("status") == "done":
            self.gauges.mood = "calmer"
        self.side.event(ev)

    def final_checklist(self) -> None:
        if self.report is not None and isinstance(self.report.get("checklist"), dict):
            self.side.final_checklist(self.report["checklist"])

    # ------------------------------------------------------------------ saving and leaving
    def save(self) -> None:
        if not self.save_enabled or self.report is None:
            return
        marks = [round(m, 2) for m in self.marks]
        if self.saved and self.report.get("marks") == marks:
            return
        # a replay is saved when its analysis ends and again if marks were added while reviewing
        # (same files, overwritten); the call history gets it once
        self.report["marks"] = marks
        try:
            out: Saved = self.session.save(self.report, self.stem, kind=self.KIND, to_store=not self.saved)
        except OSError as e:
            self.say(f"report NOT saved: {e}")
            return
        self.saved = out.files
        if out.history_error is not None:
            self.history_error = out.history_error
            self.say(f"Report saved: {self.saved[0]} — NOT in the call history: {out.history_error}")
        else:
            self.say(f"Report saved: {self.saved[0]}")

    def show_summary(self) -> None:
        from assist.ui.screens import SummaryScreen

        self.app.push_screen(SummaryScreen(self.report, self.saved, self.failed, self.history_error))

    def quit_anyway(self) -> None:
        """`q` was pressed and the pipeline did not wind down in time: save what the coach has."""
        if not self.app.is_running or self.report is not None:
            return
        if self.pipe is not None:
            try:
                self.report = self.pipe.report_so_far(source=self.spec.source or "live", duration_s=self.t)
                self.report["marks"] = [round(m, 2) for m in self.marks]
            except Exception as e:  # the transcript log still holds every final utterance
                self.say(f"report not built: {e}")
        self.save()
        self.leave()

    def leave(self) -> None:
        """Close the app; a call history that lost the call makes the exit status 1."""
        code = 1 if self.history_error else 0
        self.app.exit(code, return_code=code)

    # ------------------------------------------------------------------ actions
    def action_mark(self) -> None:
        self.marks.append(self.t)
        self.marked(self.t)
        self.say(f"Marked {mmss(self.t)} ({len(self.marks)} mark{'s' if len(self.marks) != 1 else ''})")

    def marked(self, t: float) -> None:
        """A moment was marked (the live screen logs it)."""

    def action_toggle_pause(self) -> None:
        raise NotImplementedError

    def action_quit_call(self) -> None:
        raise NotImplementedError

    def action_help(self) -> None:
        from assist.ui.screens import HelpScreen

        self.app.push_screen(HelpScreen(self.MODE))

    def action_settings(self) -> None:
        from assist.ui.screens import SettingsScreen

        def done(cfg: Config | None) -> None:
            if cfg is not None:
                self.config = cfg
                self.gauges.target_s = cfg.target_call_s
                self.say("Settings saved (names and engine apply from the next call).")

        self.app.push_screen(SettingsScreen(self.config), done)
