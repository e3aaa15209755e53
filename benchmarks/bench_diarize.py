"""Mono calls split by voice: cost per audio minute, and accuracy against the stereo truth.

    python3 benchmarks/bench_diarize.py [--runs 3] [--accuracy] [--json OUT.json]

Cost: `split_mono` (Silero VAD + Resemblyzer embeddings + clustering) on espeak-ng calls mixed down
to mono (tests/speech/mono_calls.py: five scripts, 23-67 s each), in a fresh process; the encoder's
one-off load is reported apart. Seconds of wall time per audio minute, median over `--runs`.

--accuracy: every call × voice pair (different, similar, near-identical, one) × turn gaps (long,
mixed, overlap), the voice split against the channels: share of speech samples on the right side,
how many voices were found; and for the two-voice pairs with mixed gaps, the full measure (Whisper
tiny.en whole-file transcription and the coach): share of words given to the right speaker, share of
the stereo report's flags found in the split one, against today's mono behaviour (all agent).
Tuning calls (parcel, support) and reporting calls (demo, billing, router) are shown apart.

Results depend on load: the machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def child_cost() -> dict[str, Any]:
    import numpy as np

    from assist.speech.diarize import split_mono
    from assist.speech.voices import shared_encoder
    from tests.speech.mono_calls import mono_of, scripts, stereo_call

    t0 = time.perf_counter()
    shared_encoder()
    load_s = time.perf_counter() - t0
    audio_s = split_s = 0.0
    for name in scripts():
        stereo, _ = stereo_call(name, "different", "mixed")
        x = mono_of(stereo)
        t = time.perf_counter()
        split_mono(x)
        split_s += time.perf_counter() - t
        audio_s += len(x) / 16000
    return {"encoder_load_s": load_s, "audio_s": audio_s, "split_s": split_s,
            "s_per_audio_min": 60 * split_s / audio_s, "x_realtime": audio_s / split_s, "numpy": np.__version__}


def _right_share(stereo: Any, split: Any) -> float:
    import numpy as np
    from scipy.ndimage import uniform_filter1d

    active = uniform_filter1d(stereo.astype(np.float64) ** 2, 800, axis=0) > 1e-5
    one = active[:, 0] ^ active[:, 1]
    truth = np.where(active[:, 0], 0, 1)
    got = np.where(split[0] != 0, 0, np.where(split[1] != 0, 1, -1))
    m = one & (got >= 0)
    return float((got[m] == truth[m]).mean())


def accuracy() -> dict[str, Any]:
    from assist.speech.diarize import split_mono
    from assist.speech.factory import pick_engine
    from tests.speech.mono_calls import REPORT, TUNE, VOICE_PAIRS, measure, mono_of, stereo_call, summarise

    grid = []
    for pair in VOICE_PAIRS:
        for gaps in ("long", "mixed", "overlap"):
            for name in (*TUNE, *REPORT):
                stereo, _ = stereo_call(name, pair, gaps)
                split, info = split_mono(mono_of(stereo))
                grid.append({"pair": pair, "gaps": gaps, "call": name, "half": "tune" if name in TUNE else "report",
                             "right_share": round(_right_share(stereo, split), 3), "voices": info.voices,
                             "similarity": round(info.similarity or 0, 3)})
    eng = pick_engine(None, None, "en", ("Acme", "Dana"))
    words: dict[str, Any] = {}
    for pair in ("different", "similar", "near-identical"):
        for half, names in (("tune", TUNE), ("report", REPORT)):
            rows = [measure(n, pair, "mixed", eng) for n in names]
            words[f"{pair}/{half}"] = {"summary": summarise(rows), "rows": rows}
    return {"grid": grid, "words": words}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--accuracy", action="store_true", help="also the accuracy grid (transcribes: minutes)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", choices=("cost", "accuracy"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child_cost() if a.child == "cost" else accuracy()))
        return 0
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "HF_HUB_OFFLINE": "1"}

    def child(kind: str) -> dict[str, Any]:
        r = subprocess.run([sys.executable, __file__, "--child", kind], capture_output=True, text=True, env=env,
                           cwd=ROOT, check=True)
        return dict(json.loads(r.stdout.strip().splitlines()[-1]))

    out: dict[str, Any] = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                           "load_before": _load()}
    runs = [child("cost") for _ in range(a.runs)]
    out["cost"] = {k: round(statistics.median(r[k] for r in runs), 3)
                   for k in ("encoder_load_s", "audio_s", "split_s", "s_per_audio_min", "x_realtime")}
    out["load_after_cost"] = _load()
    c = out["cost"]
    print(f"machine: {out['machine']}; load average before: {out['load_before']}, after: {out['load_after_cost']}")
    print(f"split_mono: {c['s_per_audio_min']:.2f} s per audio minute ({c['x_realtime']:.0f}x real time), "
          f"median of {a.runs} runs over {c['audio_s']:.0f} s of calls; encoder load {c['encoder_load_s']:.2f} s once")
    if a.accuracy:
        acc = child("accuracy")
        out["accuracy"] = acc
        print("\nvoice split, share of speech on the right side (min over calls) · voices found")
        for pair in ("different", "similar", "near-identical", "one"):
            for gaps in ("long", "mixed", "overlap"):
                for half in ("tune", "report"):
                    g = [r for r in acc["grid"] if r["pair"] == pair and r["gaps"] == gaps and r["half"] == half]
                    print(f"  {pair:15} {gaps:8} {half:6} right {min(r['right_share'] for r in g):.3f}–"
                          f"{max(r['right_share'] for r in g):.3f}  voices {sorted(r['voices'] for r in g)}")
        print("\nwords and flags (mixed gaps; Whisper tiny.en)")
        for key, v in acc["words"].items():
            s = v["summary"]
            print(f"  {key:22} words {s['words']:4} right {s['word_share']:.3f} (mono as agent {s['base_word_share']:.3f})"
                  f" · flags {s['flags']:3} found {s['flag_share']:.2f} (mono as agent {s['base_flag_share']:.2f}),"
                  f" extra {s['flags_extra']}")
        out["load_after_accuracy"] = _load()
    if a.json:
        a.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
