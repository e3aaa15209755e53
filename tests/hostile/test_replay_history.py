"""Issue 14 (9): the replay screen polluted the call history — quitting before the analysis ended
stored a partial call (scores 78 and 64 for a call that scores 57), and each replay of the same
recording added another row, which the team report counted.

A replay is stored once per recording and settings (a second replay updates that row) and only when
its analysis is complete. What the screen calls when it saves is `save_report` (assist.session.
outputs); a quit before the end hands it `CallPipeline.report_so_far`, which marks the report partial.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from assist.config import Config
from assist.engine.coach import Coach
from assist.session.outputs import save_report
from assist.session.pipeline import CallPipeline
from assist.session.scoring import score_transcript
from assist.session.spec import CallOptions, CallSpec, resolve_spec
from assist.store import open_store

ROOT = Path(__file__).resolve().parents[2]
DEMO_TXT = ROOT / "examples" / "demo-call.txt"


def _spec(tmp: Path, wav: Path, **kw: Any) -> CallSpec:
    spec = resolve_spec(CallOptions(source=str(wav), semantic=False, store_url=str(tmp / "h.sqlite3"), **kw), Config())
    return replace(spec, reports_dir=tmp / "reports")


def _recording(p: Path, hz: float) -> Path:
    t = np.arange(8000) / 16000
    sf.write(p, np.stack([0.2 * np.sin(2 * np.pi * hz * t)] * 2, axis=1).astype(np.float32), 16000)
    return p


def _replays(tmp: Path) -> list[Any]:
    with open_store(str(tmp / "h.sqlite3")) as store:
        return store.list_calls(kind="replay")


def test_a_second_replay_of_a_recording_updates_its_row(tmp_path: Path) -> None:
    wav = _recording(tmp_path / "call.wav", 300)
    spec = _spec(tmp_path, wav)
    report = score_transcript(spec, DEMO_TXT)  # the analysis the replay would have made
    first = save_report(report, spec, "a", kind="replay")
    assert first.history_error is None
    again = save_report({**report, "score": 12}, spec, "b", kind="replay")
    assert again.history_error is None
    rows = _replays(tmp_path)
    assert len(rows) == 1 and rows[0].score == 12, rows
    # other settings (another agent's name in the greeting) or another recording: another call
    save_report(report, replace(spec, agent_name="Omar"), "c", kind="replay")
    save_report(report, replace(spec, source=str(_recording(tmp_path / "other.wav", 500))), "d", kind="replay")
    assert len(_replays(tmp_path)) == 3


def test_a_replay_quit_before_its_analysis_ended_is_not_stored(tmp_path: Path) -> None:
    wav = _recording(tmp_path / "call.wav", 300)
    spec = _spec(tmp_path, wav)
    coach = Coach(spec.lexicon)
    pipe = CallPipeline(source=None, recognizer_factory=None, coach=coach, sink=lambda m: None,  # type: ignore[arg-type]
                        engine="none", model="none")
    partial = pipe.report_so_far(source=str(wav), duration_s=3.0)
    assert partial["call"]["partial"] is True
    saved = save_report(partial, spec, "quit", kind="replay")
    assert saved.history_error is None and [p.name for p in saved.files] == ["quit.json", "quit.md"]
    assert not (tmp_path / "h.sqlite3").exists() or _replays(tmp_path) == []
    # a live call quit early is still that call: stored
    save_report(partial, spec, "live", kind="live")
    with open_store(str(tmp_path / "h.sqlite3")) as store:
        assert [c.kind for c in store.list_calls()] == ["live"]


class _Silent:
    """A recogniser that hears nothing (this layer's test: what the pipeline reports, not what is heard)."""

    def accept(self, samples: Any) -> list[Any]:
        return []

    def finish(self) -> list[Any]:
        return []


def _pipeline_report(stop_at_s: float | None) -> dict[str, Any]:
    """A 6 s recording through the real streaming pipeline; `stop_at_s`: quit there (as the replay
    screen's `q` does: pipe.stop(), and the analysis ends with CallEnded)."""
    from assist.session.messages import CallMessage, Position
    from assist.speech.audio import CallAudio
    from assist.speech.sources import FileSource

    t = np.zeros(6 * 16000, dtype=np.float32)
    spec = resolve_spec(CallOptions(semantic=False), Config())
    pipe: CallPipeline | None = None

    def sink(m: CallMessage) -> None:
        if stop_at_s is not None and isinstance(m, Position) and m.t >= stop_at_s and pipe is not None:
            pipe.stop()

    pipe = CallPipeline(FileSource(CallAudio({"agent": t, "customer": t}, "call.wav"), block_s=0.25),
                        lambda sp: _Silent(), Coach(spec.lexicon), sink)  # type: ignore[arg-type,return-value]
    return pipe.run()


def test_a_replay_stopped_during_its_analysis_reports_partial_and_a_whole_one_does_not() -> None:
    assert _pipeline_report(stop_at_s=1.0)["call"].get("partial") is True
    assert "partial" not in _pipeline_report(stop_at_s=None)["call"]
