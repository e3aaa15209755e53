"""`assist lexicon check PATH` validates a rule file, `test` measures it on a labelled devset,
`show` lists its rules."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("lexicon", help="check or list a lexicon (rule file)")
    s = p.add_subparsers(dest="action", metavar="ACTION")
    c = s.add_parser("check", help="validate a lexicon file; errors name the file, rule and field")
    c.add_argument("path", metavar="PATH|LANG", nargs="+")
    c.set_defaults(func=check)
    t = s.add_parser("test", help="precision/recall of a lexicon on a labelled devset (JSON lines)",
                     description="Feed every devset line of the lexicon's language to a fresh coach and "
                                 "compare the categories that fire with the labels (format: docs/lexicon.md).")
    t.add_argument("path", metavar="PATH|LANG")
    t.add_argument("--devset", metavar="FILE", help="labelled lines (default: tests/data/devset.jsonl)")
    t.add_argument("--errors", action="store_true", help="also list every line predicted wrongly")
    t.set_defaults(func=test)
    sh = s.add_parser("show", help="list the rules of a lexicon")
    sh.add_argument("path", metavar="PATH|LANG", nargs="?", default="en")
    sh.set_defaults(func=show)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def check(args: argparse.Namespace) -> int:
    """Check every file given; one line per file; exit 2 if any is refused (so CI can gate on it)."""
    import sys

    from assist.engine.lexicon import load_lexicon
    from assist.errors import LexiconError

    bad = 0
    for path in args.path:
        try:
            lex = load_lexicon(path)
        except LexiconError as e:
            print(f"assist: {e}", file=sys.stderr)
            bad += 1
            continue
        cats = lex.categories
        n = sum(len(r.sources) for r in lex.rules)
        print(f"{lex.path}: ok — {len(lex.rules)} rules, {n} patterns in {len(cats)} categories ({lex.language})")
    return 2 if bad else 0


def test(args: argparse.Namespace) -> int:
    from assist.engine.evaluate import DEVSET, evaluate, format_table, load_rows
    from assist.engine.lexicon import load_lexicon
    from assist.errors import InputError

    lex = load_lexicon(args.path)
    rows = load_rows(args.devset or DEVSET)
    if not any(r.lang == lex.language for r in rows):
        raise InputError(f"no lines in language {lex.language!r}", args.devset or DEVSET)
    print(format_table(lex.language, evaluate(rows, lex), errors=args.errors))
    return 0


def show(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from assist.engine.lexicon import load_lexicon

    lex = load_lexicon(args.path)
    t = Table(title=f"{lex.path} ({lex.language})")
    # Rule ids are what people grep for and paste into lexicons: never truncate them.
    t.add_column("id", no_wrap=True, min_width=max((len(r.id) for r in lex.rules), default=2))
    for col in ("category", "severity", "position", "patterns"):
        t.add_column(col)
    for r in lex.rules:
        t.add_row(r.id, r.category, r.severity, r.position, str(len(r.sources)))
    Console().print(t)
    return 0
