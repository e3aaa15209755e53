#!/usr/bin/env python3
"""Print precision/recall per category of the engine on the labelled devset.

    python3 scripts/accuracy.py                 # both languages, lexical rules
    python3 scripts/accuracy.py --lang en --errors   # also list every row it gets wrong
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assist.engine.evaluate import DEVSET, categories_of, evaluate, load_rows  # noqa: E402
from assist.engine.lexicon import load_lexicon  # noqa: E402
from assist.errors import AssistError  # noqa: E402


def table(lang: str, result: dict) -> str:  # type: ignore[type-arg]
    lines = [f"{'category (' + lang + ')':28} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}"]
    for cat in [*categories_of(result), "overall"]:
        d = result[cat]
        lines.append(f"{cat:28} {d['tp']:4d} {d['fp']:4d} {d['fn']:4d} {d['precision']:6.3f} {d['recall']:6.3f}")
    hn = result["hard_negatives"]
    lines.append(f"{'hard negatives':28} {hn['false_alarms']}/{hn['rows']} false alarms ({hn['rate']:.1%}); "
                 f"{result['rows']} rows")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", action="append", help="language(s) to evaluate (default: all in the devset)")
    ap.add_argument("--devset", default=str(DEVSET))
    ap.add_argument("--lexicon", help="lexicon path (default: the shipped one per language)")
    ap.add_argument("--errors", action="store_true", help="list every row predicted wrongly")
    a = ap.parse_args(argv)
    try:
        rows = load_rows(a.devset)
        langs = a.lang or sorted({r.lang for r in rows})
        for lang in langs:
            lex = load_lexicon(a.lexicon or lang)
            res = evaluate(rows, lex)
            print(table(lang, res))
            if a.errors:
                for e in res["errors"]:
                    print(f"  {e['id']:8} {e['speaker']:8} want={','.join(e['expected']) or '-':22} "
                          f"got={','.join(e['got']) or '-':22} {e['text']}")
            print()
    except AssistError as e:
        print(f"accuracy: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
