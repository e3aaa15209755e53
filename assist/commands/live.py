"""`assist live` — the agent's screen on a live call (microphone), or a recording played through
the live path at real-time pace with `--source FILE` (how a live call is demoed and tested)."""

from __future__ import annotations

import argparse
from typing import Any

from assist.commands.options import add_channel_options, call_spec
from assist.commands.output import add_redact_option


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("live", parents=[common], help="coach a live call in the terminal UI",
                       description="Open the agent's screen on a live call (microphone), or play a "
                                   "recording through the live path with --source.")
    p.add_argument("--agent-device", metavar="DEV", help="the agent's microphone (name or number; default: settings, else system default)")
    p.add_argument("--customer-device", metavar="DEV", help="the customer's audio (softphone output / loopback device)")
    p.add_argument("--source", metavar="FILE", help="play this recording through the live pipeline at real-time pace")
    p.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)  # demos: play --source faster
    add_channel_options(p)
    add_redact_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.ui.launch import run_live

    return run_live(call_spec(args, realtime=True))
