"""Flag latency through audio devices (the PulseAudio rig), beside the file-paced figure.

    python3 benchmarks/bench_device_latency.py [--runs 3]

Each run, in a fresh process: the device rig is started (scripts/device-rig.sh), a live call is
opened on its two devices (`CallSession.prepare()` + `pipeline()`, as `assist live` does), and once
the models are ready the demo call (examples/demo-call.ogg) is played into the sinks with paplay.

- `latency_s` of each flag (as the report has it): from the moment the block holding the flag's last
  word reached the pipeline to the flag — what the paced-file benchmark (bench_speech.py
  --latency-only) measures too;
- the device path in front of that: a 1 kHz tone burst is played through the rig before the call,
  and the time from starting paplay to the block holding the tone's onset reaching the pipeline is
  the device latency (paplay's start, PulseAudio's buffers, the ALSA pulse plugin, PortAudio's
  block). Flag latency through the devices = latency_s + device latency.

Medians over runs; the load average is printed (the machine is shared: figures under load are
higher than on an idle desk).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-call.ogg"
sys.path.insert(0, str(ROOT))


def pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def child() -> dict[str, Any]:
    import numpy as np

    from assist.config import Config
    from assist.session.call import CallSession
    from assist.session.messages import CallMessage
    from assist.session.spec import CallOptions, resolve_spec
    from assist.speech.audio import RATE, load_call
    from assist.speech.devices import rescan
    from tests.speech.rig import AGENT_DEV, CUSTOMER_DEV, start_rig

    rig = start_rig()
    os.environ.update(rig.env)
    try:
        rescan()
        spec = resolve_spec(CallOptions(agent_device=AGENT_DEV, customer_device=CUSTOMER_DEV, company="Acme",
                                        agent_name="Dana", semantic=False), Config())
        session = CallSession(spec)
        session.prepare()
        msgs: list[CallMessage] = []
        pipe = session.pipeline(msgs.append)
        # the device path: a tone burst, from starting paplay to its onset reaching the pipeline
        blocks = pipe.source.blocks()
        tone = np.zeros((int(1.5 * RATE), 2), dtype=np.float32)
        t = np.arange(int(0.3 * RATE)) / RATE
        tone[int(0.5 * RATE):int(0.8 * RATE), 0] = 0.5 * np.sin(2 * np.pi * 1000 * t)
        t_play = time.monotonic()
        rig.play(tone)
        onset = None
        for _t0, block in blocks:
            if np.sqrt(np.mean(block["agent"] ** 2)) > 0.05:
                onset = time.monotonic() - t_play - 0.5  # the burst starts 0.5 s into the file
                break
            if time.monotonic() - t_play > 10:
                break
        rig.wait()
        blocks.close()
        # the call itself, through the pipeline
        audio = load_call(DEMO)
        stereo = np.stack([audio.tracks["agent"], audio.tracks["customer"]], axis=1)
        runner = threading.Thread(target=pipe.run, daemon=True)
        runner.start()
        rig.play(stereo)
        rig.wait(timeout=300)
        time.sleep(3.0)
        pipe.stop()
        runner.join(timeout=120)
        ended = [m for m in msgs if type(m).__name__ == "CallEnded"]
        report = ended[-1].report if ended else {"events": []}  # type: ignore[attr-defined]
        lat = [e["latency_s"] for e in report["events"] if e.get("type") == "flag"
               and isinstance(e.get("latency_s"), float)]
        return {"device_s": onset, "latencies": lat, "flags": sorted({e["category"] for e in report["events"]
                                                                       if e.get("type") == "flag"})}
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "device-rig.sh"), "stop", str(rig.dir)], check=False)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child()))
        return 0
    load0 = round(os.getloadavg()[0], 2)
    dev: list[float] = []
    p50s: list[float] = []
    p95s: list[float] = []
    for i in range(args.runs):
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSIST_CONFIG": "/nonexistent/assist.toml",
               "PYTHONPATH": str(ROOT)}
        r = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, cwd=ROOT, env=env,
                           timeout=900)
        if r.returncode != 0:
            raise SystemExit(f"run {i + 1} failed: {r.stderr.strip()[-800:]}")
        res = json.loads(r.stdout.strip().splitlines()[-1])
        p50, p95 = pct(res["latencies"], 0.5), pct(res["latencies"], 0.95)
        if res["device_s"] is None or p50 is None or p95 is None:
            raise SystemExit(f"run {i + 1}: no measurement ({res})")
        dev.append(res["device_s"])
        p50s.append(p50)
        p95s.append(p95)
        print(f"run {i + 1}: device {res['device_s']:.2f} s, flag latency_s p50 {p50:.2f} / p95 {p95:.2f} s, "
              f"flags {res['flags']}, load {os.getloadavg()[0]:.2f}")
    d, a, b = statistics.median(dev), statistics.median(p50s), statistics.median(p95s)
    print(f"median of {args.runs}: device path {d:.2f} s; flag latency_s p50 {a:.2f} s, p95 {b:.2f} s; "
          f"through the devices p50 {a + d:.2f} s, p95 {b + d:.2f} s "
          f"(load average {load0} at start, {os.getloadavg()[0]:.2f} at end; 2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
