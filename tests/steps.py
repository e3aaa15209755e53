"""Counting interpreted steps: a deterministic stand-in for timing when a test must show that work
grows linearly with the input (timed assertions are flaky on a shared machine; step counts are not)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any


def count_steps(fn: Callable[[], Any]) -> int:
    """Python line events executed while `fn()` runs (C code counts as one step per call)."""
    n = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal n
        n += 1
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(old)
    return n


def growth(fn: Callable[[int], Any], small: int, factor: int = 4) -> float:
    """How many times more steps `fn(small * factor)` takes than `fn(small)`: about `factor` for
    linear work, about `factor ** 2` for quadratic."""
    a = count_steps(lambda: fn(small))
    b = count_steps(lambda: fn(small * factor))
    return b / a
