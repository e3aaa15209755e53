"""`assist devices` — the audio input devices a live call can use (`--agent-device`, `--customer-device`)."""

from __future__ import annotations

import argparse
from typing import Any

from assist.errors import DeviceError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("devices", help="list audio input devices for `assist live`",
                       description="List the input devices (microphones, loopback) that `assist live` can record from.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from assist.speech.devices import NO_DEVICE_HINT, list_inputs

    devs = list_inputs()
    if not devs:
        raise DeviceError(f"no audio input device found: {NO_DEVICE_HINT}")
    print(f"{'#':>3}  {'channels':>8}  {'rate':>6}  name")
    for d in devs:
        mark = " (default)" if d.is_default else ""
        print(f"{d.index:>3}  {d.channels:>8}  {int(d.default_rate):>6}  {d.name}{mark}")
    print("\nUse: assist live --agent-device N [--customer-device M]  (a number or part of the name)")
    return 0
