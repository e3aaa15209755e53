"""`assist history` — the stored calls (newest first), or one call's report with `--show ID`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from assist.errors import InputError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("history", help="list stored calls (live, replay, batch, role-play), or show one",
                       description="List the call history, newest first. --show ID prints that call's report.")
    p.add_argument("--db", metavar="URL", help="call history: SQLAlchemy URL or SQLite file (default: data dir)")
    p.add_argument("--agent", metavar="NAME", help="only this agent's calls")
    p.add_argument("--since", metavar="DATE", help="only calls from this date (YYYY-MM-DD, UTC) on")
    p.add_argument("--kind", choices=("live", "replay", "batch", "roleplay"), help="only calls of this kind")
    p.add_argument("--limit", type=int, metavar="N", help="at most N calls")
    p.add_argument("--show", type=int, metavar="ID", help="print the report of the call with this id")
    p.add_argument("--format", choices=("table", "json", "md", "html"), default="table",
                   help="list: table or json; --show: table (summary), json, md or html")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.add_argument("--embed-audio", action="store_true",
                   help="--show ID --format html: put the recording inside the page (default: linked beside it)")
    p.add_argument("--tui", action="store_true", help="browse the history in the terminal UI (Enter opens a call)")
    p.set_defaults(func=run)


def open_history(url: str | None, *, empty_ok: bool = True) -> Any:
    """The call history for a command that only reads it: never creates a database (issue 14).

    A `--db` (or settings `db_url`) with nothing there is bad input: NoStoreError, one line naming
    it. The default location with nothing stored yet (a fresh install) is not an error: an empty,
    in-memory history stands in, the file it looked for is named on stderr, and nothing is written."""
    from assist.config import load_config
    from assist.store import NoStoreError, open_store, resolve_url

    try:
        return open_store(url, create=False)
    except NoStoreError:
        if url or load_config().db_url or not empty_ok:
            raise
        where = resolve_url(None).removeprefix("sqlite:///")
        print(f"assist: {where}: no calls stored yet", file=sys.stderr)
        store = open_store("sqlite://")  # empty, in memory: the same code path renders "0 calls"
        store.url = resolve_url(None)
        return store


def run(args: argparse.Namespace) -> int:
    from assist.commands.output import check_output, write_output
    from assist.store import parse_since

    check_output(args.output)  # before the database is opened
    since = parse_since(args.since)
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    if args.show is None and args.format in ("md", "html"):
        raise InputError(f"--format {args.format} needs --show ID (the list is table or json)")
    with open_history(args.db, empty_ok=args.show is None) as store:
        if args.tui:
            from assist.ui.history_screen import HistoryApp  # textual only when asked for

            chosen = HistoryApp(store, agent=args.agent).run()
            if chosen:
                return _replay(chosen)
            return 0
        if args.show is not None:
            report = store.get_report(args.show)
            if args.format == "table":
                from assist.report.summary import print_summary

                print_summary(report)
                return 0
            from assist.report import render
            from assist.report.player import report_audio_src

            page = None if args.output in (None, "-") else args.output
            audio = report_audio_src(report, page, embed=args.embed_audio) if args.format == "html" else None
            write_output(render(report, args.format, audio=audio), args.output)
            return 0
        calls = store.list_calls(agent=args.agent, since=since, kind=args.kind, limit=args.limit)
        url = store.url
    if args.format == "json":
        write_output(json.dumps({"db": url, "calls": [c.to_dict() for c in calls]}, indent=2, ensure_ascii=False)
                     + "\n", args.output)
        return 0
    print_table(calls, url)
    return 0


def _replay(path: str) -> int:
    """Open a recording chosen in the history browser in the replay TUI (settings as they are)."""
    from assist.config import load_config
    from assist.session.spec import CallOptions, resolve_spec
    from assist.ui.launch import run_replay

    return run_replay(resolve_spec(CallOptions(source=path), load_config()))


def print_table(calls: list[Any], url: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from assist.timefmt import clock

    t = Table(title=f"{len(calls)} call{'s' if len(calls) != 1 else ''} — {url}", title_justify="left")
    scenarios = any(c.scenario for c in calls)  # the column only when role-play calls are listed
    for col, just in (("id", "right"), ("when (UTC)", "left"), ("kind", "left"), ("agent", "left"),
                      ("source", "left"), ("scenario", "left"), ("score", "right"), ("length", "right")):
        if col == "scenario" and not scenarios:
            continue
        t.add_column(col, justify=just, no_wrap=col in ("when (UTC)", "id", "score", "length"))  # type: ignore[arg-type]
    for c in calls:
        score = "" if c.score is None else str(c.score)
        style = "" if c.score is None else "green" if c.score >= 80 else "yellow" if c.score >= 60 else "red"
        cells = [str(c.id), c.created_at.strftime("%Y-%m-%d %H:%M"), c.kind, c.agent_name or "",
                 (c.source or "").rsplit("/", 1)[-1], *([c.scenario or ""] if scenarios else []),
                 f"[{style}]{score}[/]" if style else score, clock(c.duration_s)]
        t.add_row(*cells)
    Console().print(t)
