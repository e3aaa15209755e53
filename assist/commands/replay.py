"""`assist replay FILE` — a recording through the speech pipeline and the coach.

Without --format it opens the TUI on a terminal and prints the summary otherwise (piped, CI).
Without --realtime the whole file is transcribed at once (fast) and then coached; with --realtime it
is played through the live path at real-time pace (streaming recognisers, `latency_s` on events).
`--format jsonl` streams: a `start` line when audio position 0 is fed, every event as it is emitted
(and each final utterance as `{"type": "utterance", ...}`), an `end` line with the whole report.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from assist.errors import InputError

if TYPE_CHECKING:
    from assist.pipeline import Update


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("replay", parents=[common], help="coach a recorded call (wav/flac/mp3/ogg/m4a…)",
                       description="Open a recording for review (the TUI), or write its report with --format.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("json", "jsonl", "md", "html"),
                   help="write the report in this format instead of opening the TUI")
    p.add_argument("--realtime", action="store_true", help="pace the audio as if live (streaming recognisers)")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="with --realtime: play X times faster than real time (default 1)")
    add_channel_options(p)
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.set_defaults(func=run)


def add_channel_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--swap", action="store_true", help="stereo: customer on the left, agent on the right")
    p.add_argument("--mono-speaker", choices=("agent", "customer"), default="agent",
                   help="who speaks in a mono recording (default: agent)")


def run(args: argparse.Namespace) -> int:
    if not args.format and sys.stdout.isatty():  # a TUI needs a terminal; piped output gets the summary
        try:
            from assist.ui.launch import run_replay  # the TUI, when it is installed
        except ImportError:
            pass
        else:
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


def _on_update(args: argparse.Namespace, stream: IO[str] | None) -> Callable[[Update], None]:
    """jsonl lines as DESIGN.md fixes them: start, events (and final utterances) as they happen."""

    def on_update(u: Update) -> None:
        if u.kind == "start":
            _line(stream, {"type": "start", **u.data, "source": str(args.file)})
        elif u.kind == "event" and u.event is not None:
            _line(stream, u.event.to_dict())
        elif u.kind == "final" and u.utterance is not None:
            _line(stream, {"type": "utterance", **u.utterance.to_dict()})

    return on_update


def _run_realtime(args: argparse.Namespace, out: IO[str] | None) -> dict[str, Any]:
    from assist.pipeline import file_pipeline

    stream = out if args.format == "jsonl" else None
    pipe = file_pipeline(args.file, _on_update(args, stream), args=args, realtime=True,
                         speed=getattr(args, "speed", 1.0) or 1.0)
    report = pipe.run()
    _finish(args, out, report)
    return report


def _run_whole(args: argparse.Namespace, out: IO[str] | None) -> dict[str, Any]:
    from assist.pipeline import analyze_recording

    stream = out if args.format == "jsonl" else None
    report = analyze_recording(args.file, args=args, on_update=_on_update(args, stream))
    _finish(args, out, report)
    return report
