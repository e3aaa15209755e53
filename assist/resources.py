"""Where the data that ships with assist lives: rules, role-play scenarios, the model catalogue and
the demo call.

The source tree keeps them at the top (`lexicon/`, `models/catalogue.toml`, `examples/`), where
people edit them; `assist/data/` holds relative symlinks to them, so the wheel carries real copies
(setuptools follows the links as package data) and an installed `assist` never reads the source
tree. Everything is read through `importlib.resources`, which resolves the links in a checkout and
the copies in an install alike.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _data(*parts: str) -> Path:
    # Installs are unpacked wheels (or an editable checkout), so the traversable is a real path;
    # faster-whisper, soundfile and tomllib all want one.
    return Path(str(files("assist").joinpath("data", *parts)))


def lexicon_dir() -> Path:
    """The shipped lexicons (`en.toml`, `he.toml`, their `.semantic.toml`)."""
    return _data("lexicon")


def scenarios_dir() -> Path:
    """The shipped role-play scenarios."""
    return _data("lexicon", "scenarios")


def model_catalogue() -> Path:
    """The catalogue of known speech models (name, URL, size, sha256)."""
    return _data("catalogue.toml")


def demo_call() -> Path:
    """The demo recording `assist demo` plays (two espeak-ng voices in stereo)."""
    return _data("examples", "demo-call.ogg")


def example(name: str) -> Path:
    """A shipped example transcript or recording, by file name."""
    return _data("examples", name)
