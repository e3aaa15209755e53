"""Whole-file commands hold glibc to one malloc arena (peak memory of a replay, issue 17); live
paths keep glibc's default (their latency was measured with it)."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import pytest

from assist import cli


class _Libc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return 1


@pytest.fixture
def libc(monkeypatch: pytest.MonkeyPatch) -> _Libc:
    fake = _Libc()

    def cdll(name: str, *a: Any, **k: Any) -> _Libc:
        assert name == "libc.so.6"
        return fake

    monkeypatch.setattr(ctypes, "CDLL", cdll)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    return fake


@pytest.mark.parametrize("argv", [["replay", "call.wav", "--format", "json"], ["batch", "calls/"]])
def test_whole_file_commands_use_one_arena(libc: _Libc, argv: list[str]) -> None:
    cli._few_malloc_arenas(argv)
    assert libc.calls == [(-8, 1)]  # M_ARENA_MAX


@pytest.mark.parametrize("argv", [["replay", "call.wav", "--realtime"], ["live"], ["roleplay"], []])
def test_live_paths_keep_the_default(libc: _Libc, argv: list[str]) -> None:
    cli._few_malloc_arenas(argv)
    assert libc.calls == []


def test_the_user_s_setting_wins(libc: _Libc, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    cli._few_malloc_arenas(["replay", "call.wav"])
    assert libc.calls == []
