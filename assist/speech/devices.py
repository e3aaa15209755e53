"""Audio devices through sounddevice (PortAudio): the one place that probes them.

`list_inputs()` backs `assist devices`; `require_input()` is the check before a live screen opens;
`output_available()` says whether a sound can be played (replay audio, the role-play customer's
voice). `MicSource` is the live call's audio source: the agent's device and, optionally, a second
device carrying the customer's side (softphone output, loopback). Every failure is an
assist.errors.DeviceError with one line saying what to install or which flag to pass — a machine
with no sound card (a CI box, a server) must get that, never a traceback.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from assist.errors import DeviceError
from assist.speech.audio import RATE

NO_DEVICE_HINT = "connect a microphone, or play a recording through the live pipeline with --source FILE"


@dataclass
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: float
    is_default: bool = False


def _sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as e:  # the module is installed but the PortAudio library is not
        raise DeviceError("PortAudio library not found: install it (Debian/Ubuntu: apt install libportaudio2; "
                          f"macOS: brew install portaudio), or use --source FILE ({e})") from None
    except ImportError:
        raise DeviceError("sounddevice is not installed: pip install sounddevice, or use --source FILE") from None
    return sd


def list_inputs() -> list[InputDevice]:
    """Every device that can record; an empty list when there is none."""
    sd = _sounddevice()
    try:
        devs = sd.query_devices()
    except Exception as e:  # PortAudioError when the host has no audio system at all
        raise DeviceError(f"cannot list audio devices ({e}): {NO_DEVICE_HINT}") from None
    try:
        default_in = int(sd.default.device[0])
    except Exception:
        default_in = -1
    out = []
    for i, d in enumerate(devs):
        if int(d.get("max_input_channels", 0)) > 0:
            out.append(InputDevice(i, str(d["name"]), int(d["max_input_channels"]),
                                   float(d.get("default_samplerate", RATE)), i == default_in))
    return out


def require_input() -> None:
    """A live call needs a microphone: DeviceError (one line) when there is none."""
    if not list_inputs():
        raise DeviceError("no microphone found (no audio input device); use --source FILE to play a recording")


def output_available() -> tuple[bool, str]:
    """Whether a sound can be played here, and why not when it cannot."""
    try:
        sd = _sounddevice()
        devs = sd.query_devices()
    except Exception:  # no PortAudio, or no audio system at all (a server, a container)
        return False, "no audio output on this machine"
    if not any(int(d.get("max_output_channels", 0)) > 0 for d in devs):
        return False, "no audio output device"
    return True, ""


def find_input(spec: str | int | None) -> InputDevice:
    """A device by index, by (part of) its name, or the default input when `spec` is None."""
    devs = list_inputs()
    if not devs:
        raise DeviceError(f"no audio input device found: {NO_DEVICE_HINT}")
    if spec is None or spec == "":
        return next((d for d in devs if d.is_default), devs[0])
    s = str(spec).strip()
    if s.isdigit():
        for d in devs:
            if d.index == int(s):
                return d
        raise DeviceError(f"no input device number {s}: run `assist devices` to see them")
    hits = [d for d in devs if s.lower() in d.name.lower()]
    if not hits:
        raise DeviceError(f"no input device matching {s!r}: run `assist devices` to see them")
    return hits[0]


class MicSource:
    """Live audio from one or two input devices, in 0.1 s blocks of 16 kHz float32 per speaker.

    Each device records into its own queue from PortAudio's callback thread; `blocks()` pairs them up
    (a missing block of the slower device is silence, so one stalled device cannot stop the call).
    """

    realtime = True

    def __init__(self, agent_device: str | int | None = None, customer_device: str | int | None = None,
                 block_s: float = 0.1) -> None:
        sd = _sounddevice()
        self.devices = {"agent": find_input(agent_device)}
        if customer_device not in (None, ""):
            self.devices["customer"] = find_input(customer_device)
        self.speakers = tuple(self.devices)
        self.name = " + ".join(f"{sp}: {d.name}" for sp, d in self.devices.items())
        self.block = int(block_s * RATE)
        self._queues: dict[str, queue.Queue[np.ndarray]] = {sp: queue.Queue() for sp in self.devices}
        self._closed = threading.Event()
        self._streams: list[Any] = []
        try:
            for sp, dev in self.devices.items():
                self._streams.append(sd.InputStream(device=dev.index, channels=1, samplerate=RATE, dtype="float32",
                                                    blocksize=self.block, callback=self._callback(sp)))
        except Exception as e:
            self.close()
            raise DeviceError(f"cannot open input device ({e}): check `assist devices`, or use --source FILE") from None

    def _callback(self, speaker: str) -> Any:
        q = self._queues[speaker]

        def cb(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            q.put(indata[:, 0].copy())

        return cb

    def blocks(self) -> Iterator[tuple[float, dict[str, np.ndarray]]]:
        for s in self._streams:
            s.start()
        t = 0.0
        while not self._closed.is_set():
            try:
                first = self._queues[self.speakers[0]].get(timeout=0.5)
            except queue.Empty:
                continue
            block = {self.speakers[0]: first}
            for sp in self.speakers[1:]:
                try:
                    block[sp] = self._queues[sp].get(timeout=0.2)
                except queue.Empty:
                    block[sp] = np.zeros(len(first), dtype=np.float32)
            yield t, block
            t += len(first) / RATE

    def close(self) -> None:
        self._closed.set()
        for s in self._streams:
            try:
                s.stop()
                s.close()
            except Exception:
                pass  # closing a stream that never started, or whose device vanished
        self._streams = []
