"""Replay (`assist replay FILE`, `assist history --tui` → `p`): the recording is analysed in a
background worker as fast as the machine allows, and every message is kept on a `ReplayTimeline`
tagged with the audio time it belongs to; a playback clock then shows the call as it happened.
Seeking and jumping between flags move that clock (going back rebuilds the screen from the
timeline), so a review never waits on the models. The audio plays along when there is an output
device (the session's player)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding

from assist.session.call import Playback
from assist.session.messages import (
    CallEnded,
    CallMessage,
    CallStarted,
    CoachEvent,
    Levels,
    Position,
    Retraction,
    RunningBehind,
    Status,
)
from assist.ui.call_screen import QUIT_GRACE_S, CallScreen
from assist.ui.messages import AnalysisProgress, FromCall
from assist.ui.widgets import mmss

TICK_S = 0.1  # how often the playback clock moves


@dataclass
class Stamped:
    t: float  # audio time (s) at which the message belongs on screen
    message: CallMessage


class ReplayTimeline:
    """Every message of the analysis, stamped with its audio time, and the playback position over
    them. The analysis appends (its own thread); the screen reads up to a length it has seen."""

    _NOT_SHOWN = (Position, Status, RunningBehind)  # the playback clock and status are the screen's own

    def __init__(self) -> None:
        self.items: list[Stamped] = []
        self._times: list[float] = []
        self.shown = 0  # items already applied to the screen
        self.t = 0.0  # the playback position
        self.analysed_t = 0.0  # how far the analysis has got
        self.done = False
        self.duration: float | None = None

    def add(self, t: float, m: CallMessage) -> float:
        """Keep `m` at audio time `t` (never before what is already kept: bisect needs them sorted).
        list.append is atomic under the GIL; items go in before their time, so a reader that takes
        min(len) of the two never sees a time without its message."""
        if self._times:
            t = max(t, self._times[-1])
        self.items.append(Stamped(t, m))
        self._times.append(t)
        return t

    def analysed(self, t: float) -> None:
        self.analysed_t = max(self.analysed_t, t)

    def finish(self, duration: float) -> None:
        self.done = True
        self.duration = duration
        self.analysed_t = max(self.analysed_t, duration)

    @property
    def limit(self) -> float:
        """How far playback may go: the end of the recording once analysed, else the analysis."""
        return (self.duration or self.analysed_t) if self.done else self.analysed_t

    @property
    def at_end(self) -> bool:
        return self.done and self.t >= (self.duration or 0.0) - 0.05

    def play_to(self, t: float) -> list[CallMessage]:
        """Move the position forward to `t`; the messages to show on the way."""
        n = min(len(self.items), len(self._times))
        end = bisect.bisect_right(self._times, t, 0, n)
        out: list[CallMessage] = [s.message for s in self.items[self.shown:end]
                                  if not isinstance(s.message, self._NOT_SHOWN)]
        self.shown = max(self.shown, end)
        self.t = t
        return out

    def rewind(self) -> None:
        """Back to the start (the screen is rebuilt from the first message)."""
        self.shown = 0

    def flag_targets(self) -> list[float]:
        """Where `n`/`p` land for each flag: a little after its start, so the words are on screen,
        and never before the flag itself is on the timeline (a streaming recogniser flags a phrase
        only after it has heard it; landing earlier showed the turn without its card). Flags that
        were retracted (a partial that the final text did not bear out) are not jump targets."""
        n = min(len(self.items), len(self._times))
        shown: dict[str, tuple[float, float]] = {}
        for s in self.items[:n]:
            m = s.message
            if isinstance(m, CoachEvent | Retraction):
                ev = m.event
                key = ev.id or f"{ev.category}:{ev.utterance}:{ev.start}"
                if ev.type == "flag" and key not in shown:
                    shown[key] = (ev.start, s.t)
                elif ev.type == "retract":
                    shown.pop(key, None)
        return sorted({round(max(start + 1.5, at), 3) for start, at in shown.values()})


class ReplayScreen(CallScreen):
    BINDINGS = [
        Binding("left", "seek(-10)", "−10 s", show=False),
        Binding("right", "seek(10)", "+10 s", show=False),
        Binding("n", "next_flag", "Next flag", show=False),
        Binding("p", "prev_flag", "Prev flag", show=False),
    ]
    MODE = "replay"
    KIND = "replay"
    RUNNING = "Playing"
    CALL_TITLE = "Replay"

    def __init__(self, *args: Any, audio_out: bool | None = None, replay_speed: float = 1.0, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.timeline = ReplayTimeline()
        self.replay_speed = replay_speed
        self.player: Playback | None = self.session.player() if audio_out is not False else None

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(TICK_S, self._tick)

    def on_unmount(self) -> None:
        super().on_unmount()
        if self.player is not None:
            self.player.stop()

    # ------------------------------------------------------------------ the analysis
    def from_pipeline(self, m: CallMessage) -> None:
        """On the analysis thread: stamp each message with the audio fed so far and keep it."""
        if isinstance(m, Levels):
            return
        if isinstance(m, CallEnded):
            self.post_message(FromCall(m))
            return
        t = m.t if isinstance(m, Position) else float(self.pipe.position if self.pipe is not None else 0.0)
        t = self.timeline.add(t, m)
        if isinstance(m, Position | CallStarted):
            self.post_message(AnalysisProgress(t))

    def on_analysis_progress(self, msg: AnalysisProgress) -> None:
        self.timeline.analysed(msg.t)
        if not self.timeline.done:
            self.gauges.status = f"Analysing ahead of playback: {mmss(self.timeline.analysed_t)} ready"

    def call_started(self) -> None:
        if self.player is None:
            self.say("Visual replay only: no audio output device found.")

    def call_ended(self, report: dict[str, Any]) -> None:
        self.report = report
        self.timeline.finish(float(report.get("call", {}).get("duration_s") or self.timeline.analysed_t))
        self.gauges.status = "Analysis complete"
        self.save()
        if self.quitting:
            self.leave()

    # ------------------------------------------------------------------ the playback clock
    def _tick(self) -> None:
        if self.paused:
            return
        self.show_until(min(self.t + TICK_S * self.replay_speed, self.timeline.limit))
        if self.timeline.at_end and not self.ended:
            self.ended = True
            self.gauges.status = "End of recording"
            self.final_checklist()
            self.show_summary()

    def show_until(self, t: float) -> None:
        """Apply every timeline message up to audio time `t` (forward only)."""
        for m in self.timeline.play_to(t):
            self.apply(m)
        self.t = t
        self.gauges.t = t

    def seek_to(self, t: float) -> None:
        t = max(0.0, min(t, self.timeline.limit))
        if t < self.t:
            # going back: rebuild the screen from the start of the timeline
            self.transcript.clear_turns()
            self.side.reset()
            self.finals.clear()
            self.gauges.reset_call()
            self.timeline.rewind()
        self.ended = False
        self.show_until(t)
        if self.player is not None and not self.paused:
            self.player.play_from(t)

    # ------------------------------------------------------------------ actions
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.player is not None:
            if self.paused:
                self.player.stop()
            else:
                self.player.play_from(self.t)
        self.gauges.status = "Paused — space to resume" if self.paused else self.RUNNING

    def action_seek(self, delta: float) -> None:
        self.seek_to(self.t + float(delta))

    def action_next_flag(self) -> None:
        later = [t for t in self.timeline.flag_targets() if t > self.t + 0.5]
        if later:
            self.seek_to(later[0])
        else:
            self.say("No later flag (yet).")

    def action_prev_flag(self) -> None:
        earlier = [t for t in self.timeline.flag_targets() if t < self.t - 0.5]
        if earlier:
            self.seek_to(earlier[-1])
        else:
            self.say("No earlier flag.")

    def action_quit_call(self) -> None:
        if self.player is not None:
            self.player.stop()
        if self.quitting:
            self.app.exit(0)  # second q: leave now
            return
        self.quitting = True
        if self.ended or self.failed or self.timeline.done:
            self.save()
            self.leave()
            return
        self.gauges.status = "Saving the report…"
        if self.pipe is not None:
            self.pipe.stop()  # the analysis ends with CallEnded; call_ended saves and leaves
            self.set_timer(QUIT_GRACE_S, self.quit_anyway)
        else:
            self.workers.cancel_group(self, "call")
            self.app.exit(0)
