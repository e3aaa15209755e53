"""`assist roleplay` — not built yet (see the issues)."""

from __future__ import annotations

import argparse
from typing import Any

from assist.errors import AssistError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("roleplay", parents=[common], help="(not built yet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    raise AssistError("'assist roleplay' is not built yet")
