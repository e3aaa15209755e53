"""`assist report` — the team report from the call history: calls and average score per agent, flags
per category, checklist completion rates, trends over time (json, md, csv, or html with charts)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", help="team report from the call history (per agent, per category, trends)",
                       description="Summarise the stored calls: per agent, per flag category, checklist "
                                   "completion, score trend. --format html draws the charts.")
    p.add_argument("--db", metavar="URL", help="call history: SQLAlchemy URL or SQLite file (default: data dir)")
    p.add_argument("--agent", metavar="NAME", help="only this agent's calls")
    p.add_argument("--since", metavar="DATE", help="only calls from this date (YYYY-MM-DD, UTC) on")
    p.add_argument("--kind", choices=("live", "replay", "batch", "roleplay"), help="only calls of this kind")
    p.add_argument("--format", choices=("json", "md", "html", "csv"), default="md", help="output format (default: md)")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.commands.history import open_history
    from assist.commands.output import check_output, write_output
    from assist.report.team import build_team_report, render_team
    from assist.store import parse_since

    check_output(args.output)  # before the database is opened
    since = parse_since(args.since)  # a bad date is a usage error before the database is touched
    with open_history(args.db) as store:
        report = build_team_report(store, agent=args.agent, since=since, kind=args.kind)
    write_output(render_team(report, args.format), args.output)
    return 0
