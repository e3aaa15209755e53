"""`assist demo` — the README's main job: the shipped demo call through the real pipeline.

The demo is a short scripted support call (examples/demo-call.txt) synthesised with espeak-ng into a
stereo recording (examples/demo-call.ogg: agent left, customer right). It is transcribed on this
machine with the embedded Whisper tiny.en model and coached with the English lexicon, so a fresh
install shows what the tool does with no microphone, no download and no settings. Company and agent
default to the script's own ("Acme", "Dana") because the greeting check needs them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assist.errors import InputError
from assist.resources import demo_call

DEMO_COMPANY = "Acme"
DEMO_AGENT = "Dana"


def demo_path() -> Path:
    return demo_call()


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="coach the shipped demo call (the real pipeline, offline)",
                       description="Transcribe and coach examples/demo-call.ogg with the embedded model.")
    p.add_argument("--live", action="store_true",
                   help="open the live screen and play the call at real-time pace (as `assist live --source`)")
    p.add_argument("--realtime", action="store_true", help="stream the call at real-time pace (with --format jsonl)")
    p.add_argument("--format", choices=("json", "jsonl", "md", "html"), help="write the report in this format")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = demo_path()
    if not path.is_file():
        raise InputError("the demo recording is missing (run scripts/make_demo_call.py in a source checkout)", str(path))
    args.company = args.company or DEMO_COMPANY
    args.agent_name = args.agent_name or DEMO_AGENT
    args.file = str(path)
    args.swap = False
    args.mono_speaker = "agent"
    if args.live:
        args.source = str(path)
        from assist.commands import live

        return int(live.run(args) or 0)
    from assist.commands import replay

    if args.format is None:
        # Always the terminal summary here: `assist demo` must work without a TUI (CI, pipes).
        from assist.pipeline import analyze_recording
        from assist.report.summary import print_summary

        print_summary(analyze_recording(args.file, args=args))
        return 0
    return int(replay.run(args) or 0)
