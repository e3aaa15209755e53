"""The history screen lists stored calls (newest first) and opens a call's report on Enter."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Markdown, Static

from assist.store import open_store
from assist.ui.history_screen import CallReportScreen, HistoryApp, HistoryScreen
from tests.cli.test_report import BAD, GOOD, coach

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


async def test_lists_calls_and_opens_one(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "h.sqlite3"))
    t0 = datetime(2026, 11, 20, 10, 0)
    good = store.save_call(coach(GOOD, "Dana", "good.wav"), kind="replay", created_at=t0)
    bad = store.save_call(coach(BAD, "Omar", "bad.wav"), kind="batch", created_at=t0 + timedelta(hours=1))
    app = HistoryApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        assert [table.get_row_at(i)[0] for i in range(2)] == [str(bad), str(good)]  # newest first
        assert table.get_row_at(0)[3] == "Omar" and table.get_row_at(0)[4] == "bad.wav"
        assert "2 calls" in str(screen.query_one("#history-title", Static).render())
        await pilot.press("down", "enter")  # the second row: Dana's call
        await pilot.pause()
        assert isinstance(app.screen, CallReportScreen) and app.screen.call_id == good
        md = app.screen.query_one(Markdown)
        assert "Call report" in md.source and "good.wav" in md.source
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        # a call stored meanwhile shows up on refresh
        store.save_call(coach(GOOD, "Lea", "new.wav"), kind="live", created_at=t0 + timedelta(days=1))
        await pilot.press("r")
        await pilot.pause()
        assert table.row_count == 3 and table.get_row_at(0)[3] == "Lea"
    store.close()


async def test_replay_key_returns_the_recording(tmp_path: Path) -> None:
    wav = tmp_path / "kept.wav"
    wav.write_bytes(b"RIFF")  # only its existence matters here: the replay TUI opens it after this app
    store = open_store(str(tmp_path / "h.sqlite3"))
    gone = store.save_call(coach(GOOD, "Dana", str(tmp_path / "moved.wav")), kind="replay",
                           created_at=datetime(2026, 11, 20))
    kept = store.save_call(coach(GOOD, "Dana", str(wav)), kind="replay", created_at=datetime(2026, 11, 21))
    app = HistoryApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # the older call: its file is gone
        await pilot.pause()
        assert isinstance(app.screen, CallReportScreen) and app.screen.call_id == gone
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CallReportScreen)  # still here, with a warning
        await pilot.press("escape", "up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CallReportScreen) and app.screen.call_id == kept
        await pilot.press("p")
        await pilot.pause()
    assert app.return_value == str(wav)
    store.close()


async def test_empty_history_says_so(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "h.sqlite3"))
    app = HistoryApp(store, agent="Nobody")
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        title = str(app.screen.query_one("#history-title", Static).render())
        assert "0 calls of Nobody" in title and "nothing stored yet" in title
        await pilot.press("q")
    store.close()
