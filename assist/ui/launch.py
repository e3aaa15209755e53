"""Starting the TUI: `assist replay FILE` (no --format), `assist live`, and `make_app` for tests.

Everything that can be checked before the screen opens is checked here, through the session (a
missing file, no audio device; the spec has already loaded the settings and the lexicon), so bad
input is one line on stderr and exit code 2, never a full-screen error or a traceback. Models load
inside the app, in a worker, behind a status line.
"""

from __future__ import annotations

from dataclasses import replace

from assist.config import Config, config_path, load_config
from assist.errors import InputError
from assist.session.call import CallSession
from assist.session.spec import CallOptions, CallSpec, resolve_spec
from assist.ui.app import AssistApp
from assist.ui.call_screen import PipelineFactory, session_pipeline


def make_app(mode: str = "live", spec: CallSpec | None = None, *, config: Config | None = None,
             factory: PipelineFactory | None = None, save: bool = True, ask_names: bool | None = None,
             audio_out: bool | None = None, replay_speed: float = 1.0) -> AssistApp:
    """The app for one call. Without `spec`, the settings' call (tests); `factory` overrides how
    the pipeline is built (tests feed a scripted one)."""
    cfg = config if config is not None else load_config()
    if spec is None:
        spec = resolve_spec(CallOptions(), cfg)
    if ask_names is None:
        ask_names = not config_path().exists() and not (spec.company or spec.agent_name)
    return AssistApp(mode, spec, config=cfg, factory=factory or session_pipeline, ask_names=ask_names, save=save,
                     audio_out=audio_out, replay_speed=replay_speed)


def outcome(app: AssistApp, rc: int | None) -> int:
    """The exit code after the app closed; a call that never started is bad input (raised)."""
    if app.call.failed and app.call.pipe is None:
        # failed before any audio flowed (undecodable file, no model): that is bad input, say it plainly
        raise InputError(app.call.failed)
    return int(rc or 0)


def _run(app: AssistApp) -> int:
    return outcome(app, app.run())


def run_replay(spec: CallSpec) -> int:
    """A recording to review: analysed as fast as the machine goes (`--realtime` paces only the
    written report's run), then played back on the screen's own clock."""
    CallSession(spec).check()
    return _run(make_app("replay", replace(spec, realtime=False)))


def run_live(spec: CallSpec) -> int:
    """A live call: from the microphone(s), or `spec.source` paced as if live."""
    CallSession(spec).check()
    return _run(make_app("live", spec))
