#!/usr/bin/env python3
"""Print precision/recall per category of the engine on a labelled set.

    python3 scripts/accuracy.py                 # the devset (tuning data), both languages, lexical rules
    python3 scripts/accuracy.py --heldout       # the held-out set: the figure to publish
    python3 scripts/accuracy.py --lang en --errors   # also list every row it gets wrong

Never fix a rule from the held-out set's errors: that turns it into tuning data. Write new devset
lines for what it reveals instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assist.engine.evaluate import DEVSET, evaluate, format_table, load_rows  # noqa: E402
from assist.engine.lexicon import load_lexicon  # noqa: E402
from assist.errors import AssistError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", action="append", help="language(s) to evaluate (default: all in the devset)")
    ap.add_argument("--devset", default=str(DEVSET))
    ap.add_argument("--heldout", action="store_true", help="tests/data/heldout.jsonl (never tuned on)")
    ap.add_argument("--lexicon", help="lexicon path (default: the shipped one per language)")
    ap.add_argument("--errors", action="store_true", help="list every row predicted wrongly")
    a = ap.parse_args(argv)
    try:
        rows = load_rows(DEVSET.with_name("heldout.jsonl") if a.heldout else a.devset)
        langs = a.lang or sorted({r.lang for r in rows})
        for lang in langs:
            lex = load_lexicon(a.lexicon or lang)
            print(format_table(lang, evaluate(rows, lex), errors=a.errors))
            print()
    except AssistError as e:
        print(f"accuracy: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
