"""`assist roleplay [SCENARIO]` — practise a call with a scripted customer, coached and scored live.

`--list` lists the scenarios; `--responses FILE` plays the trainee's lines from a file (one per turn,
for trainers and tests); without it the TUI opens.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assist.errors import InputError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("roleplay", parents=[common], help="practise a call with a scripted customer",
                       description="Role-play a support call: the tool plays the customer and coaches you. "
                                   "Scenarios: lexicon/scenarios/*.toml (format: docs/roleplay.md).")
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario id (see --list) or a .toml file")
    p.add_argument("--list", action="store_true", help="list the scenarios")
    p.add_argument("--responses", metavar="FILE",
                   help="play with the trainee's lines from FILE, one per turn (the first one picks up the phone)")
    p.add_argument("--format", choices=("json", "md", "text"), help="output format (default: text)")
    p.add_argument("-o", "--output", metavar="PATH", help="write to a file instead of standard output")
    p.add_argument("--scenario-dir", metavar="DIR", help="a folder of scenario files (default: the shipped ones)")
    p.add_argument("--voice", action=argparse.BooleanOptionalAction, default=True,
                   help="speak the customer's lines with espeak-ng when an audio output exists (default: on)")
    p.add_argument("--mic", action=argparse.BooleanOptionalAction, default=True,
                   help="in the TUI, also take spoken answers when a microphone exists (default: on)")
    p.add_argument("--save", action=argparse.BooleanOptionalAction, default=None,
                   help="save to the call history (default: on in the TUI, off with --responses)")
    p.add_argument("--db", metavar="URL", help="call history: SQLAlchemy URL or SQLite file (default: settings, else data dir)")
    p.set_defaults(func=run)


def read_responses(path: str) -> list[str]:
    """One answer per non-empty line; lines starting with '#' are notes for the trainer."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", p)
    if p.is_dir():
        raise InputError("is a directory, not a responses file", p)
    raw = p.read_bytes()
    if b"\x00" in raw[:8192]:
        raise InputError("binary file, expected text with one answer per line", p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError("not valid UTF-8 text", p, raw[: e.start].count(b"\n") + 1) from None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if not lines:
        raise InputError("no answers: expected one line per turn", p)
    return lines


def _folder(args: argparse.Namespace) -> Path | None:
    if not args.scenario_dir:
        return None
    d = Path(args.scenario_dir)
    if not d.is_dir():
        raise InputError("no such folder", d)
    return d


def _write(text: str, output: str | None) -> None:
    from assist.commands.analyze import write_output

    write_output(text, output)


def run(args: argparse.Namespace) -> int:
    from assist.roleplay.scenario import list_scenarios, load_scenario

    folder = _folder(args)
    if args.list:
        scs = list_scenarios(folder)
        if args.format == "json":
            _write(json.dumps([{"id": s.id, "title": s.title, "language": s.language, "mood": s.persona.mood,
                                "goals": s.goals} for s in scs], indent=2, ensure_ascii=False) + "\n", args.output)
        else:
            _write("".join(f"{s.id:<24} {s.language}  {s.title}\n" for s in scs), args.output)
        return 0
    if not args.scenario:
        raise InputError("give a SCENARIO (see 'assist roleplay --list')")
    scenario = load_scenario(args.scenario, folder)
    if args.responses:
        return _scripted(args, scenario)
    if args.format:
        raise InputError("--format needs --responses FILE (the TUI offers a Markdown export at the end)")
    from assist.ui.roleplay_screen import run_tui

    return run_tui(args, scenario)


def _scripted(args: argparse.Namespace, scenario: Any) -> int:
    from assist.config import load_config
    from assist.roleplay import play_scripted, scenario_lexicon
    from assist.roleplay.debrief import improvement, previous_attempts, save_attempt, to_markdown
    from assist.session import load_semantic

    answers = read_responses(args.responses)
    cfg = load_config()
    lexicon = scenario_lexicon(scenario, args.lexicon)
    agent = args.agent_name or cfg.agent_name or None
    semantic = load_semantic(lexicon, args)
    report = play_scripted(scenario, answers, lexicon, agent_name=agent, company=args.company, semantic=semantic)
    report["call"]["source"] = str(args.responses)
    report["improvement"] = improvement(report, previous_attempts(scenario.id, agent, args.db or cfg.db_url))
    if args.save:
        report["saved_id"] = save_attempt(report, agent, args.db or cfg.db_url)
    if args.format == "json":
        _write(json.dumps(report, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "md":
        _write(to_markdown(report), args.output)
    else:
        rp = report["roleplay"]
        out = [f"{rp['title']}: score {report['score']}/100 — {rp['outcome_text']}"]
        for t in rp["turns"]:
            out.append(f"  you: {t['answer']}")
            for f in t["flags"]:
                out.append(f"    ! {f['category']}: “{f['match']}” → {f['suggestion']}")
            if t.get("customer_line"):
                out.append(f"  {rp['persona']} ({t['reaction']}): {t['customer_line']}")
        out.append("  goals: " + ", ".join(f"{k} {v.get('status')}" for k, v in rp["goals"].items()))
        _write("\n".join(out) + "\n", args.output)
    return 0
