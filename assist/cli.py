"""The `assist` command. Each subcommand lives in `assist/commands/<name>.py` and exposes
`register(subparsers, common)`; this module only wires them and turns errors into one-line
messages with the exit codes DESIGN.md fixes (0 ok, 2 bad input, 1 anything else)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from assist import __version__
from assist.errors import AssistError

# Order = order in `assist --help`.
COMMANDS = ("demo", "live", "replay", "analyze", "roleplay", "batch", "report", "history", "lexicon", "models",
            "devices", "settings")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors: one line, exit 2
        self.exit(2, f"assist: {message} (see '{self.prog} --help')\n")


def common_options() -> argparse.ArgumentParser:
    """Options every call-handling subcommand takes (DESIGN.md: common options)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("call options")
    g.add_argument("--lexicon", metavar="PATH|LANG", help="rule file or language code (default: from settings, else en)")
    g.add_argument("--company", metavar="NAME", help="company name, expected in the greeting")
    g.add_argument("--agent-name", metavar="NAME", help="the agent's name, expected in the greeting")
    g.add_argument("--engine", choices=("vosk", "whisper"), help="speech engine (default: vosk if a model is installed, else whisper)")
    g.add_argument("--model", metavar="NAME|PATH", help="speech model name from `assist models list`, or a folder")
    g.add_argument("--language", metavar="CODE", help="the call's language for the recogniser (default: the lexicon's)")
    g.add_argument("--no-semantic", action="store_true", help="lexical rules only (skip the language model)")
    return p


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="assist", description="Local, offline agent-assist for phone support.")
    parser.add_argument("--version", action="version", version=f"assist {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = common_options()
    for name in COMMANDS:
        mod = importlib.import_module(f"assist.commands.{name}")
        mod.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # a real start (the `assist` script, python -m assist), not a test's call
        _few_malloc_arenas(sys.argv[1:])
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
        return int(rc or 0)
    except AssistError as e:
        print(f"assist: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("assist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # never a traceback for the user; ASSIST_DEBUG=1 shows it
        if os.environ.get("ASSIST_DEBUG"):
            raise
        print(f"assist: internal error: {type(e).__name__}: {e} (set ASSIST_DEBUG=1 for details)", file=sys.stderr)
        return 1


def _few_malloc_arenas(argv: Sequence[str], arenas: int = 1) -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core) and keeps their
    freed memory: with the recogniser, the semantic load and the coach on different threads, a
    4.5-min replay peaked at 590-640 MB; one arena: 515-565 MB (measured, issue 17's 600 MB). Only
    for whole-file work (replay, batch): live paths keep glibc's default, their latency was measured
    with it. Called at start-up, before any thread exists; a no-op off glibc."""
    if (not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX")
            or not argv or argv[0] not in ("replay", "batch") or "--realtime" in argv):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8: M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
