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

from assist.commands.output import add_redact_option
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
    add_redact_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.commands.options import call_spec

    path = demo_path()
    if not path.is_file():
        raise InputError("the demo recording is missing (run scripts/make_demo_call.py in a source checkout)", str(path))
    # The script's own names (the greeting check needs them), unless the user gave others.
    spec = call_spec(args, source=str(path), company=args.company or DEMO_COMPANY,
                     agent_name=args.agent_name or DEMO_AGENT, swap=False, mono_speaker="agent",
                     realtime=bool(args.live or (args.realtime and args.format)))
    if args.live:
        from assist.ui.launch import run_live

        return run_live(spec)
    from assist.commands.replay import write_report

    # Without --format, always the terminal summary: `assist demo` must work without a TUI (CI, pipes).
    return write_report(spec, args.format, args.output)
