"""Starting the TUI: `assist replay FILE` (no --format), `assist live`, and `make_app` for tests.

Everything that can be checked before the screen opens is checked here (missing file, no audio
device, a broken settings file), so bad input is one line on stderr and exit code 2, never a
full-screen error or a traceback. Models load inside the app, in a worker, behind a status line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assist.config import Config, config_path, load_config
from assist.errors import DeviceError, InputError
from assist.ui.app import AssistApp, Pipeline, PipelineFactory, args_config


def file_factory(path: str | Path, args: argparse.Namespace | None, *, realtime: bool,
                 speed: float = 1.0) -> PipelineFactory:
    """Pipelines over a recording: paced like a live call (realtime) or as fast as possible."""

    def make(on_update, cfg: Config) -> Pipeline:  # type: ignore[no-untyped-def]
        from assist.pipeline import file_pipeline

        ns = args if args is not None else argparse.Namespace()
        if not getattr(ns, "lexicon", None) and cfg.lexicon:
            ns = argparse.Namespace(**{**vars(ns), "lexicon": cfg.lexicon})
        return file_pipeline(path, on_update, args=ns, realtime=realtime, speed=speed,
                             company=cfg.company or None, agent_name=cfg.agent_name or None,
                             engine=getattr(ns, "engine", None) or cfg.engine or None,
                             model=getattr(ns, "model", None) or cfg.model or None)

    return make


def mic_factory(args: argparse.Namespace | None) -> PipelineFactory:
    """Pipelines from the microphone (and the customer's device, when one is set)."""

    def make(on_update, cfg: Config) -> Pipeline:  # type: ignore[no-untyped-def]
        from assist.pipeline import mic_pipeline

        ns = args if args is not None else argparse.Namespace()
        if not getattr(ns, "lexicon", None) and cfg.lexicon:
            ns = argparse.Namespace(**{**vars(ns), "lexicon": cfg.lexicon})
        pipe: Pipeline = mic_pipeline(
            on_update, args=ns,
            agent_device=getattr(ns, "agent_device", None) or cfg.agent_device or None,
            customer_device=getattr(ns, "customer_device", None) or cfg.customer_device or None,
            engine=getattr(ns, "engine", None) or cfg.engine or None,
            model=getattr(ns, "model", None) or cfg.model or None,
            company=cfg.company or None, agent_name=cfg.agent_name or None)
        return pipe

    return make


def make_app(mode: str = "live", source: str | Path | None = None, *, args: argparse.Namespace | None = None,
             config: Config | None = None, factory: PipelineFactory | None = None, speed: float = 1.0,
             save: bool = True, ask_names: bool | None = None, audio_out: bool | None = None,
             replay_speed: float = 1.0) -> AssistApp:
    """The app for one call. `factory` overrides how the pipeline is built (tests feed fakes)."""
    cfg = args_config(args, config if config is not None else load_config())
    if factory is None:
        if source is not None:
            factory = file_factory(source, args, realtime=(mode == "live"), speed=speed)
        else:
            factory = mic_factory(args)
    if ask_names is None:
        ask_names = not config_path().exists() and not (cfg.company or cfg.agent_name)
    return AssistApp(mode, factory, config=cfg, source=str(source) if source is not None else None,
                     ask_names=ask_names, save=save, audio_out=audio_out, replay_speed=replay_speed)


def _check_file(path: str) -> None:
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", p)
    if p.is_dir():
        raise InputError("is a directory, not a recording", p)
    try:
        with p.open("rb") as f:
            f.read(1)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", p) from e


def _run(app: AssistApp) -> int:
    return outcome(app, app.run())


def outcome(app: AssistApp, rc: int | None) -> int:
    """The exit code after the app closed; a call that never started is bad input (raised)."""
    if app.failed and app.pipe is None:
        # failed before any audio flowed (undecodable file, no model): that is bad input, say it plainly
        raise InputError(app.failed)
    return int(rc or 0)


def run_replay(args: argparse.Namespace) -> int:
    _check_file(args.file)
    return _run(make_app("replay", args.file, args=args))


def _check_input_device(args: argparse.Namespace, cfg: Config) -> None:
    try:
        import sounddevice as sd

        devices = sd.query_devices()
    except Exception as e:  # PortAudio missing or broken
        raise DeviceError(f"no audio input available ({e}); use --source FILE to play a recording") from None
    if not any(d.get("max_input_channels", 0) > 0 for d in devices):
        raise DeviceError("no microphone found (no audio input device); use --source FILE to play a recording")


def run_live(args: argparse.Namespace) -> int:
    cfg = load_config()
    src = getattr(args, "source", None)
    if src:
        _check_file(src)
        return _run(make_app("live", src, args=args, config=cfg, speed=float(getattr(args, "speed", 1.0) or 1.0)))
    _check_input_device(args, cfg)
    return _run(make_app("live", None, args=args, config=cfg))
