"""Sweeps: running an experiment's runs on local processes or a Dask cluster, streaming to disk.

The results folder holds a manifest written before any run (the experiment, its design, the base
scenario resolved, the seeds, the version), the design table, and one Parquet part per finished
batch of runs, each written to a temporary file and renamed: a part is either complete or
absent. A run's key is (point, replicate) and its seed is (root seed, replicate): both travel
with the task, and every row carries its key, so no two runs can be merged or confused. A failed
run is recorded with its error and traceback in `failures/` and the sweep goes on (unless asked
to stop at the first failure). `--resume` reads the keys already done and runs only the others;
it refuses a folder whose experiment has changed. The driver keeps only the batches in flight, so
its memory stays flat however many runs there are.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ampsim.core.chunks import single_thread_worker
from ampsim.core.errors import InputError
from ampsim.core.io import write_parquet_atomic, write_text_atomic
from ampsim.core.version import __version__
from ampsim.scenarios.document import Document
from ampsim.studies.experiment import Factor, LoadedExperiment, scenario_at
from ampsim.studies.runner import git_commit, run_scenario

PARTS, FAILURES = "parts", "failures"
KEY = ["point", "replicate"]


@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs for a batch of runs, with no file to read."""

    batch: int
    keys: tuple[tuple[int, int], ...]  # (point, replicate)
    values: dict[int, dict[str, Any]]  # factor values of the batch's points
    base: Document
    factors: tuple[Factor, ...]
    seed: int
    scale: float | None
    months: int | None
    indicators: tuple[str, ...]
    keep: Any  # "all", "final_year", "year_ends" or a list of months
    display: str
    single_thread: bool = False  # in a worker process among others: one kernel thread


@dataclass
class BatchOutcome:
    """What a worker sends back: the kept outputs and the failures of a batch."""

    batch: int
    rows: pd.DataFrame
    failures: list[dict[str, Any]]
    seconds: float


@dataclass
class SweepSummary:
    """Statistics printed at the end of a sweep."""

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    elapsed: float = 0.0
    run_seconds: float = 0.0
    workers: str = "1 process"
    most_in_flight: int = 0  # batches sent to workers and not yet back, at the most
    stopped: bool = False
    failure_messages: list[str] = field(default_factory=list)

    def text(self) -> str:
        per_run = self.run_seconds / max(self.done + self.failed, 1)
        rate = (self.done + self.failed) / self.elapsed if self.elapsed > 0 else float("nan")
        lines = [
            f"{self.done} runs done, {self.failed} failed, {self.skipped} already done before "
            f"(of {self.total}); {self.elapsed:.1f} s on {self.workers}; {per_run:.2f} s per run in the "
            f"workers, {rate:.2f} runs per second",
        ]
        if self.most_in_flight:
            lines.append(f"at most {self.most_in_flight} batches in flight on the cluster")
        if self.stopped:
            lines.append("stopped at the first failure (--fail-fast)")
        lines.extend(self.failure_messages[:5])
        return "\n".join(lines)


# --- a worker's job --------------------------------------------------------------------------
def run_batch(task: BatchTask) -> BatchOutcome:
    """Run a batch; a failing run is recorded and the batch goes on."""
    if task.single_thread:
        single_thread_worker()
    start = time.perf_counter()
    frames, failures = [], []
    for point, replicate in task.keys:
        began = time.perf_counter()
        try:
            frames.append(run_one(task, point, replicate).assign(seconds=time.perf_counter() - began))
        except Exception as error:  # a failed run is recorded, never raised: the others go on
            failures.append(
                {
                    "point": point,
                    "replicate": replicate,
                    "error": f"{type(error).__name__}: {error}",
                    "traceback": traceback.format_exc(),
                    "seconds": time.perf_counter() - began,
                }
            )
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return BatchOutcome(task.batch, rows, failures, time.perf_counter() - start)


def run_one(task: BatchTask, point: int, replicate: int) -> pd.DataFrame:
    """One run: the point's scenario, the replicate's seed; the kept outputs as tidy rows."""
    scenario = scenario_at(task.base, list(task.factors), task.values[point], task.display)
    result = run_scenario(scenario, scale=task.scale, seed=task.seed, replicate=replicate, months=task.months)
    rows = keep_outputs(result.metro, list(task.indicators), task.keep)
    rows.insert(0, "replicate", replicate)
    rows.insert(0, "point", point)
    return rows


def keep_outputs(metro: pd.DataFrame, indicators: list[str], keep: Any) -> pd.DataFrame:
    """The kept rows of a run's metro table: months, or the mean of the last 12 months."""
    if keep == "final_year":
        last = metro.tail(12)
        row = {
            "month": int(last["month"].iloc[-1]),
            "date": str(last["date"].iloc[-1]),
            "statistic": "mean of the last 12 months",
        }
        row.update({name: float(last[name].mean()) for name in indicators})
        return pd.DataFrame([row])
    if keep == "all":
        chosen = metro
    elif keep == "year_ends":
        chosen = metro[metro["date"].str.endswith("-12")]
    else:
        chosen = metro[metro["month"].isin(keep)]
    rows = chosen[["month", "date", *indicators]].copy()
    rows.insert(2, "statistic", "month")
    return rows.reset_index(drop=True)


# --- the driver ------------------------------------------------------------------------------
class Sweep:
    """An experiment's runs written into a results folder."""

    def __init__(self, loaded: LoadedExperiment, directory: str | os.PathLike):
        self.loaded = loaded
        self.directory = Path(directory)
        self.experiment = loaded.experiment

    def prepare(self, resume: bool) -> set[tuple[int, int]]:
        """Create the folder with its manifest, or check it for resuming; returns the keys done."""
        manifest_path = self.directory / "manifest.json"
        if resume:
            if not manifest_path.exists():
                raise InputError(
                    f"--resume: {self.directory} has no manifest.json; start the sweep without --resume"
                )
            manifest = json.loads(manifest_path.read_text())
            if manifest.get("fingerprint") != self.loaded.fingerprint():
                raise InputError(
                    f"--resume: the experiment or its scenario changed since {self.directory} was started "
                    f"(fingerprint {manifest.get('fingerprint')} there, {self.loaded.fingerprint()} now); "
                    "use another folder"
                )
            for leftover in self.directory.rglob(".*.part"):  # temporary files of a killed sweep
                leftover.unlink()
            return done_keys(self.directory)
        if self.directory.exists() and any(self.directory.iterdir()):
            raise InputError(
                f"--out {self.directory}: exists and is not empty; use --resume to continue that sweep "
                "or choose another folder"
            )
        (self.directory / PARTS).mkdir(parents=True, exist_ok=True)
        (self.directory / FAILURES).mkdir(exist_ok=True)
        design = self.loaded.design.rename_axis("point").reset_index()
        write_parquet_atomic(design, self.directory / "design.parquet")
        write_text_atomic(manifest_path, json.dumps(self.manifest(), indent=2, default=str) + "\n")
        return set()

    def manifest(self) -> dict[str, Any]:
        experiment = self.experiment
        scenario = self.loaded.scenario(0)
        return {
            "experiment": experiment.model_dump(mode="json"),
            "experiment_file": str(self.loaded.path),
            "fingerprint": self.loaded.fingerprint(),
            "points": len(self.loaded.design),
            "replicates": experiment.replicates,
            "runs": self.loaded.n_runs,
            "root_seed": experiment.seed,
            "seeds": "run (point p, replicate r) uses root seed `root_seed`, replicate r: every point "
            "shares replicate r's random streams (common random numbers)",
            "base_scenario": self.loaded.base.data,
            "first_point_resolved": scenario.resolved(),
            "ampsim_version": __version__,
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }

    def tasks(self, done: set[tuple[int, int]], single_thread: bool = False) -> Iterator[BatchTask]:
        """Batches of the runs not done yet, in key order."""
        pending = [key for key in self.loaded.run_keys() if key not in done]
        size = self.experiment.batch_size
        outputs = self.experiment.outputs
        design = self.loaded.design
        for number, first in enumerate(range(0, len(pending), size)):
            keys = tuple(pending[first : first + size])
            points = sorted({p for p, _ in keys})
            yield BatchTask(
                batch=number,
                keys=keys,
                values={p: design.iloc[p].to_dict() for p in points},
                base=self.loaded.base,
                factors=tuple(self.experiment.factors),
                seed=self.experiment.seed,
                scale=self.experiment.scale,
                months=self.experiment.months,
                indicators=tuple(outputs.indicators),
                keep=outputs.months if isinstance(outputs.months, str) else list(outputs.months),
                display=str(self.loaded.path),
                single_thread=single_thread,
            )

    def write(self, outcome: BatchOutcome) -> None:
        """One Parquet part per finished batch (and one for its failures), each atomic."""
        tag = f"{outcome.batch:06d}-{uuid.uuid4().hex[:8]}"
        if not outcome.rows.empty:
            write_parquet_atomic(outcome.rows, self.directory / PARTS / f"part-{tag}.parquet")
        if outcome.failures:
            write_parquet_atomic(
                pd.DataFrame(outcome.failures), self.directory / FAILURES / f"failures-{tag}.parquet"
            )


def run_sweep(
    loaded: LoadedExperiment,
    directory: str | os.PathLike,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    dask_workers: int | None = None,
    resume: bool = False,
    fail_fast: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
) -> SweepSummary:
    """Run the experiment's pending runs and stream them to `directory`.

    `workers` local processes (1: in this process), or a Dask cluster: `scheduler` (an address
    such as tcp://host:8786) or `dask_workers` (a local cluster started and stopped here).
    `progress(done, failed)` is called after every batch; `on_batch` too, with the outcome.
    """
    sweep = Sweep(loaded, directory)
    done = sweep.prepare(resume)
    summary = SweepSummary(total=loaded.n_runs, skipped=len(done))
    tasks = sweep.tasks(done, single_thread=bool(scheduler or dask_workers or workers > 1))
    start = time.perf_counter()

    def handle(outcome: BatchOutcome) -> bool:
        sweep.write(outcome)
        summary.done += len(outcome.rows.drop_duplicates(KEY)) if not outcome.rows.empty else 0
        summary.failed += len(outcome.failures)
        summary.run_seconds += outcome.seconds
        for failure in outcome.failures:
            summary.failure_messages.append(
                f"run (point {failure['point']}, replicate {failure['replicate']}) failed: {failure['error']}"
            )
        if progress:
            progress(summary.done, summary.failed)
        if on_batch:
            on_batch(outcome)
        return not (fail_fast and outcome.failures)

    if scheduler or dask_workers:
        summary.workers = _run_dask(tasks, handle, scheduler, dask_workers, summary)
    elif workers > 1:
        summary.workers = f"{workers} processes"
        _run_processes(tasks, handle, workers, summary)
    else:
        for task in tasks:
            if not handle(run_batch(task)):
                summary.stopped = True
                break
    summary.elapsed = time.perf_counter() - start
    return summary


def _run_processes(tasks: Iterator[BatchTask], handle, workers: int, summary: SweepSummary) -> None:
    """Local worker processes, at most two batches per worker in flight."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        in_flight = {pool.submit(run_batch, t) for t in _take(tasks, 2 * workers)}
        while in_flight:
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                if not handle(future.result()):
                    summary.stopped = True
                    for pending in in_flight:
                        pending.cancel()
                    return
                in_flight |= {pool.submit(run_batch, t) for t in _take(tasks, 1)}


def _run_dask(
    tasks: Iterator[BatchTask], handle, scheduler: str | None, dask_workers: int | None, summary: SweepSummary
) -> str:
    """A Dask cluster: the given scheduler, or a local one; lost workers' batches are rerun."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
        described = f"Dask cluster at {scheduler}"
    else:
        cluster = LocalCluster(
            n_workers=dask_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        described = f"Dask local cluster of {dask_workers} workers"
    try:
        submitted = as_completed()
        in_flight = InFlightTarget(client)

        def top_up() -> None:
            for task in _take(tasks, max(in_flight.target() - submitted.count(), 0)):
                submitted.add(_submit(client, task))
            summary.most_in_flight = max(summary.most_in_flight, submitted.count())

        top_up()
        for future in submitted:
            outcome = future.result()
            future.release()
            if not handle(outcome):
                summary.stopped = True
                break
            top_up()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return described


class InFlightTarget:
    """Batches to keep in flight on a Dask cluster: two per connected worker (at least two).

    Asked again at most every `every` seconds, so that workers that join a running sweep (a batch
    system's jobs starting late) get batches of their own.
    """

    def __init__(self, client, every: float = 2.0):
        self.client, self.every = client, every
        self._value, self._asked = 2, -math.inf

    def target(self) -> int:
        if time.monotonic() - self._asked >= self.every:
            self._value = 2 * max(len(self.client.scheduler_info().get("workers", {})), 1)
            self._asked = time.monotonic()
        return self._value


def _submit(client, task: BatchTask):
    """A batch with a unique task key (never merged with another) and retries for lost workers."""
    return client.submit(
        run_batch, task, key=f"ampsim-batch-{task.batch}-{uuid.uuid4().hex}", pure=False, retries=3
    )


def _take(iterator: Iterator, count: int) -> list:
    items = []
    for _ in range(count):
        item = next(iterator, None)
        if item is None:
            break
        items.append(item)
    return items


# --- reading the results ---------------------------------------------------------------------
def done_keys(directory: str | os.PathLike) -> set[tuple[int, int]]:
    """Keys of the runs whose outputs are on disk."""
    parts = sorted((Path(directory) / PARTS).glob("part-*.parquet"))
    keys: set[tuple[int, int]] = set()
    for part in parts:
        frame = pd.read_parquet(part, columns=KEY)
        keys.update(zip(frame["point"].tolist(), frame["replicate"].tolist(), strict=True))
    return keys


def load_results(directory: str | os.PathLike) -> pd.DataFrame:
    """One tidy table of all runs' outputs, the design factors joined by point, sorted by key."""
    directory = Path(directory)
    if not (directory / "manifest.json").exists():
        raise InputError(f"{directory}: not a sweep results folder (no manifest.json)")
    parts = sorted((directory / PARTS).glob("part-*.parquet"))
    design = pd.read_parquet(directory / "design.parquet")
    if not parts:
        return pd.DataFrame(columns=["point", "replicate", "month", *design.columns.drop("point")])
    outputs = pd.concat((pd.read_parquet(p) for p in parts), ignore_index=True)
    table = outputs.merge(design, on="point", how="left", validate="many_to_one")
    return table.sort_values([*KEY, "month"], kind="stable").reset_index(drop=True)


def load_failures(directory: str | os.PathLike) -> pd.DataFrame:
    """Runs that failed and have not succeeded since (on a resume)."""
    directory = Path(directory)
    files = sorted((directory / FAILURES).glob("failures-*.parquet"))
    if not files:
        return pd.DataFrame(columns=["point", "replicate", "error", "traceback"])
    failures = pd.concat((pd.read_parquet(f) for f in files), ignore_index=True)
    done = done_keys(directory)
    still = [(p, r) not in done for p, r in zip(failures["point"], failures["replicate"], strict=True)]
    return failures[np.array(still, dtype=bool)].drop_duplicates(KEY, keep="last").reset_index(drop=True)
