"""The call pipeline on real audio: the message contract the TUI relies on, stop/pause, and errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from assist.errors import DeviceError, InputError
from assist.session.call import CallSession
from assist.session.messages import (
    CallEnded,
    CallMessage,
    CallStarted,
    CoachEvent,
    FinalUtterance,
    Levels,
    PartialUtterance,
    Position,
)
from assist.session.pipeline import CallPipeline
from tests.speech.calls import short_call, spec, streaming_run

pytestmark = pytest.mark.slow


def _pipe(messages: list[CallMessage], realtime: bool, speed: float = 1.0) -> CallPipeline:
    s = spec(short_call(), realtime=realtime, speed=speed, company="Acme", agent_name="Dana", semantic=False)
    return CallSession(s).pipeline(messages.append)


def test_messages_follow_the_contract() -> None:
    messages, report = streaming_run()  # shared with tests/ui/test_fake_parity.py
    first, last = messages[0], messages[-1]
    assert isinstance(first, CallStarted) and isinstance(last, CallEnded)
    assert first.engine == "whisper" and first.realtime is False
    assert last.report is report
    assert {PartialUtterance, FinalUtterance, CoachEvent, Levels, Position} <= {type(m) for m in messages}
    pos = [m.t for m in messages if isinstance(m, Position)]
    assert pos == sorted(pos) and pos[-1] == pytest.approx(report["call"]["duration_s"], abs=0.3)
    finals = [m.utterance for m in messages if isinstance(m, FinalUtterance)]
    assert [u.speaker for u in finals] == ["agent", "customer"]
    cats = {(e["speaker"], e["category"]) for e in report["events"]}
    assert ("agent", "starts-with-no") in cats and ("customer", "customer-frustration") in cats
    levels = [m.levels for m in messages if isinstance(m, Levels)]
    assert all(0.0 <= v <= 1.0 for d in levels for v in d.values())


def _reached(messages: list[CallMessage], t: float) -> bool:
    return any(isinstance(m, Position) and m.t >= t for m in list(messages))


def test_stop_ends_a_paced_call_early() -> None:
    messages: list[CallMessage] = []
    pipe = _pipe(messages, realtime=True)

    def stopper() -> None:
        while not _reached(messages, 1.0):
            time.sleep(0.05)
        pipe.stop()

    th = threading.Thread(target=stopper, daemon=True)
    th.start()
    t0 = time.monotonic()
    report = pipe.run()
    assert time.monotonic() - t0 < 5.0  # the call is 7 s long: it really stopped
    assert isinstance(messages[-1], CallEnded) and report["call"]["duration_s"] < 4.0


def test_pause_holds_the_audio_and_resume_continues() -> None:
    messages: list[CallMessage] = []
    pipe = _pipe(messages, realtime=True, speed=2.0)
    th = threading.Thread(target=pipe.run, daemon=True)
    th.start()
    while not _reached(messages, 0.0):
        time.sleep(0.02)
    pipe.pause()
    time.sleep(0.5)  # let what was already read drain
    before = pipe.position
    time.sleep(1.0)
    assert pipe.position == pytest.approx(before, abs=0.25)
    pipe.resume()
    th.join(timeout=60)
    assert not th.is_alive() and isinstance(messages[-1], CallEnded)


def test_bad_file_raises_input_error_before_audio_flows(tmp_path: Path) -> None:
    seen: list[CallMessage] = []
    with pytest.raises(InputError, match="no such file"):
        CallSession(spec(tmp_path / "missing.ogg")).pipeline(seen.append)
    bad = tmp_path / "bad.ogg"
    bad.write_bytes(b"OggS" + bytes(500))
    with pytest.raises(InputError, match="cannot decode"):
        CallSession(spec(bad)).pipeline(seen.append)
    assert seen == []


def test_mic_pipeline_without_devices_is_a_one_line_device_error() -> None:
    from assist.speech.devices import list_inputs

    try:
        if list_inputs():
            pytest.skip("this machine has an audio input device")
    except DeviceError:
        pass  # no PortAudio host at all: also what the microphone pipeline must report
    with pytest.raises(DeviceError) as e:
        CallSession(spec()).pipeline(lambda m: None)
    msg = str(e.value)
    assert "\n" not in msg and ("--source FILE" in msg or "install" in msg)
