"""`assist batch DIR|FILES… --out OUTDIR` — score every recording (and transcript) of a folder.

Per call: OUTDIR/<name>.json and OUTDIR/<name>.html; for the run: OUTDIR/summary.json. Every call
goes into the call history (`--db`). Files are scored in parallel worker processes (at most one per
core: whisper is CPU-bound, more workers only fight over the cores). The main process alone writes
files and the database, so there is one writer and nothing is half-written.

With `--cluster tcp://HOST:PORT` the files are scored on a Dask cluster's workers instead
(assist.session.cluster; docs/scale.md): each file's bytes travel with its task and the report comes
back here, so the one writer is still this process.

Resumable: a file whose content hash and lexicon hash (lexicon + the options that change a score)
are already in the history is skipped. A file that cannot be read is reported by name at the end;
the rest are still processed, and the exit code is then 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from assist.errors import AssistError, InputError
from assist.session.spec import CallSpec

AUDIO_EXT = {".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".mp4", ".webm", ".wma"}
TEXT_EXT = {".txt", ".json", ".jsonl"}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("batch", parents=[common], help="score every recording in a folder (QA of a team's calls)",
                       description="Score recordings (and .txt/.json transcripts) in parallel; write OUTDIR/<name>"
                                   ".json + .html and OUTDIR/summary.json; store every call in the history. "
                                   "Re-running skips files already scored with the same lexicon.")
    p.add_argument("inputs", nargs="+", metavar="DIR|FILE", help="folders (searched recursively) or files")
    p.add_argument("--out", required=True, metavar="OUTDIR", help="where the per-call reports and summary go")
    p.add_argument("--db", metavar="URL", help="call history: SQLAlchemy URL or SQLite file (default: data dir)")
    p.add_argument("--workers", type=int, metavar="N", help="parallel processes (default: number of cores)")
    p.add_argument("--cluster", metavar="tcp://HOST:PORT",
                   help="score on a running Dask scheduler's workers instead of local processes (docs/scale.md; "
                        "needs assist[cluster]); this machine still writes every report and the history")
    p.add_argument("--no-redact", action="store_true", help="keep card numbers, phones, e-mails, IDs in output")
    p.add_argument("--agent-from-folder", action="store_true",
                   help="the agent's name is the name of the folder a recording is in")
    p.add_argument("--swap", action="store_true", help="stereo: customer on the left, agent on the right")
    p.add_argument("--mono-speaker", choices=("voice", "agent", "customer"), default="voice",
                   help="a mono recording: split into agent and customer by voice (the agent opens the call), "
                        "or all one speaker (default: voice)")
    p.add_argument("--embed-audio", action="store_true",
                   help="each HTML scorecard carries its recording (Opus, ~250 KB per minute) instead of linking it")
    from assist.commands.options import add_pick_option

    add_pick_option(p)  # --channels A,C: recordings with more than two channels
    p.set_defaults(func=run)


# ---------------------------------------------------------------------------- planning
@dataclass
class Job:
    path: Path
    name: str  # output file stem, unique within the run
    agent: str | None
    content_hash: str = ""
    duration_s: float = 0.0
    status: str = "todo"  # todo | skipped | scored | failed
    call_id: int | None = None
    error: str | None = None
    worker: str | None = None  # the cluster worker that scored it (--cluster)
    report: dict[str, Any] | None = field(default=None, repr=False)


def collect_files(inputs: list[str], out_dir: Path) -> list[Path]:
    """Files to score, in a stable order. A folder is searched recursively for recordings and
    transcripts (the output folder itself is left out); a file named on the command line is
    always taken, so a corrupt `x.wav` is reported rather than silently ignored."""
    found: list[Path] = []
    seen: set[Path] = set()
    out_res = out_dir.resolve()
    earlier: dict[Path, bool] = {}
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or f.suffix.lower() not in AUDIO_EXT | TEXT_EXT:
                    continue
                if out_res == f.resolve().parent or out_res in f.resolve().parents:
                    continue
                # an earlier run's output folder holds report .json files that would otherwise be
                # read as transcripts and stored as new calls
                if any(_is_batch_output(d, earlier) for d in f.parents if d == p or p in d.parents):
                    continue
                if f.name.startswith("."):
                    continue
                if f.resolve() not in seen:
                    seen.add(f.resolve())
                    found.append(f)
        elif p.exists():
            if p.resolve() not in seen:
                seen.add(p.resolve())
                found.append(p)
        else:
            raise InputError("no such file or folder", p)
    return found


def _is_batch_output(folder: Path, cache: dict[Path, bool]) -> bool:
    if folder not in cache:
        summary = folder / "summary.json"
        try:
            cache[folder] = summary.is_file() and '"assist.batch/1"' in summary.read_text(encoding="utf-8")[:200]
        except (OSError, UnicodeDecodeError):
            cache[folder] = False
    return cache[folder]


def unique_names(paths: list[Path]) -> list[str]:
    """Output stems: the file's stem, with the parent folders prepended when two files share one."""
    stems = [p.stem for p in paths]
    out = []
    for p, s in zip(paths, stems, strict=True):
        if stems.count(s) > 1:
            parts = [x for x in p.resolve().parent.parts[-2:]] + [s]
            s = "__".join(parts)
        out.append(s)
    # still equal (same folder names): number them
    for i, s in enumerate(out):
        if out.count(s) > 1:
            out[i] = f"{s}-{i + 1}"
    return out


def probe_duration(path: Path) -> float:
    """Audio length in seconds for the progress bar (header only, cheap); 0 when unknown (the
    worker will then report what is wrong with the file)."""
    try:
        if path.suffix.lower() in TEXT_EXT:
            from assist.transcript import load_transcript

            tr = load_transcript(path)
            return float(tr.duration_s or max((u.end or 0.0 for u in tr.utterances), default=0.0))
        try:
            import soundfile as sf

            return float(sf.info(str(path)).duration)
        except Exception:
            import av

            with av.open(str(path)) as c:
                return float(c.duration or 0) / 1_000_000
    except Exception:
        return 0.0


def settings_hash(spec: CallSpec, agent: str | None) -> str:
    """What besides the audio changes a call's score: lexicon contents, names in the greeting,
    engine and model, channel layout, the semantic detector."""
    from assist.store import lexicon_hash

    extra = "|".join(str(x) for x in (spec.company, agent or spec.agent_name, spec.engine, spec.model,
                                      spec.channels.swap, spec.channels.mono_speaker))
    if spec.channels.pick is not None:  # only then: hashes stored before --channels existed still match
        extra += f"|channels={spec.channels.pick[0]},{spec.channels.pick[1]}"
    return lexicon_hash(spec.lexicon, semantic=spec.semantic, extra=extra)


# ---------------------------------------------------------------------------- the worker
_models = None  # this worker's SemanticCache: the semantic model is loaded once per process, not per file


def _init_worker(threads: int) -> None:
    # Several workers on few cores: each gets its share of threads instead of all of them,
    # or the math libraries oversubscribe the CPU and everything slows down.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with contextlib.suppress(Exception):  # torch is optional (semantic extra)
        import torch

        torch.set_num_threads(threads)
    # CTranslate2 ignores OMP_NUM_THREADS when given a thread count: the speech layer reads our share here.
    os.environ["ASSIST_CPU_THREADS"] = str(threads)


def score_file(path: str, spec: CallSpec, agent: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """Runs in a worker: (report, None) or (None, one-line error). Never raises."""
    global _models
    from assist.session import scoring
    from assist.session.models import SemanticCache

    if _models is None:
        _models = SemanticCache(quiet=True)
    try:
        return scoring.score_file(spec.with_names(agent_name=agent), path, semantic=_models), None
    except AssistError as e:
        msg = str(e)
        return None, msg if path in msg else f"{path}: {msg}"
    except Exception as e:  # a crash on one file must not stop the batch
        return None, f"{path}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}".rstrip(": ")


# ---------------------------------------------------------------------------- the run
def _write(path: Path, text: str) -> None:
    from assist.commands.output import write_output

    write_output(text, str(path))  # whole or not at all; a failure is one line naming the file


def _write_outputs(out: Path, job: Job, report: dict[str, Any], embed: bool) -> None:
    from assist.report import render
    from assist.report.player import report_audio_src

    _write(out / f"{job.name}.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    page = out / f"{job.name}.html"
    _write(page, render(report, "html", audio=report_audio_src(report, page, embed=embed)))


def _progress() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]scoring[/]"), BarColumn(),
                    TextColumn("{task.fields[files]} files"),
                    TextColumn("{task.fields[minutes]} audio min"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def run(args: argparse.Namespace) -> int:
    from assist.commands.options import call_spec
    from assist.store import open_store

    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    if args.cluster is not None and args.workers is not None:
        raise InputError("--workers and --cluster do not go together (the cluster's workers do the work)")
    from assist.commands.output import check_folder, check_new_folder

    out = Path(args.out)
    # everything that can be refused is, before anything is created (issue 14: nothing left behind)
    if out.exists():
        check_folder(out, "output folder")  # read-only storage: said now, not at the first report
    else:
        check_new_folder(out)
    paths = collect_files(args.inputs, out)
    if not paths:
        raise InputError(f"no recordings or transcripts found in {' '.join(args.inputs)}")
    spec = call_spec(args)
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(_connect(args.cluster)) if args.cluster is not None else None  # fail fast
        store = stack.enter_context(open_store(spec.store_url))
        try:
            out.mkdir(parents=True, exist_ok=True)  # only now: a refused run leaves nothing behind
        except OSError as e:
            raise InputError(f"cannot create the output folder: {e.strerror}", out) from None
        t_start = time.monotonic()
        jobs = [Job(p, n, p.resolve().parent.name if args.agent_from_folder else None)
                for p, n in zip(paths, unique_names(paths), strict=True)]
        hashes = _plan(jobs, spec, store, out)
        todo = [j for j in jobs if j.status == "todo"]
        finished = _writer(out, store, spec, hashes)
        if cluster is not None:
            workers = run_cluster(cluster, todo, spec, hashes, finished)
        else:
            workers = max(1, min(args.workers or (os.cpu_count() or 1), os.cpu_count() or 1, len(todo) or 1))
            run_local(todo, spec, workers, finished)
        summary = build_summary(jobs, store.url, workers, time.monotonic() - t_start, spec.redact)
        if cluster is not None:
            summary["cluster"] = args.cluster
    _write(out / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    _print_result(summary, out)
    return 1 if summary["failed"] else 0


def _connect(address: str) -> Any:
    from assist.session.cluster import Cluster

    return Cluster(address)


def _writer(out: Path, store: Any, spec: CallSpec, hashes: dict[str | None, str]) -> Finished:
    def finished(j: Job, report: dict[str, Any] | None, err: str | None) -> None:
        """The one writer: report files and the history, in the main process. Idempotent: the
        store keeps one call per (content hash, settings hash) and returns the stored id."""
        if report is None:
            j.status, j.error = "failed", err or f"{j.path}: failed"
            return
        if spec.redact:
            from assist.redact import redact_report

            report = redact_report(report)
        j.duration_s = float(report.get("call", {}).get("duration_s") or j.duration_s)
        _write_outputs(out, j, report, spec.embed_audio)
        j.call_id = store.save_call(report, kind="batch", agent_name=j.agent, content_hash=j.content_hash,
                                    lexicon_hash=hashes[j.agent], redact=spec.redact)
        j.status, j.report = "scored", report

    return finished


def _plan(jobs: list[Job], spec: CallSpec, store: Any, out: Path) -> dict[str | None, str]:
    """Hash every file; mark what the history already holds as skipped (writing its reports into
    a new OUTDIR), probe the length of the rest. Returns the settings hash per agent."""
    from assist.store import content_hash

    hashes: dict[str | None, str] = {}
    for j in jobs:
        try:
            j.content_hash = content_hash(j.path)
        except OSError as e:
            j.status, j.error = "failed", f"{j.path}: cannot read: {e.strerror}"
            continue
        if j.agent not in hashes:
            hashes[j.agent] = settings_hash(spec, j.agent)
        found = store.find_call(j.content_hash, hashes[j.agent])
        if found is not None:
            j.status, j.call_id = "skipped", found
            if not (out / f"{j.name}.json").exists() or not (out / f"{j.name}.html").exists():
                _write_outputs(out, j, store.get_report(found), spec.embed_audio)  # a new OUTDIR still gets every report
        else:
            j.duration_s = probe_duration(j.path)
    return hashes


Finished = Callable[[Job, "dict[str, Any] | None", "str | None"], None]


class _Bar:
    """The progress bar: files done and audio minutes done of the total, elapsed and ETA."""

    def __init__(self, todo: list[Job]) -> None:
        self.n, self.total_s, self.done_s, self.files = len(todo), sum(j.duration_s for j in todo), 0.0, 0
        self.bar = _progress()
        self.task = self.bar.add_task("batch", total=max(self.total_s, 1.0), files=f"0/{self.n}",
                                      minutes=f"0.0/{self.total_s / 60:.1f}")

    def advance(self, audio_s: float) -> None:
        self.files += 1
        self.done_s += audio_s  # the bar and ETA move by the audio each finished file held
        self.bar.update(self.task, completed=min(self.done_s, self.total_s), files=f"{self.files}/{self.n}",
                        minutes=f"{self.done_s / 60:.1f}/{self.total_s / 60:.1f}")

    def __enter__(self) -> _Bar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)


def run_cluster(cluster: Any, todo: list[Job], spec: CallSpec, hashes: dict[str | None, str],
                finished: Finished) -> int:
    """Score `todo` on a Dask cluster (assist.session.cluster): each file's bytes go with its task,
    the reports come back here to `finished`, the one writer. Files with the same content and
    settings (copies) are scored once. Returns the number of task slots the cluster had."""
    from assist.session.cluster import WorkItem

    groups: dict[str, list[Job]] = {}
    for j in todo:
        groups.setdefault(f"assist-score-{j.content_hash[:20]}-{hashes[j.agent][:20]}", []).append(j)
    items = [WorkItem(key, str(js[0].path), spec.with_names(agent_name=js[0].agent)) for key, js in groups.items()]
    slots: int = cluster.threads
    with _Bar(todo) as bar:
        for item, (report, err, worker) in cluster.score(items, read=lambda it: Path(it.source).read_bytes()):
            for j in groups[item.key]:
                probed, j.worker = j.duration_s, worker or None
                finished(j, report, err)
                bar.advance(probed)
    return slots


def run_local(todo: list[Job], spec: CallSpec, workers: int, finished: Finished) -> None:
    """Score `todo` on local worker processes (or in this one, with one worker), calling
    `finished` in this process as each file is done, with a progress bar of files and audio."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    with _Bar(todo) as bar:
        if todo and workers == 1:
            _init_worker(threads)
        pool = (ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                                    initargs=(threads,)) if todo and workers > 1 else None)
        try:
            pending: dict[Future[tuple[dict[str, Any] | None, str | None]], Job] = {}
            queue = list(todo)
            while queue or pending:
                # keep at most 2 files per worker in flight, so progress reflects real work
                while queue and (pool is None and not pending or pool is not None and len(pending) < 2 * workers):
                    j = queue.pop(0)
                    if pool is None:
                        fut: Future[Any] = Future()
                        fut.set_result(score_file(str(j.path), spec, j.agent))
                    else:
                        fut = pool.submit(score_file, str(j.path), spec, j.agent)
                    pending[fut] = j
                ready, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in ready:
                    j = pending.pop(fut)
                    try:
                        report, err = fut.result()
                    except Exception as e:  # a worker process died (out of memory, killed)
                        report, err = None, f"{j.path}: worker failed: {type(e).__name__}: {e}"
                    probed = j.duration_s
                    finished(j, report, err)
                    bar.advance(probed)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)


def build_summary(jobs: list[Job], db: str, workers: int, wall_s: float, redact: bool) -> dict[str, Any]:
    calls = []
    for j in jobs:
        row: dict[str, Any] = {"file": str(j.path), "name": j.name, "status": j.status, "call_id": j.call_id}
        if j.report is not None:
            ev = [e for e in j.report.get("events", []) if e.get("type") == "flag"]
            row.update(score=j.report.get("score"), duration_s=j.report.get("call", {}).get("duration_s"),
                       flags=len(ev), agent_name=j.report.get("call", {}).get("agent_name") or j.agent)
        if j.worker:
            row["worker"] = j.worker
        if j.error:
            row["error"] = j.error
        calls.append(row)
    scored = [c for c in calls if c["status"] == "scored"]
    audio_s = sum(float(c.get("duration_s") or 0.0) for c in scored)
    scores = [c["score"] for c in scored if c.get("score") is not None]
    return {
        "schema": "assist.batch/1", "db": db, "workers": workers, "redacted": redact,
        "files": len(jobs), "scored": len(scored), "skipped": sum(c["status"] == "skipped" for c in calls),
        "failed": [{"file": c["file"], "error": c["error"]} for c in calls if c["status"] == "failed"],
        "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        "audio_s": round(audio_s, 1), "wall_s": round(wall_s, 2),
        "audio_min_per_wall_min": round(audio_s / wall_s, 2) if wall_s > 0 and audio_s else None,
        "calls": calls,
    }


def _print_result(summary: dict[str, Any], out: Path) -> None:
    print(f"{summary['scored']} scored, {summary['skipped']} skipped (already in the history), "
          f"{len(summary['failed'])} failed — {summary['audio_s'] / 60:.1f} audio min in {summary['wall_s']:.1f} s"
          + (f", average score {summary['average_score']}" if summary["average_score"] is not None else "")
          + f"\nreports: {out}{os.sep}  summary: {out / 'summary.json'}")
    if summary["failed"]:
        print(f"assist: {len(summary['failed'])} file(s) could not be scored:", file=sys.stderr)
        for f in summary["failed"]:
            print(f"  {f['error']}", file=sys.stderr)

