"""The coach in parts (see coach.py for the map): `Coach` follows one call, `CoachRun` drives it,
`analyze_utterances` scores a finished transcript."""

from __future__ import annotations

from assist.engine.coach.coach import Coach, SemanticDetector, SemanticHit
from assist.engine.coach.report import SCHEMA
from assist.engine.coach.run import CoachRun, analyze_utterances

__all__ = ["SCHEMA", "Coach", "CoachRun", "SemanticDetector", "SemanticHit", "analyze_utterances"]
