"""Store URLs are validated, and a read-only opening (history, report) never creates a database
(issue 14): `sqlite:////nonexistent/dir/x.db`, `::::`, a file that is not a database, a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.errors import AssistError, InputError
from assist.store import NoStoreError, open_store


def listing(p: Path) -> set[str]:
    return {str(x.relative_to(p)) for x in p.rglob("*")}


def test_read_only_never_creates_a_file_or_folder(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.db"
    with pytest.raises(NoStoreError) as e:
        open_store(f"sqlite:///{target}", create=False)
    assert str(e.value).startswith(f"{target}: no call history here") and "\n" not in str(e.value)
    assert listing(tmp_path) == set()
    with pytest.raises(NoStoreError):
        open_store(str(tmp_path / "bare.db"), create=False)
    assert listing(tmp_path) == set()


def test_read_only_opens_an_existing_history_and_leaves_an_empty_file_alone(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with open_store(str(db)) as s:  # a writer creates it
        assert s.count_calls() == 0
    with open_store(str(db), create=False) as s:
        assert s.count_calls() == 0
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(NoStoreError):
        open_store(str(empty), create=False)
    assert empty.read_bytes() == b"", "a read-only opening wrote into the file"


@pytest.mark.parametrize("url", ["::::", ":memory:x", "localhost:5432/calls", "  "])
def test_a_malformed_url_is_one_line_and_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         url: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="neither a database URL .* nor a file path|not a database URL") as e:
        open_store(url)
    assert "\n" not in str(e.value)
    assert listing(tmp_path) == set()


@pytest.mark.parametrize("create", [True, False])
def test_a_file_that_is_not_a_database(tmp_path: Path, create: bool) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n" * 100)
    with pytest.raises(InputError) as e:
        open_store(str(notes), create=create)
    assert str(e.value) == f"{notes}: not a call history: the file is not an SQLite database"
    assert notes.read_text() == "my shopping list\n" * 100


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        open_store(str(tmp_path), create=True)


def test_someone_elses_database_is_refused_not_written(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE recipes (name TEXT)")
    before = other.read_bytes()
    for create in (True, False):
        with pytest.raises(InputError, match="a database, but not an assist call history"):
            open_store(str(other), create=create)
    assert other.read_bytes() == before


def test_a_corrupt_database_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(AssistError) as e:
        open_store(str(bad), create=False)
    assert "cannot open the call history" in str(e.value) and "\n" not in str(e.value)
