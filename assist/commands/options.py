"""The command line's call options as a typed `CallOptions` — the only place that reads them off an
argparse namespace. Commands then resolve a `CallSpec` (option, else setting, else default) with
`call_spec()`, once, and hand that on; nothing below assist/commands/ sees argparse."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from assist.config import Config, load_config
from assist.session.spec import CallOptions, CallSpec, resolve_spec


def add_channel_options(p: argparse.ArgumentParser, *, mono_default: str = "agent") -> None:
    p.add_argument("--swap", action="store_true", help="stereo: customer on the left, agent on the right")
    p.add_argument("--mono-speaker", choices=("voice", "agent", "customer"), default=mono_default,
                   help="a mono recording: split into agent and customer by voice (the agent opens the call), "
                        f"or all one speaker (default: {mono_default})")
    add_pick_option(p)


def add_pick_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--channels", metavar="A,C", type=channel_pair,
                   help="a recording with more than two channels: the agent's and the customer's (from 0)")


def channel_pair(v: str) -> tuple[int, int]:
    """`--channels A,C` -> (A, C): two different channel numbers, counted from 0."""
    a, sep, c = v.partition(",")
    if not sep or not a.strip().isdigit() or not c.strip().isdigit() or int(a) == int(c):
        raise argparse.ArgumentTypeError(f"expected two different channel numbers from 0, like 0,2 (got {v!r})")
    return int(a), int(c)


def add_embed_audio_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--embed-audio", action="store_true",
                   help="HTML: put the recording inside the page (Opus, ~250 KB per minute) so the page plays "
                        "on its own; default: the player links the recording by a path relative to the page")


def call_options(args: argparse.Namespace, **given: Any) -> CallOptions:
    """The call options a command was given (each command has some of them); `given` overrides."""
    def opt(name: str, default: Any = None) -> Any:
        return getattr(args, name, default)

    no_semantic, no_redact = opt("no_semantic", False), opt("no_redact", False)
    options = CallOptions(
        source=opt("source") or opt("file"),
        realtime=bool(opt("realtime", False)),
        speed=float(opt("speed", 1.0) or 1.0),
        lexicon=opt("lexicon"),
        company=opt("company"),
        agent_name=opt("agent_name"),
        engine=opt("engine"),
        model=opt("model"),
        language=opt("language"),
        semantic=False if no_semantic else None,
        redact=False if no_redact else None,
        store_url=opt("db"),
        swap=bool(opt("swap", False)),
        mono_speaker=opt("mono_speaker"),
        channels=opt("channels"),
        agent_device=opt("agent_device"),
        customer_device=opt("customer_device"),
        embed_audio=bool(opt("embed_audio", False)),
    )
    return replace(options, **given)


def call_spec(args: argparse.Namespace, config: Config | None = None, **given: Any) -> CallSpec:
    """`resolve_spec` of this command's options and the settings file."""
    return resolve_spec(call_options(args, **given), config if config is not None else load_config())
