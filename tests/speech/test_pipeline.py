"""The call pipeline on real audio: the update contract the TUI relies on, stop/pause, and errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assist.engine.lexicon import load_lexicon
from assist.errors import DeviceError, InputError
from assist.pipeline import Update, file_pipeline, mic_pipeline
from tests.speech.calls import short_call, streaming_run

pytestmark = pytest.mark.slow


def _pipe(updates: list[Update], realtime: bool, speed: float = 1.0) -> object:
    return file_pipeline(short_call(), updates.append, realtime=realtime, speed=speed, lexicon=load_lexicon("en"),
                         company="Acme", agent_name="Dana", semantic=None)


def test_updates_follow_the_contract() -> None:
    updates, report = streaming_run()  # shared with tests/ui/test_fake_parity.py
    kinds = [u.kind for u in updates]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert updates[0].data["engine"] == "whisper" and updates[0].data["realtime"] is False
    assert updates[-1].data["report"] is report
    assert {"partial", "final", "event", "level", "position"} <= set(kinds)
    pos = [u.data["t"] for u in updates if u.kind == "position"]
    assert pos == sorted(pos) and pos[-1] == pytest.approx(report["call"]["duration_s"], abs=0.3)
    finals = [u.utterance for u in updates if u.kind == "final" and u.utterance]
    assert [u.speaker for u in finals] == ["agent", "customer"]
    cats = {(e["speaker"], e["category"]) for e in report["events"]}
    assert ("agent", "starts-with-no") in cats and ("customer", "customer-frustration") in cats
    levels = [u.data for u in updates if u.kind == "level"]
    assert all(0.0 <= v <= 1.0 for d in levels for v in d.values())


def test_stop_ends_a_paced_call_early() -> None:
    updates: list[Update] = []
    pipe = _pipe(updates, realtime=True)

    def stopper() -> None:
        while not any(u.kind == "position" and u.data["t"] >= 1.0 for u in list(updates)):
            time.sleep(0.05)
        pipe.stop()  # type: ignore[attr-defined]

    th = threading.Thread(target=stopper, daemon=True)
    th.start()
    t0 = time.monotonic()
    report = pipe.run()  # type: ignore[attr-defined]
    assert time.monotonic() - t0 < 5.0  # the call is 7 s long: it really stopped
    assert updates[-1].kind == "end" and report["call"]["duration_s"] < 4.0


def test_pause_holds_the_audio_and_resume_continues() -> None:
    updates: list[Update] = []
    pipe = _pipe(updates, realtime=True, speed=2.0)
    th = threading.Thread(target=pipe.run, daemon=True)  # type: ignore[attr-defined]
    th.start()
    while not any(u.kind == "position" for u in list(updates)):
        time.sleep(0.02)
    pipe.pause()  # type: ignore[attr-defined]
    time.sleep(0.5)  # let what was already read drain
    before = pipe.position  # type: ignore[attr-defined]
    time.sleep(1.0)
    assert pipe.position == pytest.approx(before, abs=0.25)  # type: ignore[attr-defined]
    pipe.resume()  # type: ignore[attr-defined]
    th.join(timeout=60)
    assert not th.is_alive() and updates[-1].kind == "end"


def test_bad_file_raises_input_error_before_audio_flows(tmp_path: Path) -> None:
    seen: list[Update] = []
    with pytest.raises(InputError, match="no such file"):
        file_pipeline(tmp_path / "missing.ogg", seen.append)
    bad = tmp_path / "bad.ogg"
    bad.write_bytes(b"OggS" + bytes(500))
    with pytest.raises(InputError, match="cannot decode"):
        file_pipeline(bad, seen.append)
    assert seen == []


def test_mic_pipeline_without_devices_is_a_one_line_device_error() -> None:
    from assist.speech.devices import list_inputs

    try:
        if list_inputs():
            pytest.skip("this machine has an audio input device")
    except DeviceError:
        pass  # no PortAudio host at all: also what mic_pipeline must report
    with pytest.raises(DeviceError) as e:
        mic_pipeline(lambda u: None)
    msg = str(e.value)
    assert "\n" not in msg and ("--source FILE" in msg or "install" in msg)
