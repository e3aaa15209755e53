"""The scorecard plays the call: tested in a real browser (headless Chromium over the DevTools protocol).

The call is real audio (two espeak-ng voices in stereo, tests/speech/calls.py); its report is made by
the real coach from utterances timed by the synthesis, so every line's time matches the audio
exactly and the test is about the page and the player, not about the recogniser. A person's clicks
are real mouse presses at the element's centre; the audio plays muted.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf

from assist.engine.coach import analyze_utterances
from assist.engine.lexicon import load_lexicon
from assist.report import render
from assist.report.player import audio_src
from assist.transcript import Utterance
from tests.cli.browser import Browser
from tests.speech.calls import CALL_TURNS, PLANTED, RATE, demo_module

pytestmark = pytest.mark.slow


def _keep(png: Path) -> None:
    keep = os.environ.get("ASSIST_SCREENSHOTS")  # a folder to keep the pictures in, for looking at them
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """(the stereo recording in calls/, its report) — the report's times are the synthesis's."""
    d = tmp_path_factory.mktemp("player")
    audio, times = demo_module().synth_call(CALL_TURNS)
    wav = d / "calls" / "call-0412.wav"
    wav.parent.mkdir()
    sf.write(wav, audio, RATE)
    utts = [Utterance(i, who, round(s, 2), round(e, 2), text) for i, (who, s, e, text) in enumerate(times)]
    rep = analyze_utterances(utts, load_lexicon("en"), company="Acme", agent_name="Dana", source=str(wav),
                             duration_s=len(audio) / RATE, speakers_by="channels")
    cats = {e["category"] for e in rep["events"] if e["type"] in ("flag", "cue")}
    assert set(PLANTED.values()) <= cats, cats
    return wav, rep


def _page(call: tuple[Path, dict[str, Any]], *, embed: bool) -> Path:
    """The scorecard in qa/ beside the recording's calls/ folder, as batch writes it."""
    wav, rep = call
    page = wav.parent.parent / "qa" / ("embedded.html" if embed else "linked.html")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render(rep, "html", audio=audio_src(wav, page, embed=embed)), encoding="utf-8")
    return page


def _ready(b: Browser) -> float:
    """Wait until the player knows the recording's length; mute it (a test machine has no ears)."""
    b.eval("document.getElementById('call-audio').muted = true")
    return float(b.wait_for("(() => { const a = document.getElementById('call-audio');"
                            " return a.readyState >= 1 && isFinite(a.duration) ? a.duration : 0; })()"))


def _player(b: Browser) -> dict[str, Any]:
    """currentTime, paused and the highlighted lines, read in one go so they belong together."""
    return dict(b.eval("""(() => { const a = document.getElementById('call-audio');
        return {t: a.currentTime, paused: a.paused, lit: [...document.querySelectorAll('tr.u.current')]
                .map(r => +r.dataset.i), head: +document.getElementById('playhead').getAttribute('x1')}; })()"""))


def _flag_times(rep: dict[str, Any]) -> list[tuple[str, float]]:
    return [(e["category"], float(e["start"])) for e in rep["events"] if e["type"] in ("flag", "cue")]


def test_page_without_a_recording_has_no_script(call: tuple[Path, dict[str, Any]]) -> None:
    page = render(call[1], "html")
    assert "<script" not in page and "<audio" not in page and "data-t=" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_click_a_flag_plays_from_it_and_the_line_follows(call: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    wav, rep = call
    page = _page(call, embed=False)
    html = page.read_text()
    assert "src='../calls/call-0412.wav'" in html  # linked beside the page, by a relative path
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing from the network
    utts = rep["utterances"]
    flags = _flag_times(rep)
    with Browser(tmp_path) as b:
        b.open(page.as_uri())
        assert _ready(b) == pytest.approx(sf.info(wav).duration, abs=0.1)
        assert b.eval("document.querySelectorAll('tr.u.current').length") == 0

        # a flag in the flags table: the player jumps to the flag's time and plays
        n_rows = b.eval("document.querySelectorAll('table.flags tr[data-t]').length")
        assert n_rows == len(flags)
        for i, (cat, t) in enumerate(flags):
            b.click(f"table.flags tr[data-t]:nth-of-type({i + 2})")  # row 1 is the header
            st = _player(b)
            assert 0 <= st["t"] - t < 0.6, (cat, t, st)
            b.wait_for("!document.getElementById('call-audio').paused")
            b.eval("document.getElementById('call-audio').pause()")

        # a timeline marker and a transcript line seek the same way
        cat, t = flags[-1]
        b.click(f"svg.timeline path.mark[data-t='{t:.2f}']")
        assert 0 <= _player(b)["t"] - t < 0.6
        b.click("tr.u[data-i='4']")
        assert 0 <= _player(b)["t"] - utts[4]["start"] < 0.6

        # playing across turns: the highlighted line is the one being spoken, and it moves on
        b.click("tr.u[data-i='0']")
        b.eval(f"document.getElementById('call-audio').currentTime = {utts[0]['end'] - 0.8}")
        seen: list[int] = []
        checked = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            st = _player(b)
            inside = [u["index"] for u in utts if u["start"] + 0.25 <= st["t"] <= u["end"] - 0.25]
            if inside:
                assert st["lit"] == inside, st
                checked += 1
            between = all(not (u["start"] - 0.25 <= st["t"] <= u["end"] + 0.3) for u in utts)
            if between:
                assert st["lit"] == [], st  # nobody speaks: nothing lit
            seen += [i for i in st["lit"] if i not in seen]
            if len(seen) >= 3:
                break
            b.eval("new Promise(r => setTimeout(r, 150))", await_promise=True)
        assert seen[:3] == [0, 1, 2] and checked >= 10, (seen, checked)
        # … and the timeline's playhead sits at the playing time
        st = _player(b)
        x0, pw, dur = (float(b.eval(f"+document.querySelector('svg.timeline').getAttribute('data-{k}')"))
                       for k in ("x0", "pw", "dur"))
        assert st["head"] == pytest.approx(x0 + pw * st["t"] / dur, abs=pw * 0.6 / dur)
        png = b.screenshot(tmp_path / "scorecard-playing.png")
        _keep(png)


def test_embedded_audio_travels_with_the_page(call: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    wav, rep = call
    page = _page(call, embed=True)
    html = page.read_text()
    assert "src='data:audio/webm;codecs=opus;base64," in html
    # the page alone: move it away from the recording
    alone = tmp_path / "elsewhere" / "call.html"
    alone.parent.mkdir()
    shutil.move(page, alone)
    kb = alone.stat().st_size / 1024
    audio_s = sf.info(wav).duration
    with Browser(tmp_path) as b:
        assert b.eval("document.createElement('audio').canPlayType('audio/webm; codecs=opus')") == "probably"
        b.open(alone.as_uri())
        assert _ready(b) == pytest.approx(audio_s, abs=0.15)
        for cat, t in _flag_times(rep):
            b.click(f"svg.timeline path.mark[data-t='{t:.2f}']")
            st = _player(b)
            assert 0 <= st["t"] - t < 0.6, (cat, t, st)
        b.wait_for("document.querySelectorAll('tr.u.current').length > 0")
    # Opus at 16 kbit/s a channel: the page grows by about 2 × 16 kbit/s × 4/3 (base64)
    assert kb < 60 + audio_s * 2 * 16 / 8 * 4 / 3 * 1.3, kb


def test_hebrew_reads_right_to_left(tmp_path: Path) -> None:
    lines = [("agent", "שלום, תודה שפנית לאקמי, מדברת דנה. איך אפשר לעזור?"),
             ("customer", "החבילה שלי לא הגיעה וזה פשוט מקומם!"),
             ("agent", "זה לא התפקיד שלי."),
             ("agent", "OK, the tracking number is RX-42.")]
    utts = [Utterance(i, who, 1.0 + 4 * i, 4.0 + 4 * i, text) for i, (who, text) in enumerate(lines)]
    rep = analyze_utterances(utts, load_lexicon("he"), company="אקמי", agent_name="דנה", source="calls/שיחה-7.wav",
                             duration_s=20.0)
    assert "not-my-job" in {e["category"] for e in rep["events"]}
    page = tmp_path / "he.html"
    page.write_text(render(rep, "html"), encoding="utf-8")
    with Browser(tmp_path, height=1100) as b:
        b.open(page.as_uri())
        dirs = b.eval("[...document.querySelectorAll('tr.u td.said')].map(td => getComputedStyle(td).direction)")
        assert dirs == ["rtl", "rtl", "rtl", "ltr"], dirs
        # a right-to-left line starts at the cell's right edge
        edge = b.eval("""(() => { const td = document.querySelector('tr.u td.said'); const r = document.createRange();
            r.selectNodeContents(td); const a = td.getBoundingClientRect(), t = r.getBoundingClientRect();
            return [a.right - t.right, t.left - a.left]; })()""")
        assert edge[0] < 12 < edge[1], edge
        assert b.eval("getComputedStyle(document.querySelector('h1 bdi')).direction") == "rtl"  # the file name
        png = b.screenshot(tmp_path / "scorecard-hebrew.png")
        _keep(png)
    assert json.dumps(rep, ensure_ascii=False).count("זה לא התפקיד שלי") >= 1


def test_which_recording_a_page_plays(call: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """report_audio_src: what replay, batch and history call for one report."""
    from assist.errors import InputError
    from assist.report.player import report_audio_src

    wav, rep = call
    page = tmp_path / "out" / "x.html"
    rel = report_audio_src(rep, page)
    assert rel is not None and not rel.startswith(("/", "file:")) and (page.parent / rel).resolve() == wav.resolve()
    assert report_audio_src(rep, None) == wav.resolve().as_uri()  # page on stdout: an absolute file URL
    assert str(report_audio_src(rep, page, embed=True)).startswith("data:audio/webm;codecs=opus;base64,")
    assert report_audio_src({"call": {"source": "calls/transcript.txt"}}, page) is None
    assert report_audio_src({"call": {"source": str(tmp_path / "moved-away.wav")}}, page) is None
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEfmt not really")
    with pytest.raises(InputError, match="bad.wav"):
        report_audio_src({"call": {"source": str(bad)}}, page, embed=True)
