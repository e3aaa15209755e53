"""Decoding recordings: formats, channels -> speakers, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from assist.errors import InputError
from assist.speech.audio import RATE, load_call
from assist.speech.segment import merge_speakers, split_at_pauses
from assist.speech.sources import FileSource, PacedFileSource
from assist.transcript import Word
from tests.speech.calls import call_wav, converted


def _tone(seconds: float, freq: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_stereo_is_agent_left_customer_right_and_swap_reverses(tmp_path: Path) -> None:
    left, right = _tone(1.0, 440), np.zeros(RATE, dtype=np.float32)
    p = tmp_path / "s.wav"
    sf.write(p, np.stack([left, right], axis=1), RATE)
    call = load_call(p)
    assert set(call.tracks) == {"agent", "customer"}
    assert np.sqrt(np.mean(call.tracks["agent"] ** 2)) > 0.1
    assert np.sqrt(np.mean(call.tracks["customer"] ** 2)) < 1e-3
    swapped = load_call(p, swap=True)
    assert np.sqrt(np.mean(swapped.tracks["customer"] ** 2)) > 0.1


def test_mono_is_one_speaker_and_is_resampled_to_16k(tmp_path: Path) -> None:
    p = tmp_path / "m.wav"
    sf.write(p, _tone(2.0, 300, 44100), 44100)
    call = load_call(p, mono_speaker="customer")
    assert list(call.tracks) == ["customer"]
    assert call.duration == pytest.approx(2.0, abs=0.02)


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "flac", "m4a"])
def test_common_formats_decode_to_the_same_call(fmt: str) -> None:
    wav, _ = call_wav()
    ref = load_call(wav)
    other = load_call(converted(fmt))
    assert set(other.tracks) == {"agent", "customer"}
    assert other.duration == pytest.approx(ref.duration, abs=0.1)  # codec padding only
    # the speech stays on its channel: loud where the reference is loud
    for sp in ("agent", "customer"):
        a, b = ref.tracks[sp], other.tracks[sp]
        n = min(len(a), len(b)) // 1600 * 1600
        ea = np.sqrt((a[:n].reshape(-1, 1600) ** 2).mean(axis=1))
        eb = np.sqrt((b[:n].reshape(-1, 1600) ** 2).mean(axis=1))
        assert np.corrcoef(ea, eb)[0, 1] > 0.9


@pytest.mark.parametrize("content, problem", [
    (b"", "empty file"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt garbage" + bytes(range(256)) * 8, "cannot decode audio"),
    (b"hello, I am a text file\n" * 50, "cannot decode audio"),
])
def test_bad_files_are_one_line_input_errors_naming_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    p = tmp_path / "bad.wav"
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_call(p)
    msg = str(e.value)
    assert msg.startswith(str(p)) and problem in msg and "\n" not in msg


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_call(tmp_path / "nope.wav")
    with pytest.raises(InputError, match="directory"):
        load_call(tmp_path)


def test_split_at_pauses_and_merge_by_time() -> None:
    w = [Word("a", 0.0, 0.3), Word("b", 0.4, 0.6), Word("c", 2.0, 2.3)]
    assert [[x.text for x in g] for g in split_at_pauses(w)] == [["a", "b"], ["c"]]
    utts = merge_speakers({"agent": w, "customer": [Word("x", 1.0, 1.5)]})
    assert [(u.speaker, u.text) for u in utts] == [("agent", "a b"), ("customer", "x"), ("agent", "c")]
    assert [u.index for u in utts] == [0, 1, 2]


def test_file_source_blocks_cover_the_call_and_paced_source_keeps_time() -> None:
    import time

    wav, _ = call_wav()
    call = load_call(wav)
    blocks = list(FileSource(call, block_s=0.5).blocks())
    assert sum(len(b["agent"]) for _, b in blocks) == len(call.tracks["agent"])
    assert [t for t, _ in blocks] == sorted(t for t, _ in blocks)
    paced = PacedFileSource(call, block_s=0.1, speed=4.0)
    t0 = time.monotonic()
    for t, _b in paced.blocks():
        if t >= 2.0:
            break
    # 2 s of audio at 4x speed takes about 0.5 s of wall time — not instant, not real time
    assert 0.4 <= time.monotonic() - t0 <= 1.5


def _six_channels(tmp_path: Path, fmt: str = "wav") -> Path:
    """Six channels, each a different tone; channel 3 the loudest."""
    tracks = [_tone(1.0, 200 + 100 * i) * (2.0 if i == 3 else 0.5) for i in range(6)]
    p = tmp_path / f"six.{fmt}"
    sf.write(p, np.stack(tracks, axis=1), RATE)
    return p


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_more_than_two_channels_is_refused_not_mixed(tmp_path: Path, fmt: str) -> None:
    """Issue 14: a 6-channel recording was mixed down silently, the agent's words landing in the
    customer's track."""
    p = _six_channels(tmp_path, fmt)
    with pytest.raises(InputError) as e:
        load_call(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}: 6 audio channels: assist reads mono or stereo") and "\n" not in msg


def test_two_of_many_channels_can_be_picked(tmp_path: Path) -> None:
    p = _six_channels(tmp_path)
    call = load_call(p, channels=(3, 0))
    agent, customer = call.tracks["agent"], call.tracks["customer"]
    # The agent is channel 3 itself (its tone, its level), not a mix.
    spectrum = np.abs(np.fft.rfft(agent))
    assert abs(np.argmax(spectrum) * RATE / len(agent) - 500) < 5
    assert np.sqrt(np.mean(agent ** 2)) > 2.5 * np.sqrt(np.mean(customer ** 2))
    with pytest.raises(InputError, match="the file has 6 channel"):
        load_call(p, channels=(0, 6))
    with pytest.raises(InputError, match="two different ones"):
        load_call(p, channels=(2, 2))
