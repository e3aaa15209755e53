"""Role-play for trainers: a scripted customer that reacts to the trainee, scored by the same coach
as a live call. `scenario` (data + validation), `dialogue` (the customer), `debrief` (score, history,
Markdown). No UI here: assist/ui/roleplay_screen.py renders it."""

from __future__ import annotations

from typing import Any

from assist.engine.coach import SemanticDetector
from assist.engine.lexicon import Lexicon, load_lexicon
from assist.errors import InputError
from assist.roleplay.debrief import build_report, improvement, to_markdown
from assist.roleplay.dialogue import RolePlay, Turn
from assist.roleplay.scenario import Scenario, list_scenarios, load_scenario


def scenario_lexicon(scenario: Scenario, override: str | None = None, lexicon: Lexicon | None = None) -> Lexicon:
    """The lexicon a scenario is coached with: `--lexicon` if given, else the scenario's own (or
    `lexicon`, already loaded from one of those). A lexicon in another language would judge every
    answer as clean: refused."""
    lex = lexicon if lexicon is not None else load_lexicon(override or scenario.lexicon)
    if lex.language != scenario.language:
        raise InputError(f"scenario {scenario.id!r} is in {scenario.language!r} but lexicon {lex.path.name} is "
                         f"{lex.language!r}", override or scenario.path)
    return lex


def play_scripted(scenario: Scenario, answers: list[str], lexicon: Lexicon, *, agent_name: str | None = None,
                  company: str | None = None, semantic: SemanticDetector | None = None) -> dict[str, Any]:
    """Play the scenario with the given answers (one per turn) and return the debrief report."""
    rp = RolePlay(scenario, lexicon, agent_name=agent_name, company=company, semantic=semantic)
    rp.play(answers)
    return build_report(rp, agent_name=agent_name)


__all__ = ["RolePlay", "Turn", "Scenario", "list_scenarios", "load_scenario", "scenario_lexicon", "play_scripted",
           "build_report", "improvement", "to_markdown"]
