"""Synthesise examples/demo-call.txt into a stereo call (agent left, customer right) with espeak-ng.

    python3 scripts/make_demo_call.py [SCRIPT.txt] [OUT.ogg|.wav|.flac]

Two voices, a pause between turns, 16 kHz Ogg Vorbis (small enough to commit). The speech tests
use `synth_call` from here too, so what the README demos and what the tests check is one recipe.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000
VOICES = {"agent": "en-us+f3", "customer": "en-gb+m3"}
SPEED = {"agent": 150, "customer": 150}
GAP_S = 1.1  # pause between turns: long enough for pause-based utterance splitting


def say(text: str, voice: str, speed: int = 160) -> np.ndarray:
    """One line through espeak-ng, resampled to 16 kHz mono float32."""
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "say.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data, sr = sf.read(wav, dtype="float32")
    if data.ndim > 1:
        data = data.mean(axis=1)
    if sr != RATE:  # linear interpolation is plenty for synthetic speech
        n = int(round(len(data) * RATE / sr))
        data = np.interp(np.linspace(0, len(data) - 1, n), np.arange(len(data)), data).astype(np.float32)
    return data


def parse_script(text: str) -> list[tuple[str, str]]:
    turns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        who, _, words = line.partition(":")
        turns.append((who.strip().lower(), words.strip()))
    return turns


def synth_call(turns: list[tuple[str, str]], lead_s: float = 0.5, gap_s: float = GAP_S,
               voices: dict[str, str] | None = None) -> tuple[np.ndarray, list[tuple[str, float, float, str]]]:
    """Stereo float32 array (samples, 2) and the turn times [(speaker, start, end, text)]."""
    voices = voices or VOICES
    pieces: list[tuple[int, int, np.ndarray]] = []
    times = []
    t = int(lead_s * RATE)
    for who, words in turns:
        ch = 0 if who == "agent" else 1
        audio = say(words, voices[who], SPEED.get(who, 160))
        pieces.append((ch, t, audio))
        times.append((who, t / RATE, (t + len(audio)) / RATE, words))
        t += len(audio) + int(gap_s * RATE)
    out = np.zeros((t + int(lead_s * RATE), 2), dtype=np.float32)
    for ch, start, audio in pieces:
        out[start:start + len(audio), ch] = audio * 0.8
    return out, times


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    script = Path(argv[0]) if argv else root / "examples" / "demo-call.txt"
    out = Path(argv[1]) if len(argv) > 1 else root / "examples" / "demo-call.ogg"
    audio, times = synth_call(parse_script(script.read_text(encoding="utf-8")))
    fmt = {"ogg": "OGG", "wav": "WAV", "flac": "FLAC"}[out.suffix.lower().lstrip(".")]
    sf.write(out, audio, RATE, format=fmt, subtype="VORBIS" if fmt == "OGG" else None)
    for who, s, e, words in times:
        print(f"[{s:6.2f}-{e:6.2f}] {who.upper()}: {words}")
    print(f"{out}: {len(audio) / RATE:.1f} s, {out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
