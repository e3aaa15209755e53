"""`assist batch --cluster`: a real Dask scheduler and two workers on loopback, real calls (espeak-ng
voices through Whisper tiny.en), a real PostgreSQL as the team's history.

One worker is SIGKILLed while it holds a call: its calls are scored by the other, every call is
stored exactly once, the reports are the ones a local run makes, and a second run stores nothing new.
The workers are separate processes without a nanny (a nanny would restart the killed one) and get
no access to the files beyond the bytes sent with each task (they run in their own temp folder).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf

from assist.store import content_hash, open_store
from tests.speech.calls import demo_module
from tests.store.conftest import pg_server  # noqa: F401 - fixture: a PostgreSQL server on loopback
from tests.store.pg import PgServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Short calls with something to find in each: flags, a checklist item. Distinct words, so distinct content.
CALLS = [
    [("agent", "Thank you for calling Acme, this is Dana."), ("customer", "My internet is down, this is ridiculous."),
     ("agent", "That is not my job.")],
    [("agent", "Hello, Acme support."), ("customer", "I was charged twice this month."),
     ("agent", "I'll see what I can do.")],
    [("agent", "Thank you for calling Acme."), ("customer", "I need a new router please."),
     ("agent", "No, that is not possible.")],
    [("agent", "Acme, this is Omar."), ("customer", "My bill is wrong again."),
     ("agent", "Calm down, that is our policy.")],
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data: Path) -> dict[str, str]:
    env = {"ASSIST_CONFIG": "/nonexistent/assist.toml", "ASSIST_DATA_DIR": str(data), "PATH": os.environ["PATH"],
           "HOME": str(data), "HF_HUB_OFFLINE": "1", "COLUMNS": "120",
           # the same thread count as the local run's, so both make the very same arithmetic
           "ASSIST_CPU_THREADS": str(os.cpu_count() or 1)}
    env["PYTHONPATH"] = os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH", "")) if x)
    return env


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    synth = demo_module()
    d = tmp_path_factory.mktemp("calls")
    for i, turns in enumerate(CALLS):
        audio, _ = synth.synth_call(turns, gap_s=0.6, lead_s=0.3)
        sf.write(d / f"call-{i}.wav", audio, synth.RATE)
    (d / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8)
    shutil.copy(ROOT / "lexicon" / "en.toml", d.parent / "en-frozen.toml")  # the lexicon may be edited meanwhile
    return d


@pytest.fixture()
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    pytest.importorskip("distributed", reason="the cluster extra is not installed: pip install '.[cluster]'")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = _env(tmp_path / "worker-home")
    dask = [sys.executable, "-m", "dask"]
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = []
    try:
        log = (tmp_path / "scheduler.log").open("wb")
        logs.append(log)
        procs["scheduler"] = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                               "--no-dashboard"], env=env, stdout=log, stderr=log, cwd=tmp_path)
        for name in ("w1", "w2"):
            wd = tmp_path / name
            wd.mkdir()
            log = (tmp_path / f"{name}.log").open("wb")
            logs.append(log)
            procs[name] = subprocess.Popen([*dask, "worker", addr, "--name", name, "--nthreads", "1", "--no-nanny",
                                            "--no-dashboard", "--local-directory", str(wd)],
                                           env=env, stdout=log, stderr=log, cwd=wd)
        from distributed import Client

        with Client(addr, timeout="60s", set_as_default=False) as c:
            c.wait_for_workers(2, timeout=90)
        yield addr, procs
    finally:
        for p in procs.values():  # nothing of theirs outlives the test (their folders are in tmp_path)
            if p.poll() is None:
                p.kill()
            p.wait()
        for f in logs:
            f.close()


def _batch(calls: Path, out: Path, db: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "assist", "batch", str(calls), "--out", str(out), "--db", db, "--no-semantic",
            "--company", "Acme", "--lexicon", str(calls.parent / "en-frozen.toml"), *extra]


def _kill_a_busy_worker(addr: str, procs: dict[str, subprocess.Popen[bytes]], db: str,
                        batch: subprocess.Popen[str]) -> tuple[str, set[str]]:
    """Once the run has stored a call, SIGKILL a worker that is scoring one. Returns the dead worker's
    address and the tasks it held."""
    from distributed import Client

    with Client(addr, timeout="30s", set_as_default=False) as c, open_store(db) as store:
        names = {a: i.get("name") for a, i in c.scheduler_info(n_workers=-1)["workers"].items()}
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and batch.poll() is None:
            if store.count_calls() < 1:
                time.sleep(0.05)
                continue
            # the kill follows the look at once: a task seen running is still running when it lands
            busy = {w: set(map(str, keys)) for w, keys in c.processing().items() if keys}
            if busy:
                worker, keys = next(iter(busy.items()))
                procs[str(names[worker])].send_signal(signal.SIGKILL)
                assert store.count_calls() < len(CALLS), "killed too late: the run was over"
                return worker, keys
            time.sleep(0.05)
    raise AssertionError("no worker was busy while the batch ran")


def _essence(report: dict[str, Any]) -> dict[str, Any]:
    """What a team lead reads in a report, without the times of the run."""
    return {"utterances": [(u["speaker"], u["text"]) for u in report["utterances"]],
            "flags": sorted((e["category"], e["utterance"]) for e in report["events"] if e["type"] in ("flag", "cue")),
            "checklist": {k: v.get("status") for k, v in report["checklist"].items()}, "score": report["score"],
            "source": report["call"]["source"]}


def test_cluster_batch_survives_a_killed_worker_and_stores_each_call_once(
        calls_dir: Path, dask_cluster: tuple[str, dict[str, subprocess.Popen[bytes]]],
        pg_server: PgServer, tmp_path: Path) -> None:  # noqa: F811
    addr, procs = dask_cluster
    db = pg_server.new_database()
    env = _env(tmp_path / "home")
    out = tmp_path / "out"
    batch = subprocess.Popen(_batch(calls_dir, out, db, "--cluster", addr), cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        dead, held = _kill_a_busy_worker(addr, procs, db, batch)
        stdout, stderr = batch.communicate(timeout=300)
    finally:
        if batch.poll() is None:
            batch.kill()
    # the broken file is listed with its reason, the exit code says so; the rest are scored
    assert batch.returncode == 1, stderr
    assert "1 file(s) could not be scored" in stderr and "broken.wav: cannot decode audio" in stderr, stderr
    assert "Traceback" not in stderr, stderr
    s = json.loads((out / "summary.json").read_text())
    assert (s["files"], s["scored"], s["skipped"], len(s["failed"])) == (len(CALLS) + 1, len(CALLS), 0, 1), s
    rows = {c["name"]: c for c in s["calls"] if c["status"] == "scored"}
    # the calls the dead worker held were scored again by the living one
    by_hash = {content_hash(calls_dir / f"{n}.wav")[:20]: n for n in rows}
    retried = [by_hash[k.split("-")[2]] for k in held if k.startswith("assist-score-")]
    assert retried and all(rows[n]["worker"] != dead for n in retried), (dead, held, rows)
    living = {r["worker"] for r in rows.values()} - {dead}
    assert living, rows  # the living worker did work …
    from distributed import Client

    with Client(addr, timeout="30s", set_as_default=False) as c:  # … with one Whisper model for all its calls
        models = c.run(lambda: len(__import__("assist.speech.whisper_asr", fromlist=["_MODELS"])._MODELS))
    assert sum(r["worker"] in living for r in rows.values()) >= 2 and set(models.values()) == {1}, models

    with open_store(db) as st:  # every call exactly once, each whole
        calls = st.list_calls()
        assert len(calls) == len(CALLS) and len({c.source for c in calls}) == len(CALLS)
        stored = {Path(str(c.source)).stem: st.get_report(c.id) for c in calls}
    for name, rep in stored.items():
        assert rep == json.loads((out / f"{name}.json").read_text())
        assert rows[name]["call_id"] in {c.id for c in calls}

    # a local run of the same files makes the same reports (the cluster changes where, not what)
    local = tmp_path / "local"
    r = subprocess.run(_batch(calls_dir, local, f"sqlite:///{tmp_path / 'local.sqlite3'}", "--workers", "1"),
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    for name, rep in stored.items():
        assert _essence(rep) == _essence(json.loads((local / f"{name}.json").read_text())), name
    assert sum(bool(_essence(rep)["flags"]) for rep in stored.values()) >= len(CALLS) // 2  # not an empty comparison

    # resumable: the same run again stores nothing and sends nothing but the broken file
    again = subprocess.run(_batch(calls_dir, out, db, "--cluster", addr), cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
    s2 = json.loads((out / "summary.json").read_text())
    assert again.returncode == 1 and (s2["scored"], s2["skipped"]) == (0, len(CALLS)), again.stderr
    with open_store(db) as st:
        assert st.count_calls() == len(CALLS)


@pytest.mark.parametrize("address, message", [
    ("bogus", "is not a scheduler address"),
    ("tcp://127.0.0.1:{closed}", "cannot reach the Dask scheduler"),
])
def test_bad_cluster_address_is_one_line_exit_2(calls_dir: Path, tmp_path: Path, address: str,
                                                message: str) -> None:
    pytest.importorskip("distributed", reason="the cluster extra is not installed: pip install '.[cluster]'")
    address = address.format(closed=_free_port())
    r = subprocess.run(_batch(calls_dir, tmp_path / "out", str(tmp_path / "h.sqlite3"), "--cluster", address),
                       cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
