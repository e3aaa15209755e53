"""`assist roleplay [SCENARIO]` — practise a call with a scripted customer, coached and scored live.

`--list` lists the scenarios; `--responses FILE` plays the trainee's lines from a file (one per turn,
for trainers and tests); without it the TUI opens.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assist.commands.output import add_redact_option, check_output
from assist.errors import InputError

if TYPE_CHECKING:
    from assist.roleplay.scenario import Scenario
    from assist.session.spec import CallSpec


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
    add_redact_option(p)
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
    check_output(args.output)  # before the call is played (and saved): a bad -o is said at once
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
    spec = _spec(args, scenario)
    if args.responses:
        return _scripted(args, scenario, spec)
    if args.format:
        raise InputError("--format needs --responses FILE (the TUI offers a Markdown export at the end)")
    from assist.session.roleplay import RolePlaySession
    from assist.ui.roleplay_screen import run_tui

    session = RolePlaySession(spec, scenario.id, scenario.language, save=args.save is not False)
    return run_tui(session, scenario, voice=args.voice, mic=args.mic)


def _spec(args: argparse.Namespace, scenario: Scenario) -> CallSpec:
    """The call spec of a role-play: the scenario's lexicon and company stand in for the settings'."""
    from assist.commands.options import call_options
    from assist.config import load_config
    from assist.roleplay import scenario_lexicon
    from assist.session.spec import resolve_spec

    spec = resolve_spec(call_options(args, source=None), load_config(), scenario_lexicon=scenario.lexicon,
                        scenario_company=scenario.company)
    scenario_lexicon(scenario, args.lexicon, spec.lexicon)  # a lexicon in another language is refused
    return spec


def _scripted(args: argparse.Namespace, scenario: Scenario, spec: CallSpec) -> int:
    from assist.roleplay import play_scripted
    from assist.roleplay.debrief import improvement, to_markdown
    from assist.session.models import load_semantic
    from assist.session.roleplay import RolePlaySession

    answers = read_responses(args.responses)
    session = RolePlaySession(spec, scenario.id, scenario.language, save=bool(args.save))
    report = play_scripted(scenario, answers, spec.lexicon, agent_name=spec.agent_name, company=spec.company,
                           semantic=load_semantic(spec.lexicon, spec.semantic))
    report["call"]["source"] = str(args.responses)
    previous, problem = session.previous_attempts()
    if problem:
        print(f"assist: call history unavailable ({problem})", file=sys.stderr)
    report["improvement"] = improvement(report, previous)
    lost = None
    if session.save:
        report["saved_id"], lost = session.save_attempt(report)
        if lost:
            print(f"assist: could not save the role-play to the call history ({lost})", file=sys.stderr)
    if spec.redact:  # the debrief as it leaves the program (the history redacts its own copy)
        from assist.roleplay.debrief import redact_debrief

        report = redact_debrief(report)
    if args.format == "json":
        _write(json.dumps(report, indent=2, ensure_ascii=False) + "\n", args.output)
    elif args.format == "md":
        _write(to_markdown(report), args.output)
    else:
        _write(_terminal(_text(report), args.output), args.output)
    return 1 if lost else 0  # the debrief is out; the history did not take it


def _terminal(text: str, output: str | None) -> str:
    """Hebrew lines in visual order when they go to a terminal (see assist/report/summary.py: most
    terminals draw left to right); a file or a pipe gets them as typed. ASSIST_BIDI overrides."""
    from assist.bidi import for_terminal, reorder_output

    to_screen = not output or output == "-"
    if not to_screen or not reorder_output(sys.stdout.isatty()):
        return text
    return for_terminal(text, shutil.get_terminal_size().columns)


def _text(report: dict[str, Any]) -> str:
    rp = report["roleplay"]
    out = [f"{rp['title']}: score {report['score']}/100 — {rp['outcome_text']}"]
    for t in rp["turns"]:
        out.append(f"  you: {t['answer']}")
        for f in t["flags"]:
            out.append(f"    ! {f['category']}: “{f['match']}” → {f['suggestion']}")
        if t.get("customer_line"):
            out.append(f"  {rp['persona']} ({t['reaction']}): {t['customer_line']}")
    out.append("  goals: " + ", ".join(f"{k} {v.get('status')}" for k, v in rp["goals"].items()))
    return "\n".join(out) + "\n"
