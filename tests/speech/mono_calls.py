"""Stereo calls to mix down to mono, for measuring the voice split (assist.speech.diarize).

The truth is the stereo file: each channel is one speaker. Calls are synthesised with espeak-ng by the
demo call's recipe, with turn gaps drawn per turn (seeded) so some turns follow each other with no
pause a VAD could split at, and optionally a little overlap. Voice pairs:
- "different": the demo call's voices, a US female agent and a British male customer;
- "similar":   two US female voices (espeak-ng en-us variants f3 and f2: same accent, same pitch
               range, formants 10-15 % apart; Resemblyzer similarity 0.75 against 0.90 within one);
- "near-identical": two US male voices (variants m1 and m3: pitch and formants within 3-5 %;
               similarity 0.84, within one voice 0.88) — beyond what the encoder can tell apart;
- "one": the same voice on both sides — what a recording of one voice looks like.
Calls are split into a tuning half (TUNE) and a reporting half (REPORT): thresholds in
assist/speech/diarize.py were set looking at TUNE only.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path
from typing import Any

import numpy as np

from tests.speech.calls import CALL_TURNS, ROOT, demo_module

RATE = 16000
VOICE_PAIRS = {"different": {"agent": "en-us+f3", "customer": "en-gb+m3"},
               "similar": {"agent": "en-us+f3", "customer": "en-us+f2"},
               "near-identical": {"agent": "en-us+m1", "customer": "en-us+m3"},
               "one": {"agent": "en-us+f3", "customer": "en-us+f3"}}

BILLING = [
    ("agent", "Good morning, you're through to Northwind Energy, my name is Sam."),
    ("customer", "Hi Sam, my bill this month is twice what it normally is."),
    ("agent", "I'm sorry to hear that, let me have a look at your account."),
    ("customer", "I've been a customer for ten years and nobody ever explains anything."),
    ("agent", "Why did you not send us a meter reading last quarter?"),
    ("customer", "I did send it, I have the email right here."),
    ("agent", "Okay. That's not my department, you will have to call metering."),
    ("customer", "This is unbelievable, I am so fed up with this company."),
    ("agent", "I understand how frustrating this is, and I apologise."),
    ("agent", "I will call you back tomorrow by five pm with the corrected bill."),
    ("customer", "Fine. Thank you."),
]
ROUTER = [
    ("agent", "Hello, thanks for calling Contoso broadband, this is Priya, how can I help?"),
    ("customer", "My router keeps dropping the connection every evening."),
    ("agent", "No problem, we can look at that together."),
    ("customer", "I already restarted it five times today."),
    ("agent", "Did you actually plug the cable into the grey port?"),
    ("customer", "Yes of course I did, I am not an idiot."),
    ("agent", "I'll see what I can do about a replacement."),
    ("customer", "When will I know?"),
    ("agent", "I will email you the tracking number on Friday morning."),
    ("customer", "Okay, thanks for your help."),
]


def _script(path: Path) -> list[tuple[str, str]]:
    """An examples/*.txt call script (optional [mm:ss] before the speaker) as (speaker, words)."""
    import re

    text = re.sub(r"(?m)^\[[\d:]+\]\s*", "", path.read_text(encoding="utf-8"))
    return demo_module().parse_script(text)


@functools.cache
def scripts() -> dict[str, list[tuple[str, str]]]:
    return {"demo": _script(ROOT / "examples" / "demo-call.txt"), "support": _script(ROOT / "examples" / "support-call.txt"),
            "parcel": list(CALL_TURNS), "billing": BILLING, "router": ROUTER}


TUNE = ("parcel", "support")
REPORT = ("demo", "billing", "router")


@functools.cache
def _say(text: str, voice: str) -> np.ndarray:
    return demo_module().say(text, voice, 150)


@functools.cache
def stereo_call(name: str, pair: str = "different", gaps: str = "mixed", seed: int = 0
                ) -> tuple[np.ndarray, list[tuple[str, float, float, str]]]:
    """(samples × 2 float32: agent left, customer right), turn times. `gaps`: "long" (1.1 s, the demo
    recipe), "mixed" (0.1–1.2 s, a third of them under 0.25 s), "overlap" (mixed, and a quarter of the
    speaker changes start 0.3 s before the other side ends)."""
    rng = random.Random(f"{name}/{pair}/{gaps}/{seed}")
    voices = VOICE_PAIRS[pair]
    pieces = []
    times = []
    t = int(0.5 * RATE)
    prev_who = None
    for who, words in scripts()[name]:
        if prev_who is not None:
            if gaps == "long":
                g = 1.1
            else:
                g = rng.choice([0.1, 0.15, 0.2]) if rng.random() < 0.33 else rng.uniform(0.3, 1.2)
                if gaps == "overlap" and who != prev_who and rng.random() < 0.25:
                    g = -0.3
            t += int(g * RATE)
        audio = _say(words, voices[who]) * 0.8
        pieces.append((0 if who == "agent" else 1, t, audio))
        times.append((who, t / RATE, (t + len(audio)) / RATE, words))
        t += len(audio)
        prev_who = who
    out = np.zeros((t + int(0.5 * RATE), 2), dtype=np.float32)
    for ch, start, audio in pieces:
        out[start:start + len(audio), ch] += audio
    return out, times


def mono_of(stereo: np.ndarray) -> np.ndarray:
    """The mix-down a mono recorder makes: both sides summed."""
    return np.clip(stereo.sum(axis=1), -1.0, 1.0).astype(np.float32)


def truth_speaker(stereo: np.ndarray, start: float, end: float) -> str:
    """Who spoke in [start, end] by the channels: the louder one (energy over the span)."""
    a, b = int(start * RATE), max(int(end * RATE), int(start * RATE) + 1)
    e = (stereo[a:b] ** 2).sum(axis=0)
    return "agent" if e[0] >= e[1] else "customer"


# ---------------------------------------------------------------------------- measuring a split
def _coach(per: dict[str, list[Any]], duration_s: float) -> dict[str, Any]:
    """The whole-file path after transcription (as assist.session.scoring.score_recording): merge, coach."""
    from assist.engine.coach import analyze_utterances
    from assist.engine.lexicon import load_lexicon
    from assist.speech.segment import merge_speakers

    return analyze_utterances(merge_speakers(per), load_lexicon("en"), company="Acme", agent_name="Dana",
                              duration_s=duration_s)


def _flags(rep: dict[str, Any]) -> list[tuple[str, str, float]]:
    return [(e["category"], e["speaker"], float(e["start"])) for e in rep["events"] if e["type"] in ("flag", "cue")]


def found_share(truth: list[tuple[str, str, float]], got: list[tuple[str, str, float]], tol_s: float = 2.0) -> tuple[int, int]:
    """(how many of `truth`'s flags `got` has — same category, same speaker, start within tol_s — , len(truth))."""
    left = list(got)
    n = 0
    for cat, sp, t in truth:
        m = next((g for g in left if g[0] == cat and g[1] == sp and abs(g[2] - t) <= tol_s), None)
        if m is not None:
            left.remove(m)
            n += 1
    return n, len(truth)


def measure(name: str, pair: str, gaps: str, eng: Any) -> dict[str, Any]:
    """One stereo call, mixed down to mono: the voice split against the channels.

    Words: each word of the split call's transcript, its speaker against the channel that carries
    the word's span in the stereo original. Flags: the stereo report's flags (category, speaker,
    ±2 s) found in the split call's report. Baseline: the mono file as today (one speaker, agent)."""
    from assist.speech.audio import CallAudio
    from assist.speech.diarize import split_mono
    from assist.speech.transcribe import transcribe_audio

    stereo, _times = stereo_call(name, pair, gaps)
    dur = len(stereo) / RATE
    ref = _coach(transcribe_audio(CallAudio({"agent": stereo[:, 0], "customer": stereo[:, 1]}, name), eng), dur)
    x = mono_of(stereo)
    split, info = split_mono(x, RATE)
    per = transcribe_audio(CallAudio({"agent": split[0], "customer": split[1]}, name), eng)
    rep = _coach(per, dur)
    words = [(sp, w) for sp, ws in per.items() for w in ws]
    right = sum(truth_speaker(stereo, w.start, w.end) == sp for sp, w in words)
    base_words = transcribe_audio(CallAudio({"agent": x}, name), eng)["agent"]
    base = _coach({"agent": base_words}, dur)
    base_right = sum(truth_speaker(stereo, w.start, w.end) == "agent" for w in base_words)
    f, ft = found_share(_flags(ref), _flags(rep))
    bf, _ = found_share(_flags(ref), _flags(base))
    extra = len(_flags(rep)) - found_share(_flags(rep), _flags(ref))[0]
    return {"call": name, "pair": pair, "gaps": gaps, "audio_s": round(dur, 1), "words": len(words), "words_right": right,
            "flags": ft, "flags_found": f, "flags_extra": extra, "voices": info.voices,
            "similarity": round(info.similarity or 0, 3), "split_s": round(info.cost_s, 2),
            "base_words": len(base_words), "base_words_right": base_right, "base_flags_found": bf}


def summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    def share(a: str, b: str) -> float:
        return sum(r[a] for r in rows) / max(1, sum(r[b] for r in rows))

    return {"calls": len(rows), "words": sum(r["words"] for r in rows), "word_share": share("words_right", "words"),
            "flags": sum(r["flags"] for r in rows), "flag_share": share("flags_found", "flags"),
            "flags_extra": sum(r["flags_extra"] for r in rows),
            "base_word_share": share("base_words_right", "base_words"), "base_flag_share": share("base_flags_found", "flags"),
            "split_s_per_audio_min": 60 * sum(r["split_s"] for r in rows) / max(1e-9, sum(r["audio_s"] for r in rows))}
