"""Audio devices through sounddevice (PortAudio): the one place that probes them.

`list_inputs()` backs `assist devices`; `require_input()` is the check before a live screen opens;
`output_available()` says whether a sound can be played (replay audio, the role-play customer's
voice). The live call's audio source, `MicSource`, is in sources.py. Every failure is an
assist.errors.DeviceError with one line saying what to install or which flag to pass — a machine
with no sound card (a CI box, a server) must get that, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def sounddevice_module() -> Any:
    """sounddevice, or a one-line DeviceError saying what to install."""
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
    sd = sounddevice_module()
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
        sd = sounddevice_module()
        devs = sd.query_devices()
    except Exception:  # no PortAudio, or no audio system at all (a server, a container)
        return False, "no audio output on this machine"
    if not any(int(d.get("max_output_channels", 0)) > 0 for d in devs):
        return False, "no audio output device"
    return True, ""


def rescan() -> None:
    """Look for devices again (PortAudio lists them once, when it starts): a headset plugged in, or a
    test rig started, after sounddevice was first imported. Never while a stream is open."""
    sd = sounddevice_module()
    try:
        sd._terminate()
        sd._initialize()
    except Exception as e:
        raise DeviceError(f"cannot list audio devices ({e}): {NO_DEVICE_HINT}") from None


def find_input(spec: str | int | None) -> InputDevice:
    """A device by index, by (part of) its name, or the default input when `spec` is None. A part
    that matches several devices is an error naming them (unless one matches the name exactly)."""
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
    exact = [d for d in devs if d.name.lower() == s.lower()]
    hits = exact or [d for d in devs if s.lower() in d.name.lower()]
    if not hits:
        raise DeviceError(f"no input device matching {s!r}: run `assist devices` to see them")
    if len(hits) > 1:
        names = ", ".join(f"{d.index}: {d.name}" for d in hits)
        raise DeviceError(f"{s!r} matches several input devices ({names}): give more of the name, or the number")
    return hits[0]
