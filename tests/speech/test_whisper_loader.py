"""Whisper models load on one long-lived thread (unit test: a fake WhisperModel records its thread).

A CTranslate2 model decodes 2.5-4x slower once the thread that loaded it has ended, and the model
cache shares a model across threads and calls: a model first loaded on a short-lived thread would
stay slow for the rest of the process (see whisper_asr._Loader)."""

from __future__ import annotations

import threading
import types
from typing import Any

import pytest

from assist.speech import whisper_asr


class _FakeModel:
    loaded_on: list[threading.Thread] = []

    def __init__(self, path: str, **kw: Any) -> None:
        if path.endswith("broken"):
            raise OSError("no model.bin")
        _FakeModel.loaded_on.append(threading.current_thread())


@pytest.fixture
def fake_whisper(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    mod = types.ModuleType("faster_whisper")
    mod.WhisperModel = _FakeModel  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "faster_whisper", mod)
    monkeypatch.setattr(whisper_asr, "_MODELS", {})
    _FakeModel.loaded_on = []
    return _FakeModel.loaded_on


def _on_short_thread(fn: Any) -> Any:
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


def test_a_model_asked_for_on_a_short_lived_thread_is_loaded_on_the_long_lived_loader(
        fake_whisper: list[threading.Thread]) -> None:
    a = _on_short_thread(lambda: whisper_asr.load_whisper("/models/a"))
    b = _on_short_thread(lambda: whisper_asr.load_whisper("/models/b"))
    assert isinstance(a, _FakeModel) and isinstance(b, _FakeModel)
    assert len(fake_whisper) == 2
    # both loads ran on the same thread, and it outlives the threads that asked
    assert fake_whisper[0] is fake_whisper[1]
    assert fake_whisper[0].is_alive()
    assert fake_whisper[0] is not threading.current_thread()
    # cached: asking again (from here) loads nothing and returns the same model
    assert whisper_asr.load_whisper("/models/a") is a
    assert len(fake_whisper) == 2


def test_a_loading_error_reaches_the_caller(fake_whisper: list[threading.Thread]) -> None:
    with pytest.raises(OSError, match="no model.bin"):
        whisper_asr.load_whisper("/models/broken")
    assert whisper_asr.load_whisper("/models/ok") is not None  # the loader survives an error


@pytest.mark.parametrize(("env", "seed"), [(None, whisper_asr.WHISPER_SEED), ("77", 77), ("not a number", 1)])
def test_the_sampler_is_seeded_before_the_model_loads(fake_whisper: list[threading.Thread],
                                                      monkeypatch: pytest.MonkeyPatch, env: str | None,
                                                      seed: int) -> None:
    """Whisper's temperature fallback samples; unseeded, CTranslate2 takes its seed from the OS and
    a replay of the same call gave another transcript each time (docs/speech.md, "Replay cost").
    The seed must be set before the model (and its threads) exist."""
    import ctranslate2

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(ctranslate2, "set_random_seed", lambda s: calls.append((s, len(fake_whisper))))
    if env is None:
        monkeypatch.delenv("ASSIST_WHISPER_SEED", raising=False)
    else:
        monkeypatch.setenv("ASSIST_WHISPER_SEED", env)
    whisper_asr.load_whisper("/models/a")
    assert calls == [(seed, 0)]  # seeded, and before any model was made
