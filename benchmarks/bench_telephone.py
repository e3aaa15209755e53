"""Telephone-channel accuracy: greeting accuracy and call expectations, clean vs telephone (G.711
μ-law and A-law), per model, with the cost of each.

    python3 benchmarks/bench_telephone.py [--models whisper-tiny.en,whisper-base]
        [--channels clean,ulaw,alaw] [--split report|tune|all] [--calls t00,t05] [--workdir DIR]
        [--no-semantic] [--json OUT.json] [--transcripts DIR]

`--channels` also takes the channel's stages one at a time (diagnostics, not the test set):
hiss, band, 8k, ulaw16k, band+8k, hiss+band+8k, band+8k+ulaw (scripts/make_telephone_call.py STAGES).

The calls are scripts/make_telephone_call.py's (40 two-voice calls, espeak-ng, varied company and
agent names, 6 greetings that leave a name out; split into a tuning half and a reporting half),
generated into a temp dir (or --workdir, reused between runs). Every call is scored through the real
whole-file path, one process per call as a team lead runs it:

    python -m assist replay FILE --format json --company X --agent-name Y --model M --lexicon en

- greeting accuracy: the greeting checklist item comes out as planted (done when the agent gave
  the company and their name, missed when they left one out);
- call expectations: greeting, the customer's frustration cue, empathy, the callback and the two
  planted agent phrasings, each on the right speaker inside its turn — share met.

`--transcripts DIR` scores in this one process instead, from the recogniser's words cached in DIR
(per model, channel and call; decoded once, the first time): the same transcription and coaching
as `score_recording`, without the per-call start-up — so a change to the coach (the greeting
rule) is measured before and after on the very same transcripts, in seconds.

Cost: the median wall time of one `assist replay` process per call (start-up, models, decoding,
coaching) and, measured apart in one process per model (model loaded once), the recognition alone
(`transcribe_audio`, both channels, everything the whole-file path does to the audio) in seconds
per minute of call audio, with that process's peak memory. The machine and its load average are
printed with the figures: they are shared-machine timings, medians, not guarantees.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def tel() -> Any:
    name = "make_telephone_call"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_telephone_call.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _env() -> dict[str, str]:
    # no user settings file, never the network; the worktree's code first (PYTHONPATH is inherited)
    return {**os.environ, "ASSIST_CONFIG": "/nonexistent/assist.toml", "HF_HUB_OFFLINE": "1"}


def replay(path: Path, call: Any, model: str, semantic: bool) -> tuple[dict[str, Any], float]:
    cmd = [sys.executable, "-m", "assist", "replay", str(path), "--format", "json", "--company", call.company,
           "--agent-name", call.agent, "--model", model, "--engine", "whisper", "--lexicon", "en"]
    if not semantic:
        cmd.append("--no-semantic")
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=900)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"bench_telephone: {' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout), wall


def cached_report(path: Path, call: Any, model: str, semantic: bool, cache: Path) -> tuple[dict[str, Any], float]:
    """score_recording's report, the recogniser's words cached in `cache` (decoded the first time)."""
    from assist.config import Config
    from assist.engine.coach import Coach, CoachRun
    from assist.session.models import SemanticCache
    from assist.session.spec import CallOptions, resolve_spec
    from assist.speech.audio import load_call
    from assist.speech.segment import merge_speakers
    from assist.speech.transcribe import transcribe_audio
    from assist.transcript import Word

    spec = resolve_spec(CallOptions(source=str(path), lexicon="en", company=call.company, agent_name=call.agent,
                                    semantic=semantic, engine="whisper", model=model), Config())
    f = cache / model / f"{path.stem}.json"
    t0 = time.monotonic()
    audio = load_call(path)
    if f.exists():
        per = {sp: [Word(*w) for w in ws] for sp, ws in json.loads(f.read_text(encoding="utf-8")).items()}
    else:
        from assist.session.models import call_engine

        per = transcribe_audio(audio, call_engine(spec, live=False))
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps({sp: [[w.text, w.start, w.end, w.prob] for w in ws] for sp, ws in per.items()}),
                     encoding="utf-8")
    global _SEMANTIC
    _SEMANTIC = _SEMANTIC or SemanticCache()
    coach = Coach(spec.lexicon, company=spec.company, agent_name=spec.agent_name, semantic=_SEMANTIC.get(spec))
    utts = merge_speakers(per)
    CoachRun(coach).transcript(utts)
    rep = coach.report(source=str(path), duration_s=audio.duration, engine="whisper", model=model, mode="whole-file")
    return rep, time.monotonic() - t0


_SEMANTIC: Any = None


# --------------------------------------------------------------------------- recognition cost (child)


def child_cost(model: str, paths: list[str], names: list[list[str]]) -> dict[str, Any]:
    """Recognition alone, model loaded once: seconds per audio minute and peak memory."""
    import resource

    from assist.speech.audio import load_call
    from assist.speech.factory import pick_engine
    from assist.speech.transcribe import transcribe_audio
    from assist.speech.whisper_asr import load_whisper

    eng = pick_engine("whisper", model, "en", (), live=False)
    t = time.monotonic()
    load_whisper(eng.model.path)
    load_s = time.monotonic() - t
    audio_s = busy = 0.0
    for p, nm in zip(paths, names, strict=True):
        audio = load_call(p)
        eng = pick_engine("whisper", model, "en", tuple(nm), live=False)
        t = time.monotonic()
        transcribe_audio(audio, eng)
        busy += time.monotonic() - t
        audio_s += audio.duration
    return {"model": model, "load_s": load_s, "audio_s": audio_s, "busy_s": busy,
            "s_per_audio_min": busy / (audio_s / 60.0), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def cost(model: str, paths: list[Path], calls: list[Any]) -> dict[str, Any]:
    arg = json.dumps({"model": model, "paths": [str(p) for p in paths], "names": [[c.company, c.agent] for c in calls]})
    proc = subprocess.run([sys.executable, __file__, "--child-cost", arg], capture_output=True, text=True, cwd=ROOT,
                          env=_env(), timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"bench_telephone: cost child failed: {proc.stderr.strip()[-800:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------- main


def machine() -> str:
    load = os.getloadavg()
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load[0]:.1f}"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="whisper-tiny.en,whisper-base")
    ap.add_argument("--channels", default="clean,ulaw,alaw")
    ap.add_argument("--split", default="report", choices=("report", "tune", "all"))
    ap.add_argument("--calls", help="comma-separated call ids (overrides --split)")
    ap.add_argument("--workdir", type=Path, help="where the calls are generated (default: a temp dir)")
    ap.add_argument("--no-semantic", action="store_true", help="lexical rules only (faster; the default is the full path)")
    ap.add_argument("--transcripts", type=Path, metavar="DIR",
                    help="score in this process from the recogniser's words cached in DIR (decoded once); no cost figures")
    ap.add_argument("--cost-calls", type=int, default=6, help="calls (per model) for the recognition-cost figure")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child-cost", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child_cost:
        spec = json.loads(a.child_cost)
        print(json.dumps(child_cost(spec["model"], spec["paths"], spec["names"])))
        return 0

    T = tel()
    calls = T.by_id(a.calls) if a.calls else [c for c in T.CALLS if a.split == "all" or c.split == a.split]
    models = [m for m in a.models.split(",") if m]
    channels = [c for c in a.channels.split(",") if c]
    work = a.workdir or Path(tempfile.mkdtemp(prefix="assist-telephone-"))
    print(f"# {len(calls)} calls ({'given' if a.calls else a.split}), workdir {work}", flush=True)
    print(f"# machine: {machine()}", flush=True)
    rows: list[dict[str, Any]] = []
    for model in models:
        for ch in channels:
            for call in calls:
                path = T.write_call(call, work, ch)
                if a.transcripts:
                    rep, wall = cached_report(path, call, model, not a.no_semantic, a.transcripts)
                else:
                    rep, wall = replay(path, call, model, not a.no_semantic)
                ex = T.expectations(call, rep, T.turn_times(call, work))
                rows.append({"model": model, "channel": ch, "call": call.id, "split": call.split, "wall_s": wall,
                             "audio_s": rep["call"]["duration_s"], "expectations": ex,
                             "opening": next((u["text"] for u in rep["utterances"] if u["speaker"] == "agent"), "")})
                bad = [k for k, v in ex.items() if not v]
                print(f"{model:16s} {ch:5s} {call.id:22s} {wall:5.1f}s {'ok' if not bad else 'MISSED ' + ','.join(bad)}",
                      flush=True)
    costs = {}
    for model in models if not a.transcripts else []:
        sample = calls[: a.cost_calls]
        costs[model] = cost(model, [T.write_call(c, work, "ulaw") for c in sample], sample)

    print(f"\n# machine at the end: {machine()}")
    print("| model | channel | greeting accuracy | call expectations met | `assist replay` per call (median) |")
    print("|---|---|---|---|---|")
    for model in models:
        for ch in channels:
            rs = [r for r in rows if r["model"] == model and r["channel"] == ch]
            g = sum(r["expectations"]["greeting"] for r in rs)
            met = sum(sum(r["expectations"].values()) for r in rs)
            tot = sum(len(r["expectations"]) for r in rs)
            med = statistics.median(r["wall_s"] for r in rs)
            print(f"| {model} | {ch} | **{g / len(rs):.3f}** ({g}/{len(rs)}) | **{met / tot:.3f}** ({met}/{tot}) | {med:.1f} s |")
    print("\n| model | channel | missed, by expectation |")
    print("|---|---|---|")
    for model in models:
        for ch in channels:
            rs = [r for r in rows if r["model"] == model and r["channel"] == ch]
            kinds = sorted({k for r in rs for k in r["expectations"]})
            miss = {k: sum(not r["expectations"].get(k, True) for r in rs) for k in kinds}
            n = {k: sum(k in r["expectations"] for r in rs) for k in kinds}
            print(f"| {model} | {ch} | {', '.join(f'{k} {miss[k]}/{n[k]}' for k in kinds if miss[k])} |")
    print("\n| model | recognition, s per audio minute (both channels) | model load | peak memory |")
    print("|---|---|---|---|")
    for model, c in costs.items():
        print(f"| {model} | {c['s_per_audio_min']:.2f} s | {c['load_s']:.1f} s | {c['peak_mb']:.0f} MB |")
    if a.json:
        a.json.write_text(json.dumps({"machine": machine(), "rows": rows, "costs": costs}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
