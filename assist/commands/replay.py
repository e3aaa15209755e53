"""`assist replay FILE` — a recording through the speech pipeline and the coach.

Without --realtime the whole file is transcribed at once (fast) and then coached; with --realtime it
is played through the live path at real-time pace (streaming recognisers, `latency_s` on events).
`--format jsonl` streams: a `start` line when audio position 0 is fed, every event as it is emitted
(and each final utterance as `{"type": "utterance", ...}`), an `end` line with the whole report.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from assist.errors import InputError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("replay", parents=[common], help="coach a recorded call (wav/flac/mp3/ogg/m4a…)",
                       description="Open a recording for review (the TUI), or write its report with --format.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("json", "jsonl", "md", "html"),
                   help="write the report in this format instead of opening the TUI")
    p.add_argument("--realtime", action="store_true", help="pace the audio as if live (streaming recognisers)")
    add_channel_options(p)
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.set_defaults(func=run)


def add_channel_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--swap", action="store_true", help="stereo: customer on the left, agent on the right")
    p.add_argument("--mono-speaker", choices=("agent", "customer"), default="agent",
                   help="who speaks in a mono recording (default: agent)")


def run(args: argparse.Namespace) -> int:
    if not args.format:
        try:
            from assist.ui.launch import run_replay  # the TUI, when it is installed
        except ImportError:
            run_replay = None
        if run_replay is not None:
            return int(run_replay(args) or 0)
    out = _open_output(args.output) if args.format else None
    try:
        report = _run_realtime(args, out) if args.realtime else _run_whole(args, out)
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
    if not args.format:
        from assist.report.summary import print_summary

        print_summary(report)
    return 0


def _open_output(path: str | None) -> IO[str]:
    if not path or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in run()
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", path) from e


def _line(out: IO[str] | None, obj: dict[str, Any]) -> None:
    if out is None:
        return
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def _finish(args: argparse.Namespace, out: IO[str] | None, report: dict[str, Any]) -> None:
    if out is None:
        return
    if args.format == "jsonl":
        _line(out, {"type": "end", "report": report})
        return
    from assist.report import render

    out.write(render(report, args.format))
    out.flush()


def _run_realtime(args: argparse.Namespace, out: IO[str] | None) -> dict[str, Any]:
    from assist.pipeline import Update, file_pipeline

    stream = out if args.format == "jsonl" else None

    def on_update(u: Update) -> None:
        if u.kind == "start":
            _line(stream, {"type": "start", "source": str(args.file), **u.data})
        elif u.kind == "event" and u.event is not None:
            _line(stream, u.event.to_dict())
        elif u.kind == "final" and u.utterance is not None:
            _line(stream, {"type": "utterance", **u.utterance.to_dict()})

    pipe = file_pipeline(args.file, on_update, args=args, realtime=True)
    report = pipe.run()
    _finish(args, out, report)
    return report


def _run_whole(args: argparse.Namespace, out: IO[str] | None) -> dict[str, Any]:
    from assist.engine.coach import Coach
    from assist.session import call_settings, load_semantic
    from assist.speech.audio import load_call
    from assist.speech.factory import pick_engine
    from assist.speech.segment import merge_speakers
    from assist.speech.transcribe import transcribe_audio

    settings = call_settings(args)
    audio = load_call(args.file, swap=args.swap, mono_speaker=args.mono_speaker)
    eng = pick_engine(args.engine, args.model, settings.lexicon.language, (settings.company, settings.agent_name))
    semantic = load_semantic(settings.lexicon, args)
    stream = out if args.format == "jsonl" else None
    _line(stream, {"type": "start", "source": str(args.file), "engine": eng.name, "model": eng.model.name,
                   "realtime": False})
    utts = merge_speakers(transcribe_audio(audio, eng))
    coach = Coach(settings.lexicon, company=settings.company, agent_name=settings.agent_name, semantic=semantic)
    for u in utts:
        for ev in coach.feed(u) + coach.advance(u.start):
            _line(stream, ev.to_dict())
        _line(stream, {"type": "utterance", **u.to_dict()})
    for ev in coach.finish():
        _line(stream, ev.to_dict())
    report = coach.report(source=str(args.file), duration_s=audio.duration, engine=eng.name,
                          model=eng.model.name, mode="whole-file")
    _finish(args, out, report)
    return report
