"""Settings: values are checked (not only their types), and a bad settings path is one line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assist.config import Config, load_config, save_config
from assist.errors import InputError


def test_an_unknown_engine_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    p = tmp_path / "config.toml"
    save_config(Config(company="Acme"), p)
    before = p.read_bytes()
    with pytest.raises(InputError, match=r"setting 'engine' must be vosk or whisper .* not 'kaldi'"):
        save_config(replace(Config(), engine="kaldi"), p)
    assert p.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_a_bad_value_in_the_file_names_it(tmp_path: Path) -> None:
    p = tmp_path / "config.toml"
    p.write_text('engine = "kaldi"\n')
    with pytest.raises(InputError) as e:
        load_config(p)
    assert str(e.value).startswith(f"{p}: setting 'engine'")
    p.write_text("target_call_s = -5\n")
    with pytest.raises(InputError, match="target_call_s"):
        load_config(p)


def test_a_folder_as_settings_path_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_config(tmp_path)
    assert str(e.value) == f"{tmp_path}: is a folder, not a settings file (ASSIST_CONFIG must name a .toml file)"
    with pytest.raises(InputError, match="is a folder"):
        save_config(Config(), tmp_path)


def test_an_unwritable_settings_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write the settings file"):
        save_config(Config(), blocker / "config.toml")


def test_good_values_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    cfg = replace(Config(), engine="whisper", company='Acme "Ltd"', target_call_s=240)
    save_config(cfg, p)
    assert load_config(p) == cfg
