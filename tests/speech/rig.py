"""The device rig for tests: a private PulseAudio server with two null sinks whose monitors are the
ALSA inputs `agent_mic` and `customer_line` (scripts/device-rig.sh, which people use too).

    def test_x(device_rig: Rig) -> None:          # import device_rig into the test module
        device_rig.play(stereo)                    # left -> agentmic, right -> softphone (paplay)
        device_rig.unplug("softphone")             # the customer's device disappears

Module-scoped: one server per test module, gone after it — other tests check what happens on a
machine with NO audio device, and must not see the rig's. The environment (PULSE_SERVER,
ALSA_CONFIG_PATH) is set for this process and restored after; PortAudio lists devices again both times. Without
pulseaudio/paplay the tests skip — which CI (ASSIST_REQUIRE_ALL=1) fails: scripts/setup-system.sh
installs them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "device-rig.sh"
RATE = 16000
AGENT_SINK, CUSTOMER_SINK = "agentmic", "softphone"
AGENT_DEV, CUSTOMER_DEV = "agent_mic", "customer_line"
IDLE_S = 60  # a test run killed before its clean-up leaves no server behind for long


@dataclass
class Rig:
    dir: Path
    env: dict[str, str]
    players: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def sh(self, *args: str) -> str:
        env = {**os.environ, **self.env, "ASSIST_RIG_IDLE_S": str(IDLE_S)}
        out = subprocess.run(["bash", str(SCRIPT), *args], env=env, check=True,
                             capture_output=True, text=True, timeout=30)
        return out.stdout

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], env={**os.environ, **self.env}, check=True, capture_output=True,
                              text=True, timeout=10).stdout

    def play(self, stereo: np.ndarray, rate: int = RATE) -> None:
        """A stereo call (agent left, customer right) into the two sinks, as a softphone and a
        headset would deliver it; returns at once (see `wait`)."""
        for ch, sink in ((0, AGENT_SINK), (1, CUSTOMER_SINK)):
            wav = self.dir / f"play-{sink}.wav"
            sf.write(wav, stereo[:, ch], rate)
            self.players.append(subprocess.Popen(["paplay", f"--device={sink}", str(wav)],
                                                 env={**os.environ, **self.env}))

    def wait(self, timeout: float = 120.0) -> None:
        for p in self.players:
            p.wait(timeout=timeout)
        self.players.clear()

    def unplug(self, sink: str) -> None:
        """The device disappears: its sink's module is unloaded (the server rescues no stream)."""
        self.sh("unplug", sink)

    def reset(self) -> None:
        """The server up (it leaves after IDLE_S without a client) and both sinks present again
        (after a test that unplugged one)."""
        for p in self.players:
            p.kill()
        self.players.clear()
        self.sh("start", str(self.dir))
        sinks = self.pactl("list", "short", "sinks")
        for sink in (AGENT_SINK, CUSTOMER_SINK):
            if f"\t{sink}\t" not in sinks:
                module = self.pactl("load-module", "module-null-sink", f"sink_name={sink}").strip()
                (self.dir / f"{sink}.module").write_text(module + "\n")


def start_rig() -> Rig:
    missing = [t for t in ("pulseaudio", "pactl", "paplay", "sox") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"device rig needs {', '.join(missing)} (scripts/setup-system.sh installs them)")
    d = Path(tempfile.mkdtemp(prefix="assist-rig-"))
    out = subprocess.run(["bash", str(SCRIPT), "start", str(d)], check=True, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "ASSIST_RIG_IDLE_S": str(IDLE_S)}).stdout
    env = {}
    for line in out.splitlines():
        k, _, v = line.removeprefix("export ").partition("=")
        env[k] = v.strip("'")
    return Rig(d, env)


@pytest.fixture(scope="module")
def device_rig() -> Iterator[Rig]:
    from assist.speech.devices import rescan

    rig = start_rig()
    saved = {k: os.environ.get(k) for k in rig.env}
    os.environ.update(rig.env)
    try:
        rescan()
        yield rig
    finally:
        for p in rig.players:
            p.kill()
        subprocess.run(["bash", str(SCRIPT), "stop", str(rig.dir)], env={**os.environ, **rig.env}, timeout=30,
                       check=False)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        with contextlib.suppress(Exception):  # no audio system left: the next test needing one says so
            rescan()


@pytest.fixture
def fresh_rig(device_rig: Rig) -> Iterator[Rig]:
    """The session's rig with both sinks present, and nothing left playing after the test."""
    device_rig.reset()
    yield device_rig
    device_rig.reset()
