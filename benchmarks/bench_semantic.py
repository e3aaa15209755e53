#!/usr/bin/env python3
"""Benchmark the semantic detector: model load time, prototype embedding (cold cache) vs cached
start-up, and milliseconds per final utterance on ONE core; medians.

    python3 benchmarks/bench_semantic.py [--runs 3] [--utterances 200] [--runtime numpy|torch]

The runtime is the MiniLM encoder's (`ASSIST_SEMANTIC_RUNTIME`): numpy, the shipped default, holds
BLAS to one thread per pass itself; torch is held to one with torch.set_num_threads(1).

Each load is measured in a fresh interpreter (a second load in one process is free: the encoder
is cached per process). Utterances are the paraphrase set's lines, so lengths are realistic.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_LOAD = """
import json, os, sys, time
t0 = time.perf_counter()
from assist.engine import semantic as S
from assist.engine.lexicon import load_lexicon
lex = load_lexicon("en")
t1 = time.perf_counter()
enc = S.get_encoder(S.model_dir())
t2 = time.perf_counter()
det = S.SemanticDetector(enc, S.load_prototypes(S.semantic_path(lex)))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "model_s": t2 - t1, "prototypes_s": t3 - t2}))
"""


def load_times(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ASSIST_SEMANTIC_CACHE": cache, "HF_HUB_OFFLINE": "1"}  # runtime inherited
        res = []
        for _ in range(runs + 1):  # the first run fills the cache (cold), the rest find it (warm)
            r = subprocess.run([sys.executable, "-c", _LOAD], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=300, check=True)
            res.append(json.loads(r.stdout.strip().splitlines()[-1]))
    warm = res[1:]
    return {
        "import_s": statistics.median(x["import_s"] for x in warm),
        "model_load_s": statistics.median(x["model_s"] for x in warm),
        "prototypes_cold_s": res[0]["prototypes_s"],
        "prototypes_cached_s": statistics.median(x["prototypes_s"] for x in warm),
    }


def per_utterance(n: int, runtime: str) -> dict[str, float | str]:
    from assist.engine import semantic as S
    from assist.engine.lexicon import load_lexicon

    det, why = S.load_detector(load_lexicon("en"))
    if det is None:
        raise SystemExit(f"bench_semantic: {why}")
    if runtime == "torch":
        import torch

        torch.set_num_threads(1)
    rows = S.load_rows(ROOT / "tests" / "data" / "paraphrases.jsonl")
    texts = [(r["text"], r["speaker"]) for r in rows][:n]
    for t, sp in texts[:10]:
        det.detect(t, sp, set())  # warm-up: first passes allocate
    ms = []
    for t, sp in texts:
        t0 = time.perf_counter()
        det.detect(t, sp, set())
        ms.append(1000 * (time.perf_counter() - t0))
    ms.sort()
    return {"utterances": len(ms), "median_ms": statistics.median(ms), "p90_ms": ms[int(0.9 * (len(ms) - 1))],
            "mean_words": statistics.mean(len(t.split()) for t, _ in texts), "runtime": runtime,
            "torch_imported": str("torch" in sys.modules)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--utterances", type=int, default=200)
    ap.add_argument("--runtime", choices=("numpy", "torch"), default="numpy")
    a = ap.parse_args()
    os.environ["ASSIST_SEMANTIC_RUNTIME"] = a.runtime
    out = {"cpu_count": os.cpu_count(), "load_avg": os.getloadavg()[0], **load_times(a.runs),
           **per_utterance(a.utterances, a.runtime)}
    for k, v in out.items():
        print(f"{k:22s} {v:.3f}" if isinstance(v, float) else f"{k:22s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
