"""`assist analyze FILE` — coach a text transcript (.txt, .json, .jsonl)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assist.errors import InputError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("analyze", parents=[common], help="analyze a text transcript (.txt, .json, .jsonl)",
                       description="Coach a written transcript. .txt: one utterance a line, AGENT:/CUSTOMER: "
                                   "prefix, optional [mm:ss] start.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("json", "md", "html"), help="write the report in this format (default: summary)")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.commands.options import call_spec
    from assist.report import render
    from assist.session.scoring import score_transcript

    report = score_transcript(call_spec(args), args.file)
    if args.format:
        text = render(report, args.format)
        write_output(text, args.output)
    else:
        from assist.report.summary import print_summary

        print_summary(report)
    return 0


def write_output(text: str, output: str | None) -> None:
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", output) from e
