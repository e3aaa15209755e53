"""Mono recordings split into agent and customer by voice (assist.speech.diarize), on real audio:
espeak-ng calls made in stereo (the truth) and mixed down to mono, as a mono recorder keeps them.

Voice pairs (tests/speech/mono_calls.py): "different" (US woman / British man), "similar" (two US
women: same accent and pitch range), "one" (the same voice on both sides). A fourth pair,
"near-identical" (two US men 3-5 % apart), is beyond the encoder; benchmarks/bench_diarize.py and
docs/team.md report it, no test pretends otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.speech.mono_calls import REPORT, mono_of, stereo_call

pytestmark = pytest.mark.slow
RATE = 16000


def _right_share(stereo: np.ndarray, split: np.ndarray) -> float:
    """Share of the speech (samples where exactly one side of the stereo original speaks, by 50 ms
    energy) that the split put on that speaker's side."""
    from scipy.ndimage import uniform_filter1d

    active = uniform_filter1d(stereo.astype(np.float64) ** 2, 800, axis=0) > 1e-5
    one = active[:, 0] ^ active[:, 1]
    truth = np.where(active[:, 0], 0, 1)
    got = np.where(split[0] != 0, 0, np.where(split[1] != 0, 1, -1))
    m = one & (got >= 0)
    return float((got[m] == truth[m]).mean())


def test_mel_front_end_is_librosas() -> None:
    librosa = pytest.importorskip("librosa")  # comes with resemblyzer
    from assist.speech.voices import mel_frames

    x = np.random.default_rng(1).standard_normal(RATE * 3).astype(np.float32) * 0.1
    ref = librosa.feature.melspectrogram(y=x, sr=RATE, n_fft=400, hop_length=160, n_mels=40).T
    ours = mel_frames(x)
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) <= 1e-4 * np.max(ref)


def test_encoder_tells_voices_apart_and_loads_without_importing_resemblyzer() -> None:
    from assist.speech.voices import VoiceEncoder, normalize_volume
    from tests.speech.calls import demo_module

    enc = VoiceEncoder()
    assert "resemblyzer" not in sys.modules  # its __init__ imports webrtcvad -> pkg_resources (gone)
    say = demo_module().say
    lines = ["Thank you for calling, how can I help you today?", "Let me check the tracking number for you.",
             "My parcel never arrived and I am upset about it."]
    emb = {v: [enc.embed_utterance(normalize_volume(say(t, v, 150))) for t in lines] for v in ("en-us+f3", "en-gb+m3")}
    same = [float(emb[v][i] @ emb[v][j]) for v in emb for i in range(3) for j in range(i + 1, 3)]
    cross = [float(emb["en-us+f3"][i] @ emb["en-gb+m3"][j]) for i in range(3) for j in range(3)]
    assert min(same) > max(cross) + 0.1, (same, cross)


@pytest.mark.parametrize("pair", ["different", "similar"])
@pytest.mark.parametrize("gaps", ["long", "mixed", "overlap"])
def test_two_voices_are_split_and_the_agent_is_the_one_who_opens(pair: str, gaps: str) -> None:
    from assist.speech.diarize import split_mono

    shares = []
    for name in REPORT:
        stereo, times = stereo_call(name, pair, gaps)
        split, info = split_mono(mono_of(stereo), RATE)
        assert split.shape == (2, len(stereo))
        assert info.voices == 2 and info.agent_is == "first voice", info
        # every sample is on exactly one side, unchanged
        assert np.allclose(split.sum(axis=0), mono_of(stereo)) and not np.any((split[0] != 0) & (split[1] != 0))
        shares.append(_right_share(stereo, split))
    # with overlap, a turn that starts over the other's end is partly on the wrong side
    assert min(shares) >= (0.90 if gaps == "overlap" else 0.97), shares


def test_one_voice_is_not_split() -> None:
    from assist.speech.diarize import split_mono

    for name in REPORT:
        stereo, _ = stereo_call(name, "one", "mixed")
        split, info = split_mono(mono_of(stereo), RATE)
        assert info.voices == 1 and info.agent_is == "only voice", info
        assert not split[1].any() and np.allclose(split[0], mono_of(stereo))


def test_agent_first_false_gives_the_opening_voice_to_the_customer() -> None:
    from assist.speech.diarize import split_mono

    stereo, _ = stereo_call("billing", "different", "mixed")
    a, _ = split_mono(mono_of(stereo), RATE)
    b, info = split_mono(mono_of(stereo), RATE, agent_first=False)
    assert info.agent_is == "second voice" and np.array_equal(a[0], b[1]) and np.array_equal(a[1], b[0])


def test_load_call_splits_a_mono_file_and_says_how(tmp_path: Path) -> None:
    from assist.report.html import to_html
    from assist.report.markdown import to_markdown
    from assist.speech.audio import load_call

    stereo, _ = stereo_call("router", "different", "mixed")
    p = tmp_path / "mono.flac"
    sf.write(p, mono_of(stereo), RATE)
    audio = load_call(p, mono_speaker="voice")
    assert set(audio.tracks) == {"agent", "customer"} and audio.speakers_by == "voice"
    fields = audio.call_fields()
    assert fields["speakers_by"] == "voice" and fields["voice_split"]["voices"] == 2
    json.dumps(fields)  # goes into the JSON report as is
    assert _right_share(stereo, np.stack([audio.tracks["agent"], audio.tracks["customer"]])) >= 0.95
    forced = load_call(p, mono_speaker="customer")
    assert list(forced.tracks) == ["customer"] and forced.call_fields() == {"speakers_by": "forced"}
    rep = {"call": {"source": str(p), **fields}, "utterances": [], "events": [], "checklist": {}}
    assert "told apart by voice" in to_html(rep) and "told apart by voice" in to_markdown(rep)
    stereo_file = tmp_path / "stereo.wav"
    sf.write(stereo_file, stereo, RATE)
    assert load_call(stereo_file, mono_speaker="voice").call_fields() == {"speakers_by": "channels"}


def test_words_and_flags_survive_the_mix_down(figures: object) -> None:
    """The measure that matters: a stereo call mixed to mono, split, transcribed (Whisper tiny.en,
    whole-file path) and coached. Share of the words given to the right speaker (truth: the stereo
    channels) and share of the stereo report's flags found in the mono one; goal ≥ 0.90 each.
    Today's behaviour (the mono file is all agent) is the baseline."""
    from assist.speech.factory import pick_engine
    from tests.speech.mono_calls import measure, summarise

    eng = pick_engine(None, None, "en", ("Acme", "Dana"))
    lines = ["pair       calls words  words→right  flags  found  extra | baseline words→right  found"]
    for pair in ("different", "similar"):
        rows = [measure(name, pair, "mixed", eng) for name in REPORT[:2]]
        s = summarise(rows)
        lines.append(f"{pair:10} {s['calls']:5} {s['words']:5}  {s['word_share']:11.3f}  {s['flags']:5}  "
                     f"{s['flag_share']:5.2f}  {s['flags_extra']:5} | {s['base_word_share']:20.3f}  {s['base_flag_share']:5.2f}")
        assert s["word_share"] >= 0.90, rows
        assert s["flag_share"] >= 0.90, rows
        assert s["word_share"] > s["base_word_share"] + 0.1 and s["flag_share"] > s["base_flag_share"], rows
    figures.add("Mono calls split by voice (Whisper tiny.en; espeak-ng calls mixed down to mono)",  # type: ignore[attr-defined]
                "\n".join(lines))
