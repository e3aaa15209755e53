"""Calls as contact centres keep them: 8 kHz G.711 (μ-law, A-law), telephone band, line hiss.

The channel is checked directly; then a handful of the telephone set's calls (tests/speech/telephone.py,
recipe in scripts/make_telephone_call.py) go through the whole-file path and what a team lead relies
on is asserted as a share over the calls — never one recogniser word.

The shares are floors at the level measured with Whisper tiny.en (docs/speech.md, "Telephone
audio"): on these 8 calls 0.67-0.71 of the expectations met on the telephone channels, 7/8 and
0.96 on clean audio. Greetings: 5/8 on both telephone channels by name alone; with the greeting's
introduction counted when a name is garbled (assist/engine/coach/greeting.py) 7/8 μ-law and 8/8
A-law — the floor of 6/8 fails without it. They are below issue 17's goal (0.95): they guard
against a regression, they do not claim the goal.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import Figures
from tests.speech.calls import workdir
from tests.speech.telephone import CI_CALLS, expectations, tel

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("channel", "subtype"), [("ulaw", "ULAW"), ("alaw", "ALAW")])
def test_the_channel_is_8_khz_g711_stereo_in_the_telephone_band(channel: str, subtype: str) -> None:
    call = tel().by_id("t00")[0]
    path = tel().write_call(call, workdir() / "telephone", channel)
    info = sf.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (8000, 2, subtype)
    x, sr = sf.read(path, dtype="float32")
    agent = x[:, 0]
    spec = np.abs(np.fft.rfft(agent)) ** 2
    freqs = np.fft.rfftfreq(len(agent), 1 / sr)
    in_band = spec[(freqs >= 300) & (freqs <= 3400)].sum()
    low = spec[freqs < 150].sum()
    assert low < 0.01 * in_band  # the band's lower edge: hum and rumble gone
    # line hiss: the silence before the first word is not digital silence
    lead = agent[: int(0.3 * sr)]
    assert 0.0005 < float(np.sqrt(np.mean(lead**2))) < 0.01


def test_8_khz_files_keep_their_rate_and_decode_as_well_as_a_polyphase_resampler() -> None:
    """The loader says the file's own rate (8 kHz G.711 told apart from 16 kHz) and its 8 -> 16 kHz
    resampling loses nothing against scipy's polyphase resampler: same samples to > 40 dB (measured
    ~60), no imaging above 4 kHz. So the telephone loss is the channel, not our decoding of it."""
    from scipy.signal import resample_poly

    from assist.speech.audio import load_call, resample

    call = tel().by_id("t00")[0]
    path = tel().write_call(call, workdir() / "telephone", "ulaw")
    audio = load_call(path)
    assert audio.source_rate == 8000
    clean = load_call(tel().write_call(call, workdir() / "telephone", "clean"))
    assert clean.source_rate == 16000
    raw, _ = sf.read(path, dtype="float32", always_2d=True)
    ref = resample_poly(raw[:, 0], 2, 1)
    ours = audio.tracks["agent"][: len(ref)]
    err = ours - ref[: len(ours)]
    assert 10 * np.log10(np.sum(ref**2) / np.sum(err**2)) > 40  # dB: measured ~60
    spec = np.abs(np.fft.rfft(ours)) ** 2
    freqs = np.fft.rfftfreq(len(ours), 1 / 16000)
    assert spec[freqs > 4200].sum() < 1e-4 * spec[(freqs >= 300) & (freqs <= 3400)].sum()
    # the soundfile fallback (a file PyAV cannot open) resamples as well (it interpolated linearly: 12.6 dB)
    fallback = resample(np.ascontiguousarray(raw.T), 8000)
    assert fallback.shape == (2, 2 * len(raw))
    err = fallback[0] - ref
    assert 10 * np.log10(np.sum(ref**2) / np.sum(err**2)) > 40


def test_the_set_has_30_calls_with_varied_names_and_hard_negatives() -> None:
    calls = tel().CALLS
    assert len(calls) >= 30
    assert len({c.company for c in calls}) == len(calls) and len({c.agent for c in calls}) == len(calls)
    assert any(" " in c.company for c in calls) and any(not c.agent.isascii() for c in calls)
    assert sum(c.greeting == "missed" for c in calls) >= 4
    assert {c.split for c in calls} == {"tune", "report"}


def _shares(channel: str) -> tuple[int, float, list[tuple[str, list[str]]]]:
    greet = 0
    met = total = 0
    missed: list[tuple[str, list[str]]] = []
    for cid in CI_CALLS:
        ex = expectations(cid, channel)
        greet += ex["greeting"]
        met += sum(ex.values())
        total += len(ex)
        missed.append((cid, [k for k, v in ex.items() if not v]))
    return greet, met / total, missed


@pytest.mark.parametrize("channel", ["ulaw", "alaw"])
def test_telephone_calls_keep_the_greeting_and_the_expectations_at_the_measured_level(channel: str, figures: Figures) -> None:
    greet, share, missed = _shares(channel)
    figures.add(f"telephone ({channel}), {len(CI_CALLS)} calls, Whisper whole file",
                f"greeting {greet}/{len(CI_CALLS)}, expectations met {share:.3f}; missed: {missed}")
    assert greet >= 6, missed  # 5/8 by name alone: the introduction must carry at least one more
    assert share >= 0.6, missed


def test_clean_versions_of_the_same_calls_stay_high(figures: Figures) -> None:
    greet, share, missed = _shares("clean")
    figures.add(f"clean, {len(CI_CALLS)} calls", f"greeting {greet}/{len(CI_CALLS)}, expectations met {share:.3f}")
    assert greet >= 7, missed
    assert share >= 0.9, missed
