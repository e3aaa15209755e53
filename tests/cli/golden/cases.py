"""The golden cases: the JSON reports of `assist analyze` and `assist replay` recorded before the
architecture reshape (issue 12), so any behaviour change shows up as a diff.

Regenerate (only when a report is meant to change, and say why in the commit):
    ASSIST_CONFIG=/nonexistent PYTHONPATH=$PWD python3 -m tests.cli.golden.cases
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parents[2]

NAMES = ("--company", "Acme", "--agent-name", "Dana")
HE_ROLEPLAY = ("he-double-billing.bad", "he-double-billing.good", "he-outage-callback.bad")


def analyze_cases() -> dict[str, list[str]]:
    """golden file stem -> argv after `assist analyze`."""
    cases: dict[str, list[str]] = {}
    for name in ("demo-call", "support-call"):
        src = f"examples/{name}.txt"
        for named, extra in (("plain", ()), ("named", NAMES)):
            for sem in ("nosem", "sem"):
                flags = ["--no-semantic"] if sem == "nosem" else []
                cases[f"analyze-{name}-{named}-{sem}"] = [src, *extra, *flags, "--format", "json"]
    # Paraphrases the rules miss, so the semantic detector's merge is covered too.
    for sem in ("nosem", "sem"):
        flags = ["--no-semantic"] if sem == "nosem" else []
        cases[f"analyze-paraphrase-call-{sem}"] = ["tests/cli/golden/paraphrase-call.txt", "--company", "Globex",
                                                   "--agent-name", "Sam", *flags, "--format", "json"]
    for stem in HE_ROLEPLAY:
        cases[f"analyze-{stem}"] = [f"tests/roleplay/data/{stem}.txt", "--lexicon", "he", "--company", "סלקום",
                                    "--agent-name", "דנה", "--format", "json"]
    return cases


def replay_cases() -> dict[str, list[str]]:
    base = ["examples/demo-call.ogg", "--format", "json", *NAMES]
    return {"replay-demo-call-sem": base, "replay-demo-call-nosem": [*base, "--no-semantic"]}


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["ASSIST_CONFIG"] = str(GOLDEN / "no-such-settings.toml")  # defaults only: no user settings leak in
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def run(command: str, argv: list[str]) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-m", "assist", command, *argv], cwd=ROOT, capture_output=True,
                       text=True, env=env(), timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"assist {command} {' '.join(argv)}: exit {r.returncode}: {r.stderr}")
    report: dict[str, Any] = json.loads(r.stdout)
    return report


# A suggestion names the next business day ("call you back on Thursday"): it depends on the date
# the report is made, not on the code.
_WEEKDAYS = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
                       r"|(?<=ביום )(ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת)")


def strip_volatile(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what legitimately changes run to run: wall-clock latency, timestamps,
    and the weekday a suggestion proposes (today's next business day)."""
    out = json.loads(json.dumps(report))
    for e in out.get("events", []):
        e.pop("latency_s", None)
        if isinstance(e.get("suggestion"), str):
            e["suggestion"] = _WEEKDAYS.sub("<day>", e["suggestion"])
    for key in ("created_at", "analyzed_at"):
        out.get("call", {}).pop(key, None)
    return out


def main() -> None:
    which = sys.argv[1:] or ["analyze", "replay"]
    for command, cases in (("analyze", analyze_cases()), ("replay", replay_cases())):
        if command not in which:
            continue
        for stem, argv in cases.items():
            rep = run(command, argv)
            (GOLDEN / f"{stem}.json").write_text(json.dumps(rep, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                                 encoding="utf-8")
            print(stem, len(rep["utterances"]), "utterances", len(rep["events"]), "events")


if __name__ == "__main__":
    main()
