"""The agent's screen: one call, live or replayed.

Live (`assist live`): pipeline updates are shown as they arrive.
Replay (`assist replay FILE`): the recording is analysed in a background worker as fast as the
machine allows, and every update is kept on a timeline tagged with the audio time it belongs to; a
playback clock then shows the call as it happened. Seeking and jumping between flags move that
clock (going back rebuilds the screen from the timeline), so a review never waits on the models.

The pipeline runs in a thread worker and reaches the screen only through messages (messages.py).
"""

from __future__ import annotations

import argparse
import bisect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from assist.config import Config, config_path, save_config
from assist.engine.events import Event
from assist.engine.metrics import compute_metrics
from assist.errors import AssistError
from assist.pipeline import Update
from assist.transcript import Utterance
from assist.ui.messages import AnalysisProgress, CallEnded, CallFailed, PipelineUpdate
from assist.ui.save import TranscriptLog, call_stem, save_report
from assist.ui.widgets import (
    CallGauges,
    CardItem,
    ChecklistView,
    CoachingCard,
    FlagHistory,
    TranscriptView,
    card_worthy,
    mmss,
)

# How long `q` waits for the pipeline to wind down before saving what the coach has and leaving.
QUIT_GRACE_S = 10.0


class Pipeline(Protocol):
    def run(self) -> dict[str, Any]: ...
    def stop(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...


# (on_update, settings) -> pipeline; called on the worker thread because it loads models
PipelineFactory = Callable[[Callable[[Update], None], Config], Pipeline]


@dataclass
class Stamped:
    t: float  # audio time (s) at which the update belongs on screen
    update: Update


class AssistApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "assist"
    # the palette's footer hint costs room at 80 columns, and an agent mid-call has no use for it
    ENABLE_COMMAND_PALETTE = False

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("m", "mark", "Mark moment"),
        Binding("left", "seek(-10)", "−10 s", show=False),
        Binding("right", "seek(10)", "+10 s", show=False),
        Binding("n", "next_flag", "Next flag", show=False),
        Binding("p", "prev_flag", "Prev flag", show=False),
        Binding("s", "settings", "Settings"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit_call", "Quit (saves)"),
    ]

    def __init__(self, mode: str, factory: PipelineFactory, *, config: Config, source: str | None = None,
                 ask_names: bool = False, save: bool = True, audio_out: bool | None = None,
                 replay_speed: float = 1.0, stem: str | None = None) -> None:
        super().__init__()
        if mode not in ("live", "replay"):
            raise ValueError(f"mode must be live or replay, not {mode!r}")
        self.mode = mode
        self.factory = factory
        self.config = config
        self.source = source
        self.ask_names = ask_names
        self.save_enabled = save
        self.replay_speed = replay_speed
        self.stem = stem or call_stem(source)
        self.pipe: Pipeline | None = None
        self.report: dict[str, Any] | None = None
        self.saved: list[Path] = []
        self.failed: str | None = None
        self.paused = False
        self.ended = False
        self.quitting = False
        self.marks: list[float] = []
        self.finals: dict[int, Utterance] = {}
        self.t = 0.0
        self.log_file: TranscriptLog | None = None
        # replay timeline
        self.timeline: list[Stamped] = []
        self._tl_times: list[float] = []
        self._shown = 0  # timeline items already applied to the screen
        self.analysed_t = 0.0
        self.analysis_done = False
        self.duration: float | None = None
        self._audio = _AudioOut.probe() if (mode == "replay" and audio_out is not False) else None
        self.t_mounted: float | None = None
        # Textual draws its own background, so a light terminal wants a light theme: ASSIST_THEME=textual-light
        theme = os.environ.get("ASSIST_THEME")
        if theme and theme in self.available_themes:
            self.theme = theme
        self.t_first_frame: float | None = None  # benchmarks/bench_ui.py reads these
        self.t_created = time.monotonic()

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield CallGauges(self.config.target_call_s, id="gauges")
        with Horizontal(id="body"):
            yield TranscriptView(id="transcript")
            with Vertical(id="side"):
                yield CoachingCard(id="card")
                yield ChecklistView(id="checklist")
                yield FlagHistory(id="history")
        yield Static("", id="notice")
        yield Footer()

    def on_mount(self) -> None:
        self.t_mounted = time.monotonic()
        self.call_after_refresh(self._first_frame)
        self.sub_title = f"{'Replay' if self.mode == 'replay' else 'Live call'}" + (
            f" · {Path(self.source).name}" if self.source else "")
        self.gauges.set_values(status="Loading speech model…")
        if self.mode == "replay":
            self.set_interval(0.1, self._tick)
        if self.ask_names:
            from assist.ui.screens import FirstRunScreen

            self.push_screen(FirstRunScreen(self.config), self._after_first_run)
        else:
            self.start_call()

    def _first_frame(self) -> None:
        if self.t_first_frame is None:
            self.t_first_frame = time.monotonic()

    def on_unmount(self) -> None:
        # the app is going away (quit, ctrl+c, a failed test): never leave the call thread running
        if self.pipe is not None:
            self.pipe.stop()
        if self._audio is not None:
            self._audio.stop()
        if self.log_file is not None:
            self.log_file.close()

    def _after_first_run(self, cfg: Config | None) -> None:
        if cfg is not None:
            self.config = cfg
        try:
            # saved even when skipped: the file's existence is how we "ask once"
            save_config(self.config, config_path())
        except OSError as e:
            self.notify(f"settings not saved: {e}", severity="warning")
        self.start_call()

    @property
    def gauges(self) -> CallGauges:
        return self.query_one("#gauges", CallGauges)

    @property
    def transcript(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    @property
    def card(self) -> CoachingCard:
        return self.query_one("#card", CoachingCard)

    @property
    def checklist(self) -> ChecklistView:
        return self.query_one("#checklist", ChecklistView)

    @property
    def history(self) -> FlagHistory:
        return self.query_one("#history", FlagHistory)

    def say(self, text: str) -> None:
        """One quiet line above the footer (no toasts popping over the card while talking)."""
        self.query_one("#notice", Static).update(text)

    # ------------------------------------------------------------------ the call worker
    def start_call(self) -> None:
        self.run_call()

    @work(thread=True, exclusive=True, exit_on_error=False, group="call")
    def run_call(self) -> None:
        try:
            pipe = self.factory(self._from_pipeline, self.config)  # decodes audio, loads models: slow, so here
        except AssistError as e:
            self.post_message(CallFailed(str(e)))
            return
        except Exception as e:  # a crash in a model must reach the user as a line, not kill the TUI
            self.post_message(CallFailed(f"internal error: {type(e).__name__}: {e}"))
            return
        self.pipe = pipe
        if self.quitting or not self.is_running:
            return  # the user left while the models loaded: do not start the call
        try:
            report = pipe.run()
        except AssistError as e:
            self.post_message(CallFailed(str(e)))
            return
        except Exception as e:
            self.post_message(CallFailed(f"internal error: {type(e).__name__}: {e}"))
            return
        self.post_message(CallEnded(report))

    def _from_pipeline(self, u: Update) -> None:
        """Called on the pipeline's thread: hand over, never block, never touch widgets."""
        if u.kind == "level":
            return  # no level meter on this screen: do not wake the UI thread ten times a second
        if self.mode == "live":
            self.post_message(PipelineUpdate(u))
            return
        t = float(getattr(self.pipe, "position", 0.0) or 0.0)
        if u.kind == "position":
            t = float(u.data.get("t", t))
        if self._tl_times:
            # kept sorted for bisect: position updates are rounded to 10 ms, pipe.position is not
            t = max(t, self._tl_times[-1])
        # list.append is atomic under the GIL; the UI thread only reads up to a length it saw
        self.timeline.append(Stamped(t, u))
        self._tl_times.append(t)
        if u.kind in ("position", "start"):
            self.post_message(AnalysisProgress(t))

    # ------------------------------------------------------------------ messages
    def on_pipeline_update(self, msg: PipelineUpdate) -> None:
        self.apply(msg.update)

    def on_analysis_progress(self, msg: AnalysisProgress) -> None:
        self.analysed_t = max(self.analysed_t, msg.t)
        if not self.analysis_done:
            self.gauges.set_values(status=f"Analysing ahead of playback: {mmss(self.analysed_t)} ready")

    def on_call_failed(self, msg: CallFailed) -> None:
        self.failed = msg.error
        self.ended = True
        self.gauges.set_values(status="Stopped")
        self.say(f"assist: {msg.error}   (press q to quit)")
        if self.quitting or self.pipe is None:
            # nothing ran (bad file, no model): leave, and the launcher prints the one-line error
            self.exit(2, return_code=2)

    def on_call_ended(self, msg: CallEnded) -> None:
        self.report = msg.report
        if self.mode == "replay":
            self.analysis_done = True
            self.duration = float((self.report or {}).get("call", {}).get("duration_s") or self.analysed_t)
            self.analysed_t = max(self.analysed_t, self.duration)
            self.gauges.set_values(status="Analysis complete")
        else:
            self.ended = True
            self.gauges.set_values(status="Call ended")
            self._final_checklist()
        self._save()
        if self.quitting:
            self.exit(0)
        elif self.mode == "live":
            self.show_summary()

    # ------------------------------------------------------------------ applying updates
    def apply(self, u: Update) -> None:
        k = u.kind
        if k == "start":
            eng = " · ".join(x for x in (u.data.get("engine"), u.data.get("model")) if x)
            self.gauges.set_values(engine=eng, status="Listening" if self.mode == "live" else "Playing")
            if self.mode == "replay" and self._audio is None:
                self.say("Visual replay only: no audio output device found.")
            if self.save_enabled and self.log_file is None and self.mode == "live":
                self._open_log()
        elif k in ("partial", "final") and u.utterance is not None:
            self.transcript.show_utterance(u.utterance)
            if k == "final":
                self.finals[u.utterance.index] = u.utterance
                if self.log_file is not None:
                    self.log_file.utterance(u.utterance)
                self._update_metrics()
        elif k == "event" and u.event is not None:
            self._apply_event(u.event)
        elif k == "position":
            self.t = float(u.data.get("t", self.t))
            self.gauges.set_values(t=self.t)
        elif k == "status":
            self.gauges.set_values(status=str(u.data.get("message", "")))

    def _apply_event(self, ev: Event) -> None:
        self.transcript.mark(ev)
        self.checklist.apply(ev)
        if ev.type in ("flag", "cue") and self.log_file is not None:
            self.log_file.event(ev)
        if ev.type == "cue" and ev.category == "customer-frustration":
            self.gauges.set_values(mood="frustrated")
        if ev.type == "checklist" and ev.category == "empathy" and ev.data.get("status") == "done":
            self.gauges.set_values(mood="calmer")
        if ev.type == "checklist" and ev.data.get("status") in ("done", "not-needed"):
            self._settle(str(ev.data.get("item", ev.category)))
        if ev.type == "retract":
            cur = self.card.item
            if cur is not None and cur.id == ev.id:
                nxt = self.history.items[0] if self.history.items else None
                if nxt is not None:
                    self.history.remove_id(nxt.id)
                self.card.show_item(nxt)
            else:
                self.history.remove_id(ev.id)
            return
        if card_worthy(ev):
            item = CardItem.from_event(ev)
            cur = self.card.item
            if cur is not None and cur.id != item.id:
                self.history.push(cur)
            self.card.show_item(item)

    def _settle(self, item: str) -> None:
        """A checklist item was just done: the cards that asked for it ("Empathy: due now") are
        answered, so they leave the card and the history instead of contradicting the checklist."""
        def asked(i: CardItem) -> bool:
            return i.category == item and i.kind == "checklist" and i.status == "pending"

        for old in [i for i in self.history.items if asked(i)]:
            self.history.remove_id(old.id)
        cur = self.card.item
        if cur is not None and (asked(cur) or (cur.category == item and cur.kind == "suggest")):
            self.card.show_item(None)

    def _final_checklist(self) -> None:
        # the report's checklist is the engine's last word: it also decides items no event settled
        # during the call ("not-needed" empathy, a callback never promised)
        if self.report is not None and isinstance(self.report.get("checklist"), dict):
            self.checklist.set_state(self.report["checklist"])
            for item, d in self.report["checklist"].items():
                if isinstance(d, dict) and d.get("status") in ("done", "not-needed"):
                    self._settle(item)

    def _update_metrics(self) -> None:
        m = compute_metrics(list(self.finals.values()))
        self.gauges.set_values(wpm=m.get("agent_wpm"), talk_ratio=m.get("agent_talk_ratio"))

    def _open_log(self) -> None:
        try:
            self.log_file = TranscriptLog(self.config.reports_path() / f"{self.stem}.transcript.jsonl",
                                          redact=self.config.redact)
        except OSError as e:
            self.say(f"transcript log not written: {e}")

    def _save(self) -> None:
        if self.log_file is not None:
            self.log_file.close()
        if not self.save_enabled or self.report is None:
            return
        marks = [round(m, 2) for m in self.marks]
        if self.saved and self.report.get("marks") == marks:
            return
        # a replay is saved when its analysis ends and again if marks were added while reviewing
        # (same files, overwritten); the call history gets it once
        self.report["marks"] = marks
        try:
            self.saved = save_report(self.report, self.config, self.stem,
                                     kind="replay" if self.mode == "replay" else "live", to_store=not self.saved)
            self.say(f"Report saved: {self.saved[0]}")
        except OSError as e:
            self.say(f"report NOT saved: {e}")

    # ------------------------------------------------------------------ replay clock
    def _tick(self) -> None:
        if self.paused or self.mode != "replay":
            return
        limit = self.analysed_t if not self.analysis_done else (self.duration or self.analysed_t)
        new_t = min(self.t + 0.1 * self.replay_speed, limit)
        self._show_until(new_t)
        if self.analysis_done and self.t >= (self.duration or 0.0) - 0.05 and not self.ended:
            self.ended = True
            self.gauges.set_values(status="End of recording")
            self._final_checklist()
            self.show_summary()

    def _show_until(self, t: float) -> None:
        """Apply every timeline item up to audio time `t` (forward only)."""
        # the worker appends to timeline, then to _tl_times: only items present in both are safe
        n = min(len(self.timeline), len(self._tl_times))
        end = bisect.bisect_right(self._tl_times, t, 0, n)
        # partials superseded within this step are skipped: only the last state of a turn matters
        for i in range(self._shown, end):
            u = self.timeline[i].update
            if u.kind not in ("position", "status"):
                self.apply(u)
        self._shown = max(self._shown, end)
        self.t = t
        self.gauges.set_values(t=t)

    def seek_to(self, t: float) -> None:
        if self.mode != "replay":
            return
        limit = self.duration if self.analysis_done and self.duration else self.analysed_t
        t = max(0.0, min(t, limit))
        if t < self.t:
            # going back: rebuild the screen from the start of the timeline
            self.transcript.clear_turns()
            self.card.show_item(None)
            self.history.items.clear()
            self.history.remove_id("")
            self.checklist.state = {k: {"status": "waiting"} for k in self.checklist.state}
            self.checklist.set_state({})
            self.finals.clear()
            self.gauges.set_values(mood="calm", wpm=None, talk_ratio=None)
            self._shown = 0
        self.ended = False
        self._show_until(t)
        if self._audio is not None and not self.paused:
            self._audio.play_from(self.source, t)

    def _flag_targets(self) -> list[float]:
        """Where `n`/`p` land for each flag: a little after its start, so the words are on screen,
        and never before the flag itself is on the timeline (a streaming recogniser flags a phrase
        only after it has heard it; landing earlier showed the turn without its card). Flags that
        were retracted (a partial that the final text did not bear out) are not jump targets."""
        n = min(len(self.timeline), len(self._tl_times))
        shown: dict[str, tuple[float, float]] = {}
        for s in self.timeline[:n]:
            ev = s.update.event
            if s.update.kind != "event" or ev is None:
                continue
            key = ev.id or f"{ev.category}:{ev.utterance}:{ev.start}"
            if ev.type == "flag" and key not in shown:
                shown[key] = (ev.start, s.t)
            elif ev.type == "retract":
                shown.pop(key, None)
        return sorted({round(max(start + 1.5, at), 3) for start, at in shown.values()})

    # ------------------------------------------------------------------ actions
    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if self.mode == "live" and self.pipe is not None:
            (self.pipe.pause if self.paused else self.pipe.resume)()
        if self._audio is not None:
            if self.paused:
                self._audio.stop()
            else:
                self._audio.play_from(self.source, self.t)
        self.gauges.set_values(status="Paused — space to resume" if self.paused else
                               ("Listening" if self.mode == "live" else "Playing"))

    def action_mark(self) -> None:
        self.marks.append(self.t)
        if self.log_file is not None:
            self.log_file.mark(self.t)
        self.say(f"Marked {mmss(self.t)} ({len(self.marks)} mark{'s' if len(self.marks) != 1 else ''})")

    def action_seek(self, delta: float) -> None:
        if self.mode != "replay":
            self.say("Seeking works in replay only.")
            return
        self.seek_to(self.t + float(delta))

    def action_next_flag(self) -> None:
        if self.mode != "replay":
            return
        later = [t for t in self._flag_targets() if t > self.t + 0.5]
        if later:
            self.seek_to(later[0])
        else:
            self.say("No later flag (yet).")

    def action_prev_flag(self) -> None:
        if self.mode != "replay":
            return
        earlier = [t for t in self._flag_targets() if t < self.t - 0.5]
        if earlier:
            self.seek_to(earlier[-1])
        else:
            self.say("No earlier flag.")

    def action_help(self) -> None:
        from assist.ui.screens import HelpScreen

        self.push_screen(HelpScreen(self.mode))

    def action_settings(self) -> None:
        from assist.ui.screens import SettingsScreen

        def done(cfg: Config | None) -> None:
            if cfg is not None:
                self.config = cfg
                self.gauges.set_values(target_s=cfg.target_call_s)
                self.say("Settings saved (names and engine apply from the next call).")

        self.push_screen(SettingsScreen(self.config), done)

    def _quit_anyway(self) -> None:
        if not self.is_running or self.report is not None:
            return
        coach = getattr(self.pipe, "coach", None)
        if coach is not None:
            try:
                self.report = coach.report(source=self.source or "live", duration_s=self.t)
                self.report["marks"] = [round(m, 2) for m in self.marks]
            except Exception as e:  # the transcript log still holds every final utterance
                self.say(f"report not built: {e}")
        self._save()
        self.exit(0)

    def show_summary(self) -> None:
        from assist.ui.screens import SummaryScreen

        self.push_screen(SummaryScreen(self.report, self.saved, self.failed))

    def action_quit_call(self) -> None:
        if self._audio is not None:
            self._audio.stop()
        if self.quitting:
            self.exit(0)  # second q: leave now
            return
        self.quitting = True
        if self.ended or self.failed or (self.mode == "replay" and self.analysis_done):
            self._save()
            self.exit(0)
            return
        self.gauges.set_values(status="Saving the report…")
        if self.pipe is not None:
            self.pipe.stop()  # run() returns the report; on_call_ended saves and exits
            # …unless the recogniser's last flush hangs on a starved CPU: then save what the coach has
            self.set_timer(QUIT_GRACE_S, self._quit_anyway)
        else:
            self.workers.cancel_group(self, "call")
            self.exit(0)


class _AudioOut:
    """Replay audio through the default output device, when there is one (sounddevice)."""

    def __init__(self) -> None:
        self._audio: Any = None

    @classmethod
    def probe(cls) -> _AudioOut | None:
        try:
            import sounddevice as sd

            dev = sd.query_devices(kind="output")
            if not dev:
                return None
        except Exception:  # no PortAudio, no device, a server that refuses: visual replay only
            return None
        return cls()

    def play_from(self, source: str | None, t: float) -> None:
        if source is None:
            return
        try:
            import numpy as np
            import sounddevice as sd

            from assist.speech.audio import RATE, load_call

            if self._audio is None:
                call = load_call(source)
                tracks = list(call.tracks.values())
                n = max(len(x) for x in tracks)
                self._audio = np.zeros((n, 2), dtype="float32")
                for ch, x in enumerate(tracks[:2]):
                    self._audio[: len(x), ch] = x
                if len(tracks) == 1:
                    self._audio[:, 1] = self._audio[:, 0]
            sd.play(self._audio[int(t * RATE):], RATE)
        except Exception:
            self._audio = None

    def stop(self) -> None:
        try:
            import sounddevice as sd

            sd.stop()
        except Exception:
            pass


def args_config(args: argparse.Namespace | None, cfg: Config) -> Config:
    """The settings with command-line names applied (what the greeting is checked against)."""
    from dataclasses import replace

    if args is None:
        return cfg
    return replace(cfg, company=getattr(args, "company", None) or cfg.company,
                   agent_name=getattr(args, "agent_name", None) or cfg.agent_name)
