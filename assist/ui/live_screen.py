"""The agent's live screen (`assist live`, `assist demo --live`): the call's messages are shown as
they arrive; an append-only transcript log is written as the call goes; `q` ends the call and
saves the report. Pausing pauses the pipeline (the audio is held, not dropped)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from assist.engine.events import Event
from assist.session.messages import CallMessage, Levels
from assist.session.outputs import TranscriptLog
from assist.transcript import Utterance
from assist.ui.call_screen import QUIT_GRACE_S, CallScreen
from assist.ui.messages import FromCall


class LiveScreen(CallScreen):
    BINDINGS = [
        Binding("left", "seek", "−10 s", show=False),
        Binding("right", "seek", "+10 s", show=False),
    ]
    MODE = "live"
    KIND = "live"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.log_file: TranscriptLog | None = None

    def from_pipeline(self, m: CallMessage) -> None:
        if isinstance(m, Levels):
            return  # no level meter on this screen: do not wake the UI thread ten times a second
        self.post_message(FromCall(m))

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
