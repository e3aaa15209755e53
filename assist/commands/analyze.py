"""`assist analyze FILE` — coach a text transcript (.txt, .json, .jsonl)."""

from __future__ import annotations

import argparse
from typing import Any

from assist.commands.output import add_redact_option, check_output, redacted, write_output

__all__ = ["register", "run", "write_output"]  # write_output: other commands import it from here


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("analyze", parents=[common], help="analyze a text transcript (.txt, .json, .jsonl)",
                       description="Coach a written transcript. .txt: one utterance a line, AGENT:/CUSTOMER: "
                                   "prefix, optional [mm:ss] start.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--format", choices=("json", "md", "html"), help="write the report in this format (default: summary)")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    add_redact_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.commands.options import call_spec
    from assist.report import render
    from assist.session.scoring import score_transcript

    if args.format:
        check_output(args.output)
    spec = call_spec(args)
    report = redacted(score_transcript(spec, args.file), spec.redact)
    if args.format:
        text = render(report, args.format)
        write_output(text, args.output)
    else:
        from assist.report.summary import print_summary

        print_summary(report)
    return 0
