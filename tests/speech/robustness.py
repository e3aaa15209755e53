"""How robust is a test line? Transcribe it with the real Whisper tiny.en under small perturbations
(three espeak-ng voices for its speaker x speed 135/150/165) and check what a test would assert.

    python3 -m tests.speech.robustness LINES.txt [--stream]

LINES.txt, one probe a line, `speaker | expectation | text`:
    agent | known-issue | It's happening to thousands of people right now.
    customer | customer-frustration | My patience has completely run out.
    agent | ck:callback | I will phone you on Friday at noon.
expectation: a category that must be flagged (lexical or semantic), `!category` (must not be),
`-` (nothing flagged), `ck:greeting|empathy|callback` (the checklist item must be done). Each line
is coached after a greeting and a customer outburst, except `ck:greeting` lines, which open the call.
`--stream` decodes as the live pipeline does (WhisperStream in 0.1 s blocks) instead of whole-file.

Prints `held/variants`, the similarity to the expected category against its threshold, and what
was heard where it failed. A line for a real-audio test should hold in every variant; where one
cannot, the test should ask for a stated share over several lines (see tests/speech/calls.py).
Not a test: it takes a minute or more per dozen lines on two cores.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tests.speech.calls import RATE, demo_module

VOICES = {"agent": ["en-us+f3", "en+f2", "en-us+m3"], "customer": ["en-gb+m3", "en-us+m7", "en+f4"]}
SPEEDS = [135, 150, 165]


def main(argv: list[str]) -> int:
    from assist.engine import semantic as S
    from assist.engine.coach import Coach
    from assist.engine.lexicon import load_lexicon
    from assist.speech.models import resolve_model
    from assist.speech.whisper_asr import WhisperASR, WhisperStream
    from assist.transcript import Utterance

    stream = "--stream" in argv
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 1:
        print(__doc__)
        return 2
    en = load_lexicon("en")
    det, why = S.load_detector(en)
    if det is None:
        print(f"no semantic detector ({why}): lexical rules only", file=sys.stderr)
    asr = WhisperASR(resolve_model("whisper").path, hotwords=("Acme", "Dana"))

    def hear(x: np.ndarray) -> str:
        if not stream:
            return " ".join(w.text for w in asr.transcribe(x))
        st = WhisperStream(asr)
        segs = []
        for i in range(0, len(x), RATE // 10):
            segs += st.accept(x[i:i + RATE // 10])
        segs += st.finish()
        return " ".join(w.text for s in segs if s.final for w in s.words)

    def judge(speaker: str, expect: str, text: str) -> tuple[bool, str]:
        coach = Coach(en, company="Acme", agent_name="Dana", semantic=det)
        if expect != "ck:greeting":
            coach.feed(Utterance(0, "agent", 0.0, 1.0, "Thank you for calling Acme, this is Dana."))
            coach.feed(Utterance(1, "customer", 1.5, 3.0, "This is ridiculous."))
        evs = coach.feed(Utterance(len(coach.utterances), speaker, 4.0, 7.0, text))
        got = {e.category for e in evs if e.type in ("flag", "cue")}
        if expect.startswith("ck:"):
            ok = coach.checklist(live=True)[expect[3:]]["status"] == "done"
        elif expect == "-":
            ok = not got
        elif expect.startswith("!"):
            ok = expect[1:] not in got
        else:
            ok = expect in got
        return ok, ",".join(sorted(got))

    for raw in Path(paths[0]).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        speaker, expect, text = (p.strip() for p in raw.split("|", 2))
        held, sims, misses = 0, [], []
        for voice in VOICES[speaker]:
            for speed in SPEEDS:
                pad = np.zeros(RATE // 2, dtype=np.float32)
                heard = hear(np.concatenate([pad, demo_module().say(text, voice, speed) * 0.8, pad]))
                ok, got = judge(speaker, expect, heard)
                held += ok
                cat = expect.lstrip("!")
                if det is not None and cat in det.protos.categories:
                    sims.append(max((s.similarity for s in det.score(heard, speaker) if s.category == cat), default=0.0))
                if not ok:
                    misses.append(f"    {voice}@{speed}: {heard!r} -> {got or 'nothing'}")
        total = len(VOICES[speaker]) * len(SPEEDS)
        sim = ""
        if sims and det is not None:
            sim = f"  similarity min {min(sims):.2f} (threshold {det.protos.categories[expect.lstrip('!')].threshold})"
        print(f"{held}/{total}  {speaker:8} {expect:22} {text}{sim}", flush=True)
        for m in misses:
            print(m, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
