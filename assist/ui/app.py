"""The agent's app: one call, on the screen for its mode — `LiveScreen` (a live call, or a recording
paced as one) or `ReplayScreen` (a recording to review) — with the end-of-call summary, help and
settings as modal screens over it. The app itself only holds the settings, asks for the names on
the first run, and starts the call; everything about the call is the screen's."""

from __future__ import annotations

import os
import time
from pathlib import Path

from textual.app import App

from assist.config import Config, config_path, save_config
from assist.session.spec import CallSpec
from assist.ui.call_screen import CallScreen, PipelineFactory, session_pipeline
from assist.ui.live_screen import LiveScreen
from assist.ui.replay_screen import ReplayScreen

MODES = ("live", "replay")


class AssistApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "assist"
    # the palette's footer hint costs room at 80 columns, and an agent mid-call has no use for it
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, mode: str, spec: CallSpec, *, config: Config, factory: PipelineFactory = session_pipeline,
                 ask_names: bool = False, save: bool = True, audio_out: bool | None = None,
                 replay_speed: float = 1.0, stem: str | None = None) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be live or replay, not {mode!r}")
        self.mode = mode
        self.ask_names = ask_names
        self.call: CallScreen
        if mode == "replay":
            self.call = ReplayScreen(spec, config, factory=factory, save=save, stem=stem, audio_out=audio_out,
                                     replay_speed=replay_speed)
        else:
            self.call = LiveScreen(spec, config, factory=factory, save=save, stem=stem)
        # Textual draws its own background, so a light terminal wants a light theme: ASSIST_THEME=textual-light
        theme = os.environ.get("ASSIST_THEME")
        if theme and theme in self.available_themes:
            self.theme = theme
        self.t_created = time.monotonic()  # benchmarks/bench_ui.py reads these three
        self.t_mounted: float | None = None
        self.t_first_frame: float | None = None

    @property
    def config(self) -> Config:
        """The settings as they are now (the settings screen may change them during the call)."""
        return self.call.config

    def on_mount(self) -> None:
        self.t_mounted = time.monotonic()
        self.call_after_refresh(self._first_frame)
        source = self.call.spec.source
        self.sub_title = self.call.CALL_TITLE + (f" · {Path(source).name}" if source else "")
        self.push_screen(self.call)
        if self.ask_names:
            from assist.ui.screens import FirstRunScreen

            self.push_screen(FirstRunScreen(self.config), self._after_first_run)
        else:
            self.call.start_call()

    def _first_frame(self) -> None:
        if self.t_first_frame is None:
            self.t_first_frame = time.monotonic()

    def _after_first_run(self, cfg: Config | None) -> None:
        if cfg is not None:
            self.call.config = cfg
        try:
            # saved even when skipped: the file's existence is how we "ask once"
            save_config(self.config, config_path())
        except OSError as e:
            self.notify(f"settings not saved: {e}", severity="warning")
        self.call.start_call(self.call.spec.with_names(self.config.company or None, self.config.agent_name or None))

    def action_quit_call(self) -> None:
        """`q` on the end-of-call summary: the call screen saves and leaves."""
        self.call.action_quit_call()
