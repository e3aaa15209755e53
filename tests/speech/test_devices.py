"""The live device source (assist.speech.sources.MicSource) on the PulseAudio rig: real devices through
PortAudio and the ALSA pulse plugin, tones played with paplay.

A tone is the check of the audio path: a wrong resampling ratio moves its pitch and stretches its
length, a wrong channel split puts one side's pitch on the other. Seconds per test, no models.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from assist.errors import DeviceError
from assist.speech.devices import find_input
from assist.speech.sources import MicSource
from tests.speech.rig import AGENT_DEV, CUSTOMER_DEV, CUSTOMER_SINK, RATE, Rig, device_rig, fresh_rig  # noqa: F401


def tone(freq: float, secs: float, rate: int = RATE, lead: float = 0.3) -> np.ndarray:
    t = np.arange(int(secs * rate)) / rate
    x = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    pad = np.zeros(int(lead * rate), dtype=np.float32)
    return np.concatenate([pad, x, pad])


def record(src: MicSource, secs: float, timeout: float = 30.0) -> dict[str, np.ndarray]:
    """`secs` of audio as the source hands it over (devices take a moment to start delivering)."""
    got: dict[str, list[np.ndarray]] = {sp: [] for sp in src.speakers}
    end = time.monotonic() + timeout
    for t, block in src.blocks():
        for sp, x in block.items():
            got[sp].append(x)
        if t >= secs or time.monotonic() > end:
            break
    return {sp: np.concatenate(v) for sp, v in got.items()}


def pitch(x: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * RATE / len(x))


def loud_s(x: np.ndarray) -> float:
    frames = x[: len(x) // 160 * 160].reshape(-1, 160)
    return float((np.sqrt((frames ** 2).mean(axis=1)) > 0.05).sum() * 0.01)


@pytest.mark.parametrize("rate", [48000, 44100])
def test_device_rates_are_resampled_to_16k(fresh_rig: Rig, rate: int) -> None:  # noqa: F811
    src = MicSource(AGENT_DEV, CUSTOMER_DEV, rate=rate)
    try:
        assert {i.rate for i in src.inputs} == {rate}
        src.start()
        fresh_rig.play(np.stack([tone(1000, 1.0), tone(1500, 1.0)], axis=1))
        got = record(src, 3.0)
    finally:
        src.close()
    assert abs(pitch(got["agent"]) - 1000) < 20, pitch(got["agent"])
    assert abs(pitch(got["customer"]) - 1500) < 20, pitch(got["customer"])
    assert 0.85 <= loud_s(got["agent"]) <= 1.15, loud_s(got["agent"])  # the length is kept: the ratio is right


def test_one_stereo_device_is_split_left_agent_right_customer(fresh_rig: Rig) -> None:  # noqa: F811
    # the softphone sink is stereo: what goes to its left is the agent, its right the customer
    swapped = MicSource(CUSTOMER_DEV, CUSTOMER_DEV, swap=True)
    swapped.close()
    assert swapped.inputs[0].route == {"customer": 0, "agent": 1}
    src = MicSource(CUSTOMER_DEV, CUSTOMER_DEV)
    try:
        assert len(src.inputs) == 1 and src.speakers == ("agent", "customer")
        src.start()
        wav = np.stack([tone(700, 1.0), tone(1300, 1.0)], axis=1)
        import soundfile as sf

        path = fresh_rig.dir / "stereo.wav"
        sf.write(path, wav, RATE)
        fresh_rig.pactl("upload-sample", str(path), "stereo_call")
        fresh_rig.pactl("play-sample", "stereo_call", CUSTOMER_SINK)
        got = record(src, 3.0)
    finally:
        src.close()
    assert abs(pitch(got["agent"]) - 700) < 20 and abs(pitch(got["customer"]) - 1300) < 20


def test_devices_by_part_of_the_name(device_rig: Rig) -> None:  # noqa: F811
    assert find_input("agent").name == AGENT_DEV
    assert find_input("LINE").name == CUSTOMER_DEV
    with pytest.raises(DeviceError, match="several"):
        find_input("_")  # agent_mic and customer_line
    with pytest.raises(DeviceError, match="no input device matching"):
        find_input("no such headset")


def test_levels_and_a_device_that_disappears(fresh_rig: Rig) -> None:  # noqa: F811
    notices: list[str] = []
    levels: list[dict[str, float]] = []
    src = MicSource(AGENT_DEV, CUSTOMER_DEV)
    src.attach(notice=notices.append, levels=lambda lv: levels.append(dict(lv)))
    try:
        src.start()
        agent = tone(1000, 4.0)
        customer = np.zeros_like(agent)
        customer[: len(tone(1500, 1.0))] = tone(1500, 1.0)
        fresh_rig.play(np.stack([agent, customer], axis=1))
        got: dict[str, list[np.ndarray]] = {"agent": [], "customer": []}
        unplugged = threading.Event()
        end = time.monotonic() + 30.0
        for t, block in src.blocks():
            for sp, x in block.items():
                got[sp].append(x)
            if not unplugged.is_set() and len(got["agent"]) >= 20:  # 2 s in: the customer's device goes
                fresh_rig.unplug(CUSTOMER_SINK)
                unplugged.set()
            if t >= 6.0 or time.monotonic() > end:
                break
    finally:
        src.close()
    assert any("customer device" in n and "stopped" in n and "goes on with the agent" in n for n in notices), notices
    heard = np.concatenate(got["agent"])
    # the agent's side went on after the customer's device went: the tone's 4 s are all there
    assert loud_s(heard) >= 3.6, loud_s(heard)
    assert any(v.get("agent", 0) > 0.1 for v in levels) and any(v.get("customer", 0) > 0.1 for v in levels)
