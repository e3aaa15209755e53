"""What one call needs, resolved from command-line options and the settings file: the lexicon,
the names for the greeting, and (if available) the semantic detector."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from assist.config import Config, load_config
from assist.engine.coach import SemanticDetector
from assist.engine.lexicon import Lexicon, load_lexicon

_notified = False


@dataclass
class CallSettings:
    lexicon: Lexicon
    company: str | None
    agent_name: str | None
    config: Config


def call_settings(args: argparse.Namespace, config: Config | None = None) -> CallSettings:
    cfg = config or load_config()
    lex = load_lexicon(getattr(args, "lexicon", None) or cfg.lexicon or "en")
    company = getattr(args, "company", None) or cfg.company or None
    agent = getattr(args, "agent_name", None) or cfg.agent_name or None
    return CallSettings(lex, company, agent, cfg)


def load_semantic(lexicon: Lexicon, args: argparse.Namespace | None = None, *, quiet: bool = False) -> SemanticDetector | None:
    """The semantic detector, or None (lexical only) — said once on stderr when the model is missing."""
    global _notified
    if args is not None and getattr(args, "no_semantic", False):
        return None
    try:
        from assist.engine.semantic import load_detector
    except ImportError:
        return None
    det, why = load_detector(lexicon)
    if det is None and why and not quiet and not _notified:
        _notified = True
        print(f"assist: lexical rules only — {why}", file=sys.stderr)
    return det
