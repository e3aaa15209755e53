"""Scoring recordings on a Dask cluster (`assist batch --cluster tcp://HOST:PORT`, issue 15).

    with Cluster("tcp://10.0.0.5:8786") as cl:          # InputError (one line) if it cannot be used
        for item, report, error, worker in cl.score(items, read=lambda item: path.read_bytes()):
            ...                                          # the caller (the client) is the one writer

No shared file system: the recording's bytes travel with the task, the report (a dict) comes back,
and only the client writes files and the call history. A task is a pure function of its bytes and
the spec — it writes nothing but a temp file it removes — so when a worker dies and the scheduler
runs its tasks again elsewhere, nothing is done twice that matters; the store's unique key
(content hash, settings hash) makes the client's write idempotent too.

Models load once per worker process, not per file: the speech layer keeps its Whisper/Vosk models
in a per-process cache keyed by model and threads, and this module keeps one `SemanticCache` per
worker process (keyed by lexicon and the semantic switch). Workers need assist installed (same
version and extras as the client, checked when connecting); they need no access to the files.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assist.errors import AssistError, InputError
from assist.session.spec import CallSpec

CONNECT_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class WorkItem:
    key: str  # unique per (recording, settings): the task's name on the cluster
    source: str  # the file's path on the client: the report's call.source, error messages
    spec: CallSpec  # everything the worker needs besides the bytes (agent name already applied)


Outcome = tuple[dict[str, Any] | None, str | None, str]  # (report, one-line error, worker address)


# ---------------------------------------------------------------------------- on the worker
_semantic: Any = None  # this worker process's SemanticCache, made on first use


def _cache() -> Any:
    global _semantic
    if _semantic is None:
        from assist.session.models import SemanticCache

        _semantic = SemanticCache(quiet=True)
    return _semantic


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def score_bytes(data: bytes, source: str, spec: CallSpec) -> Outcome:
    """Runs on a worker: the recording (or transcript) `data` of the client's file `source`, scored.
    Never raises: (report, None, worker) or (None, one-line error naming `source`, worker)."""
    from assist.session import scoring

    worker = _worker_name()
    # the decoders read files: the bytes go to a private temp file named like the original
    # (its suffix picks the decoder), removed whatever happens
    with tempfile.TemporaryDirectory(prefix="assist-task-") as tmp:
        path = Path(tmp) / (Path(source).name or "call")
        try:
            path.write_bytes(data)
            report = scoring.score_file(spec, path, semantic=_cache())
        except AssistError as e:
            msg = str(e).replace(str(path), source)
            return None, msg if source in msg else f"{source}: {msg}", worker
        except Exception as e:  # one bad file must not stop the run
            first = str(e).replace(str(path), source).splitlines()[0] if str(e) else ""
            return None, f"{source}: {type(e).__name__}: {first}".rstrip(": "), worker
    call = report.setdefault("call", {})
    call["source"] = source  # the client's path, not the worker's temp file
    return report, None, worker


def worker_check() -> dict[str, Any]:
    """Runs on every worker when the client connects: can it score, and with which assist?"""
    import assist

    return {"assist": getattr(assist, "__version__", "?"), "pid": os.getpid(), "cores": os.cpu_count()}


def _setup_worker_threads(nthreads: int) -> None:
    # Several task threads (or worker processes) on one machine must share its cores, or the math
    # libraries oversubscribe them. ASSIST_CPU_THREADS set on the worker's command line wins; then
    # OMP_NUM_THREADS, which Dask's nanny sets to 1 in each process of `dask worker --nworkers N`.
    if "ASSIST_CPU_THREADS" not in os.environ:
        share = os.environ.get("OMP_NUM_THREADS") or str((os.cpu_count() or 1) // max(1, nthreads))
        os.environ["ASSIST_CPU_THREADS"] = str(max(1, int(share) if share.isdigit() else 1))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is ever downloaded at run time


def _plugin() -> Any:
    from distributed import WorkerPlugin

    class AssistWorker(WorkerPlugin):  # type: ignore[misc]
        """Installed on each worker once: thread share and offline mode before any model loads."""

        name = "assist"

        def setup(self, worker: Any) -> None:
            _setup_worker_threads(int(getattr(worker.state, "nthreads", 1) or 1))

    return AssistWorker()


# ---------------------------------------------------------------------------- on the client
class Cluster:
    """A connection to a running Dask scheduler. Use as a context manager."""

    def __init__(self, address: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--cluster needs Dask: pip install 'assist[cluster]' (dask and distributed)") from None
        if not re.fullmatch(r"(?:(?:tcp|tls)://)?[\w.\-\[\]:]+:\d{1,5}", address.strip()):
            raise InputError(f"--cluster: {address!r} is not a scheduler address (tcp://HOST:PORT)")
        self.address = address.strip()
        _reachable(self.address, timeout_s)
        try:
            self.client = Client(self.address, timeout=f"{timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise InputError(f"--cluster: cannot reach the Dask scheduler at {self.address}: "
                             f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
        try:
            self._check_workers(timeout_s)
            self.client.register_plugin(_plugin(), name="assist")
        except BaseException:
            self.close()
            raise

    def _check_workers(self, timeout_s: float) -> None:
        import assist

        try:
            self.client.wait_for_workers(1, timeout=timeout_s)
        except (TimeoutError, OSError):
            raise InputError(f"--cluster: no workers are connected to the scheduler at {self.address} "
                             "(start some: dask worker ADDRESS --nthreads 1)") from None
        try:
            found = self.client.run(worker_check)
        except Exception as e:  # assist not importable there: the error comes back pickled
            raise InputError(f"--cluster: a worker cannot run assist ({type(e).__name__}: "
                             f"{str(e).splitlines()[0] if str(e) else ''}); install assist[cluster] on it") from None
        mine = getattr(assist, "__version__", "?")
        other = {w: i["assist"] for w, i in found.items() if i["assist"] != mine}
        if other:
            w, v = next(iter(other.items()))
            raise InputError(f"--cluster: worker {w} runs assist {v}, this machine {mine}: install the same version")

    @property
    def threads(self) -> int:
        """Task slots on the cluster now (workers × threads each)."""
        info = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.values()))

    def score(self, items: Iterable[WorkItem], read: Callable[[WorkItem], bytes]) -> Iterator[tuple[WorkItem, Outcome]]:
        """Score every item on the cluster, yielding each as it finishes (any order). At most two
        tasks per task slot are in flight, so the audio held in memory stays bounded however big
        the folder; `read` gives an item's bytes when its task is sent."""
        from distributed import as_completed

        queue = list(items)
        pending: dict[str, WorkItem] = {}
        done = as_completed([], loop=self.client.loop)

        def send() -> list[tuple[WorkItem, Outcome]]:
            unread: list[tuple[WorkItem, Outcome]] = []
            limit = 2 * self.threads
            while queue and len(pending) < limit:
                item = queue.pop(0)
                try:
                    data = read(item)
                except OSError as e:
                    unread.append((item, (None, f"{item.source}: cannot read: {e.strerror}", "")))
                    continue
                with warnings.catch_warnings():  # "large graph": the audio is meant to travel with the task
                    warnings.simplefilter("ignore")
                    pending[item.key] = item
                    done.add(self.client.submit(score_bytes, data, item.source, item.spec, key=item.key, pure=False))
            return unread

        while queue or pending:
            yield from send()
            if pending:
                fut = next(done)
                item = pending.pop(str(fut.key))
                yield item, self._outcome(fut, item)
                fut.release()

    def _outcome(self, fut: Any, item: WorkItem) -> Outcome:
        from distributed import KilledWorker

        try:
            result: Outcome = fut.result()
            return result
        except KilledWorker:
            return None, (f"{item.source}: cluster workers kept dying while scoring it (out of memory?); "
                          "the scheduler gave up after its allowed-failures"), ""
        except Exception as e:  # e.g. a worker that cannot unpickle the task
            first = str(e).splitlines()[0] if str(e) else ""
            return None, f"{item.source}: on the cluster: {type(e).__name__}: {first}".rstrip(": "), ""

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reachable(address: str, timeout_s: float) -> None:
    """A plain TCP connect first: a refused or unroutable address is one line at once, where the
    Dask client would keep retrying until its timeout."""
    import socket

    host, _, port = address.split("://")[-1].rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            pass
    except OSError as e:
        raise InputError(f"--cluster: cannot reach the Dask scheduler at {address}: "
                         f"{e.strerror or type(e).__name__}") from None
