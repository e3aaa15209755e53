"""Telephone-channel calls: short two-voice calls with varied company and agent names, synthesised
with espeak-ng and passed through a telephone channel the way a contact centre's recorder keeps them.

    python3 scripts/make_telephone_call.py OUT_DIR [--channel clean|ulaw|alaw ...] [--calls ID,ID]

writes OUT_DIR/<id>.<channel>.wav for every call (default: all calls, all three channels) and
prints each call's expectations. The telephone tests (tests/speech/telephone.py) and
benchmarks/bench_telephone.py use this module, so the set they measure is one recipe; nothing
generated here is committed.

The channel (`telephone`): light line hiss (white noise, seeded, fixed level), band-limited to
300-3400 Hz, resampled to 8 kHz and stored as G.711 (8-bit μ-law or A-law) in a stereo WAV, agent
left, customer right — sox does the filtering, resampling and companding. The recogniser then reads
it like any recording (PyAV decodes G.711 and resamples to 16 kHz).

The calls (`CALLS`): a greeting from one of several templates, a frustrated customer (a cue), the
agent's empathy, two planted agent phrasings from a pool, a concrete callback, a goodbye. Some calls
leave the company or the agent's name (or both) out of the greeting: there the greeting must be
marked missed — the hard negatives for any mechanism that makes names easier to hear. The set is
split by position into a tuning half (even) and a reporting half (odd).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
RATE = 16000
CHANNELS = ("clean", "ulaw", "alaw")
# Diagnostic channels, not the test set: the telephone channel's stages taken apart, to see which
# one costs the words (`bench_telephone.py --channels band,8k,...`). Each is the full channel's own
# stage at its full strength (same hiss, same band, same sox resampling), stored as 16-bit PCM at
# 16 kHz unless "8k" is among its stages; "ulaw16k" is μ-law companding alone at 16 kHz.
STAGES = ("hiss", "band", "8k", "ulaw16k", "band+8k", "hiss+band+8k", "band+8k+ulaw")
HISS_RMS = 0.003  # about -50 dBFS: a quiet line, ~30 dB under espeak-ng's speech as mixed here
BAND = (300, 3400)  # Hz: the telephone band


@functools.cache
def demo() -> ModuleType:
    """scripts/make_demo_call.py (say, synth_call): the same synthesis as the demo call."""
    spec = importlib.util.spec_from_file_location("make_demo_call", ROOT / "scripts" / "make_demo_call.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------------------------- the calls

# (company, agent name): short, long, multi-word, non-English.
NAMES: list[tuple[str, str]] = [
    ("Globex", "Sam"), ("Initech", "Alex"), ("Acme", "Dana"), ("Northwind Traders", "Siobhán"),
    ("Contoso", "Oluwaseun"), ("Umbrella", "Nguyen"), ("Hooli", "Yael"), ("Vandelay Industries", "Priya"),
    ("Cyberdyne", "Mateusz"), ("Blue Harbour Energy", "Aoife"), ("Soylent", "Joaquín"), ("Tyrell", "Chidi"),
    ("Pemberton Water", "Ingrid"), ("Kowalski Logistics", "Tomasz"), ("Sakura Telecom", "Leilani"),
    ("Brightwell Broadband", "Bartholomew"), ("Zephyr Mobile", "Xiaoling"), ("Aldermoor Insurance", "Dmitri"),
    ("Lumen Bank", "Fatima"), ("Okonkwo Motors", "Raúl"), ("Fjordline", "Søren"), ("Papadopoulos Travel", "Zoë"),
    ("Stark Industries", "Hamish"), ("Wayne Enterprises", "Anneliese"), ("Oceanic Airlines", "Kwame"),
    ("Van der Berg Energy", "Niamh"), ("Massive Dynamic", "Shoshana"), ("Gringotts", "Eitan"),
    ("Monarch Water", "Maximilian"), ("Duff", "Jo"), ("Hanwha Home", "Ben"), ("Prestige Worldwide", "Yusuf"),
    ("Ollivanders", "Kateryna"), ("Bluth Company", "Rhiannon"), ("Sirius Cybernetics", "Tadhg"),
    ("Wonka", "Ngozi"), ("Dunder Mifflin", "Pádraig"), ("Nakatomi Trading", "Hiroshi"),
    ("Ghirardelli", "Ayesha"), ("Virtucon", "Luca"),
]

# Greetings that name both. {c} company, {n} agent.
GREETINGS = [
    "Thank you for calling {c}, this is {n}. How can I help you today?",
    "{c}, hello, {n} speaking. How can I help?",
    "{c} support, good afternoon, this is {n} speaking.",
    "Good morning, you're through to {c}, my name is {n}. What can I do for you?",
    "Hello and welcome to {c}, {n} here. How may I help you?",
    "Hi, {c} customer care, you're speaking with {n}.",
]
# Greetings that leave something out: the greeting item must come out missed.
INCOMPLETE = {
    3: "Hello, how can I help you today?",                       # neither
    10: "Thank you for calling {c}. How can I help you today?",  # no agent name
    17: "Hi, this is {n} speaking. How can I help?",             # no company
    24: "Good afternoon, {c}. What can I do for you?",          # no agent name
    31: "Hello, you're speaking with {n}. How may I help you?",  # no company
    36: "Good morning, how may I help you?",                     # neither
}

CUSTOMER_CUES = [
    "My internet has been down for three days and this is ridiculous.",
    "I have been waiting two weeks for my refund and this is ridiculous.",
    "My parcel never arrived and this is ridiculous.",
    "You charged me twice this month and this is a disgrace.",
    "This is the third time I have called, it is a nightmare.",
]
EMPATHY = [
    "I'm so sorry, I understand how frustrating this must be.",
    "I completely understand, that must be really frustrating.",
    "I'm really sorry to hear that, I understand.",
]
# Planted agent phrasings: (category, line). Two per call, rotating through the pool.
FLAGS: list[tuple[str, str]] = [
    ("starts-with-no", "No, the line is fine on our side."),
    ("not-my-job", "That isn't my job. The technicians handle that."),
    ("vague-promise", "I'll see what I can do."),
    ("dismissive", "Calm down, it is not that serious."),
    ("known-issue", "This is a known issue with our network."),
    ("starts-with-no", "No, the parcel left our warehouse on Monday."),
    ("jargon", "I have escalated the ticket to second line support."),
    ("no-problem", "No problem, I will sort it out."),
]
# Neutral on purpose: a second frustrated line would ask for a second round of empathy.
CUSTOMER_MIDDLE = ["Sure, I can wait.", "Alright, I have the letter here.", "Okay, the account is in my name."]
CALLBACKS = [
    "I will call you back on Thursday before noon.",
    "I will call you back tomorrow morning at ten.",
    "I will call you back on Monday before five pm.",
    "I will call you back on Friday by three pm.",
]
GOODBYES = ["Okay. Thank you.", "Fine, thanks.", "Alright, thank you."]

# espeak-ng voices: agent and customer differ in every call. Voices and lines were chosen for being
# heard by Whisper tiny.en on CLEAN audio (en-gb-x-rp+f3 was not: "this is unacceptable" -> "miss
# him unacceptable"; nor "we get this all the time", "I will ring you back"): what the telephone
# band then does to them is what is measured.
AGENT_VOICES = ["en-us+f3", "en-gb+m3", "en-gb-scotland+f2", "en-us+m1", "en-029+f4", "en-gb-x-rp+m2",
                "en-us+f2", "en-gb+f3"]
CUSTOMER_VOICES = ["en-gb+m3", "en-us+m2", "en-us+f4", "en-us+f1", "en-us+m7"]
SPEEDS = [150, 160, 145, 155]


@dataclass(frozen=True)
class Call:
    id: str
    company: str
    agent: str
    turns: tuple[tuple[str, str], ...]
    greeting: str  # "done" or "missed": what the greeting item must come out as
    planted: tuple[tuple[int, str], ...]  # (turn index, category) of the agent's planted phrasings
    cue_turn: int
    voices: tuple[str, str]  # agent, customer
    speed: int
    split: str  # "tune" or "report"


def _call(i: int) -> Call:
    company, agent = NAMES[i]
    greeting = INCOMPLETE.get(i, GREETINGS[i % len(GREETINGS)]).format(c=company, n=agent)
    f1, f2 = FLAGS[i % len(FLAGS)], FLAGS[(i + 2) % len(FLAGS)]  # never the same category twice
    turns = (
        ("agent", greeting),
        ("customer", CUSTOMER_CUES[i % len(CUSTOMER_CUES)]),
        ("agent", EMPATHY[i % len(EMPATHY)]),
        ("agent", f1[1]),
        ("customer", CUSTOMER_MIDDLE[i % len(CUSTOMER_MIDDLE)]),
        ("agent", f2[1]),
        ("agent", CALLBACKS[i % len(CALLBACKS)]),
        ("customer", GOODBYES[i % len(GOODBYES)]),
    )
    slug = "".join(ch for ch in company.lower() if ch.isalnum())[:12]
    return Call(id=f"t{i:02d}-{slug}", company=company, agent=agent, turns=turns,
                greeting="missed" if i in INCOMPLETE else "done", planted=((3, f1[0]), (5, f2[0])), cue_turn=1,
                voices=(AGENT_VOICES[i % len(AGENT_VOICES)], CUSTOMER_VOICES[i % len(CUSTOMER_VOICES)]),
                speed=SPEEDS[i % len(SPEEDS)], split="tune" if i % 2 == 0 else "report")


CALLS: list[Call] = [_call(i) for i in range(len(NAMES))]


def by_id(ids: str | list[str] | None = None) -> list[Call]:
    if not ids:
        return list(CALLS)
    wanted = ids.split(",") if isinstance(ids, str) else ids
    known = {c.id: c for c in CALLS}
    out = []
    for w in wanted:
        hits = [c for k, c in known.items() if k == w or k.startswith(w + "-") or k.split("-")[0] == w]
        if not hits:
            raise SystemExit(f"make_telephone_call: no call {w!r} (known: {', '.join(known)})")
        out += hits
    return out


# ---------------------------------------------------------------------------------- the channel


def synth(call: Call) -> tuple[np.ndarray, list[tuple[str, float, float, str]]]:
    """The clean call: stereo float32 (samples, 2) at 16 kHz, agent left, customer right, and the
    turn times [(speaker, start, end, text)]."""
    d = demo()
    saved = dict(d.SPEED)
    d.SPEED.update({"agent": call.speed, "customer": call.speed})
    try:
        audio, times = d.synth_call(list(call.turns), voices={"agent": call.voices[0], "customer": call.voices[1]})
    finally:
        d.SPEED.clear()
        d.SPEED.update(saved)
    return np.asarray(audio, dtype=np.float32), times


def telephone(audio: np.ndarray, out: Path, codec: str = "ulaw", *, hiss_rms: float = HISS_RMS, seed: int = 0) -> Path:
    """`audio` (16 kHz, (samples, 2)) through a telephone channel into `out` (8 kHz G.711 stereo WAV)."""
    if codec not in ("ulaw", "alaw"):
        raise ValueError(f"codec must be ulaw or alaw, not {codec!r}")
    rng = np.random.default_rng(seed)
    noisy = audio + (rng.standard_normal(audio.shape) * hiss_rms).astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.wav"
        sf.write(src, np.clip(noisy, -1.0, 1.0), RATE, subtype="PCM_24")
        # -R: repeatable (sox seeds its dither); sinc: the band; -r 8000 after it: the line's rate.
        enc = "u-law" if codec == "ulaw" else "a-law"
        subprocess.run(["sox", "-R", str(src), "-r", "8000", "-e", enc, "-b", "8", "-c", "2", str(out),
                        "sinc", f"{BAND[0]}-{BAND[1]}"], check=True, stdout=subprocess.DEVNULL)
    return out


def stages(audio: np.ndarray, out: Path, channel: str, *, seed: int = 0) -> Path:
    """`audio` through some of the telephone channel's stages (a STAGES name: "band+8k", …) into `out`."""
    parts = set(channel.split("+"))
    if channel not in STAGES:
        raise ValueError(f"stages must be one of {STAGES}, not {channel!r}")
    if "hiss" in parts:
        rng = np.random.default_rng(seed)
        audio = audio + (rng.standard_normal(audio.shape) * HISS_RMS).astype(np.float32)
    enc = (["-e", "u-law", "-b", "8"] if parts & {"ulaw", "ulaw16k"} else ["-e", "signed-integer", "-b", "16"])
    band = ["sinc", f"{BAND[0]}-{BAND[1]}"] if "band" in parts else []
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.wav"
        sf.write(src, np.clip(audio, -1.0, 1.0), RATE, subtype="PCM_24")
        subprocess.run(["sox", "-R", str(src), "-r", "8000" if "8k" in parts else str(RATE), *enc, "-c", "2", str(out),
                        *band], check=True, stdout=subprocess.DEVNULL)
    return out


def _seed(call_id: str) -> int:
    return int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:4], "little")


def write_call(call: Call, out_dir: Path, channel: str = "clean") -> Path:
    """OUT_DIR/<id>.<channel>.wav (made once: an existing file is reused). `channel`: one of
    CHANNELS (the test set) or of STAGES (diagnostics)."""
    if channel not in CHANNELS + STAGES:
        raise ValueError(f"channel must be one of {CHANNELS + STAGES}, not {channel!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{call.id}.{channel}.wav"
    if path.exists():
        return path
    clean = out_dir / f"{call.id}.clean.wav"
    if clean.exists():
        audio, _ = sf.read(clean, dtype="float32")
    else:
        audio, times = synth(call)
        (out_dir / f"{call.id}.turns.json").write_text(json.dumps(times), encoding="utf-8")
        tmp = clean.with_suffix(".tmp.wav")
        sf.write(tmp, audio, RATE)
        tmp.replace(clean)
    if channel in STAGES:
        tmp = path.with_suffix(".tmp.wav")
        stages(audio, tmp, channel, seed=_seed(call.id))
        tmp.replace(path)
    elif channel != "clean":
        tmp = path.with_suffix(".tmp.wav")
        telephone(audio, tmp, channel, seed=_seed(call.id))
        tmp.replace(path)
    return path


# ------------------------------------------------------------------------------- expectations


def turn_times(call: Call, out_dir: Path) -> list[tuple[str, float, float, str]]:
    """The turn times written with the call's clean audio (write_call makes them)."""
    write_call(call, out_dir, "clean")
    return [tuple(t) for t in json.loads((out_dir / f"{call.id}.turns.json").read_text(encoding="utf-8"))]  # type: ignore[misc]


def expectations(call: Call, report: dict[str, Any], times: list[tuple[str, float, float, str]]) -> dict[str, bool]:
    """What a team lead relies on in this call's report: {expectation: met}. A planted flag or cue
    counts only on the right speaker and overlapping its turn (1 s slack: Whisper's word times drift,
    and two turns of one speaker 1.1 s apart may come out as one utterance)."""
    ev = report.get("events", [])
    ck = report.get("checklist", {})

    def flagged(category: str, turn: int) -> bool:
        speaker, start, end, _ = times[turn]
        return any(e.get("category") == category and e.get("speaker") == speaker and e.get("type") in ("flag", "cue")
                   and float(e.get("start", -9)) <= end + 1.0 and float(e.get("end", -9)) >= start - 1.0 for e in ev)

    out = {"greeting": ck.get("greeting", {}).get("status") == call.greeting,
           "cue:customer-frustration": flagged("customer-frustration", call.cue_turn),
           "empathy": ck.get("empathy", {}).get("status") == "done",
           "callback": ck.get("callback", {}).get("status") == "done"}
    for turn, cat in call.planted:
        out[f"flag:{cat}"] = flagged(cat, turn)
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--channel", action="append", choices=CHANNELS + STAGES)
    ap.add_argument("--calls", help="comma-separated call ids or prefixes (t03, t03-initech); default all")
    a = ap.parse_args(argv)
    for call in by_id(a.calls):
        for ch in a.channel or CHANNELS:
            p = write_call(call, a.out_dir, ch)
            print(f"{p}  --company {call.company!r} --agent-name {call.agent!r}  greeting={call.greeting}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
