"""The agent's live screen (`assist live`, `assist demo --live`): the call's messages are shown as
they arrive; an append-only transcript log is written as the call goes; `q` ends the call and
saves the report. Pausing pauses the pipeline (the audio is held, not dropped).

A call from devices starts recording before the screen is drawn (`CallSession.prepare()` in
`__init__`): the models load behind "loading models — recording", and the pipeline then catches
up on what was said meanwhile. A level meter per channel shows that both sides are heard; a device
that stops is said on the notice line, and the call goes on with the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Static

from assist.engine.events import Event
from assist.session.call import LOADING
from assist.session.messages import CallMessage, Levels, Status
from assist.session.outputs import TranscriptLog
from assist.transcript import Utterance
from assist.ui.call_screen import QUIT_GRACE_S, CallScreen, Pipeline, session_pipeline
from assist.ui.messages import FromCall
from assist.ui.widgets import CallGauges

METER_CELLS = 12
# rms of speech at a normal level is about 0.05-0.2: the meter's full scale is 0.25
METER_FULL = 0.25


class LevelMeter(Static):
    """One bar per channel: the agent sees at a glance that both sides are heard."""

    levels: reactive[dict[str, float]] = reactive(dict, always_update=True)

    def watch_levels(self) -> None:
        t = Text()
        for sp, v in self.levels.items():
            n = round(min(1.0, v / METER_FULL) * METER_CELLS)
            t.append(f"{sp} ", style="dim")
            t.append("█" * n + "·" * (METER_CELLS - n), style="bold" if n else "dim")
            t.append("  ")
        self.update(t)


class LiveScreen(CallScreen):
    BINDINGS = [
        Binding("left", "seek", "−10 s", show=False),
        Binding("right", "seek", "+10 s", show=False),
    ]
    MODE = "live"
    KIND = "live"

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.log_file: TranscriptLog | None = None
        # a call from real devices (not a recording, not a scripted pipeline of the tests)
        self.devices = self.spec.source is None and self.factory is session_pipeline
        if self.devices:
            # before the screen is drawn: the devices record from now on, the models load meanwhile
            self.session.prepare()

    def compose(self) -> ComposeResult:
        for w in super().compose():
            yield w
            if isinstance(w, CallGauges) and self.devices:
                yield LevelMeter(id="levels")

    def on_mount(self) -> None:
        # (Textual runs CallScreen.on_mount after this one: its status is replaced once both ran)
        if self.session.recording:
            self.call_later(self._recording_status)

    def _recording_status(self) -> None:
        if self.gauges.status == "Loading speech model…":
            self.gauges.status = LOADING

    def build_pipeline(self) -> Pipeline:
        if self.devices:
            return self.session.pipeline(self.from_pipeline)  # takes over what prepare() started
        return super().build_pipeline()

    def from_pipeline(self, m: CallMessage) -> None:
        if isinstance(m, Levels) and not self.devices:
            return  # no level meter for a recording: do not wake the UI thread ten times a second
        self.post_message(FromCall(m))

    def apply(self, m: CallMessage) -> None:
        if isinstance(m, Levels):
            self.show_levels(m.levels)
            return
        if isinstance(m, Status) and m.message != LOADING:
            self.say(m.message)  # a device that stopped, a failed check: on the notice line, which stays
            return
        super().apply(m)

    def show_levels(self, levels: Mapping[str, float]) -> None:
        for meter in self.query(LevelMeter):
            meter.levels = dict(levels)

    def call_started(self) -> None:
        if self.save_enabled and self.log_file is None:
            try:
                self.log_file = self.session.transcript_log(self.stem)
            except OSError as e:
                self.say(f"transcript log not written: {e}")

    def final_utterance(self, u: Utterance) -> None:
        if self.log_file is not None:
            self.log_file.utterance(u)

    def log_event(self, ev: Event) -> None:
        if self.log_file is not None:
            self.log_file.event(ev)

    def marked(self, t: float) -> None:
        if self.log_file is not None:
            self.log_file.mark(t)

    def call_ended(self, report: dict[str, Any]) -> None:
        self.report = report
        self.ended = True
        self.gauges.status = "Call ended"
        self.final_checklist()
        self.save()
        if self.quitting:
            self.leave()
        else:
            self.show_summary()

    def save(self) -> None:
        if self.log_file is not None:
            self.log_file.close()
        super().save()

    def on_unmount(self) -> None:
        super().on_unmount()
        self.session.close()  # devices opened early and never handed to a pipeline
        if self.log_file is not None:
            self.log_file.close()

    # ------------------------------------------------------------------ actions
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.pipe is not None:
            (self.pipe.pause if self.paused else self.pipe.resume)()
        self.gauges.status = "Paused — space to resume" if self.paused else self.RUNNING

    def action_seek(self) -> None:
        self.say("Seeking works in replay only.")

    def action_quit_call(self) -> None:
        if self.quitting:
            self.app.exit(0)  # second q: leave now
            return
        self.quitting = True
        if self.ended or self.failed:
            self.save()
            self.leave()
            return
        self.gauges.status = "Saving the report…"
        if self.pipe is not None:
            self.pipe.stop()  # run() ends with CallEnded; call_ended saves and leaves
            # …unless the recogniser's last flush hangs on a starved CPU: then save what the coach has
            self.set_timer(QUIT_GRACE_S, self.quit_anyway)
        else:
            self.workers.cancel_group(self, "call")
            self.app.exit(0)
