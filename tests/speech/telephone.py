"""Telephone-channel calls for the speech tests. The recipe (calls, voices, the sox channel, the
expectations) is scripts/make_telephone_call.py, shared with benchmarks/bench_telephone.py; here it
is only cached: each call is synthesised once per test session, in the session's temp dir, and each
(call, channel) is transcribed and coached once, however many tests look at it.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from types import ModuleType
from typing import Any

from tests.speech.calls import ROOT, workdir

# A handful of calls for CI (each ~35 s of stereo audio): names short, long, multi-word and
# non-English, one greeting without the agent's name, one without any name.
CI_CALLS = ["t00", "t01", "t03", "t04", "t05", "t10", "t21", "t27"]


@functools.cache
def tel() -> Any:
    """scripts/make_telephone_call.py as a module (registered, so its dataclasses resolve)."""
    name = "make_telephone_call"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_telephone_call.py")
    assert spec is not None and spec.loader is not None
    mod: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def calls() -> list[Any]:
    return list(tel().by_id(CI_CALLS))


@functools.cache
def report(call_id: str, channel: str) -> dict[str, Any]:
    """The whole-file report (`assist replay FILE --format json` minus the process: score_recording
    with the call's --company and --agent-name, lexical rules) of one call through one channel."""
    from assist.session.scoring import score_recording
    from tests.speech.calls import spec

    call = tel().by_id(call_id)[0]
    path = tel().write_call(call, workdir() / "telephone", channel)
    return score_recording(spec(path, lexicon="en", company=call.company, agent_name=call.agent, semantic=False),
                           path)


def expectations(call_id: str, channel: str) -> dict[str, bool]:
    call = tel().by_id(call_id)[0]
    times = tel().turn_times(call, workdir() / "telephone")
    return dict(tel().expectations(call, report(call_id, channel), times))
