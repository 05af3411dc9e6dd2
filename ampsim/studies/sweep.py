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

import contextlib
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

import pandas as pd

from ampsim.core.chunks import single_thread_worker
from ampsim.core.errors import InputError
from ampsim.core.io import write_parquet_atomic, write_text_atomic
from ampsim.core.version import __version__
from ampsim.scenarios.document import Document
from ampsim.studies.costs import spending
from ampsim.studies.experiment import Factor, LoadedExperiment, scenario_at, shared_factors
from ampsim.studies.runner import git_commit, run_scenario
from ampsim.studies.sweep_folder import (
    FAILURES,
    KEY,
    PARTS,
    check_new_folder,
    create_folders,
    done_keys,
    is_sweep_folder,
    load_failures,
    load_results,
    lock,
    read_manifest,
)
from ampsim.studies.workers import worker_pool

SCHEDULER_TIMEOUT_S = 5.0  # to connect to a Dask scheduler: a reachable one answers in milliseconds

__all__ = ["BatchTask", "Sweep", "done_keys", "load_failures", "load_results", "run_batch", "run_sweep"]


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
    comparison: Document | None = None  # `compare_with`: runs keep their paired differences


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
    """One run: the point's scenario, the replicate's seed; the kept outputs as tidy rows. With a
    comparison scenario, the rows are the differences from its paired run, and `spent_eur` the
    extra spending over the whole horizon."""
    settings = {"scale": task.scale, "seed": task.seed, "replicate": replicate, "months": task.months}
    scenario = scenario_at(task.base, list(task.factors), task.values[point], task.display)
    metro = run_scenario(scenario, **settings).metro
    rows = keep_outputs(metro, list(task.indicators), task.keep)
    if task.comparison is not None:
        paired = scenario_at(
            task.comparison, shared_factors(list(task.factors)), task.values[point], task.display
        )
        paired_metro = run_scenario(paired, **settings).metro
        paired_rows = keep_outputs(paired_metro, list(task.indicators), task.keep)
        rows[list(task.indicators)] -= paired_rows[list(task.indicators)].to_numpy()
        rows["spent_eur"] = sum(spending(metro).values()) - sum(spending(paired_metro).values())
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
        """Write the manifest and design of a new sweep, or check the folder for resuming (its
        damaged parts moved aside); returns the keys done. Call it holding the folder's lock."""
        manifest_path = self.directory / "manifest.json"
        if resume:
            manifest = read_manifest(self.directory)
            if manifest.get("fingerprint") != self.loaded.fingerprint():
                raise InputError(
                    f"--resume: the experiment or its scenario changed since {self.directory} was started "
                    f"(fingerprint {manifest.get('fingerprint')} there, {self.loaded.fingerprint()} now); "
                    "use another folder"
                )
            for leftover in self.directory.rglob(".*.part"):  # temporary files of a killed sweep
                leftover.unlink()
            return done_keys(self.directory, repair=True)
        if manifest_path.exists():  # another sweep started here since the folder was checked
            raise InputError(
                f"--out {self.directory}: another sweep started in this folder; "
                "use --resume or another folder"
            )
        create_folders(self.directory)
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
            "compared_with": None if self.loaded.comparison is None else self.loaded.comparison.data,
            "outcomes": "levels"
            if self.loaded.comparison is None
            else "paired differences: scenario minus the compare_with scenario, same seed and replicate",
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
                comparison=self.loaded.comparison,
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
    on_prepared: Callable[[int], None] | None = None,
) -> SweepSummary:
    """Run the experiment's pending runs and stream them to `directory`.

    `workers` local processes (1: in this process), or a Dask cluster: `scheduler` (an address
    such as tcp://host:8786) or `dask_workers` (a local cluster started and stopped here).
    `progress(done, failed)` is called after every batch; `on_batch` too, with the outcome;
    `on_prepared(runs already done)` once the folder is ready. The folder is locked meanwhile:
    a second sweep into it fails at once with InputError.
    """
    sweep = Sweep(loaded, directory)
    cluster = dask_client(scheduler, dask_workers) if scheduler or dask_workers else contextlib.nullcontext()
    with cluster as dask:  # connected first: an unreachable scheduler leaves no folder behind
        if not resume:
            check_new_folder(sweep.directory)
        elif not sweep.directory.is_dir() or not is_sweep_folder(sweep.directory):
            raise InputError(
                f"--resume: {directory} is not a sweep's results folder; start the sweep without --resume"
            )
        with lock(sweep.directory):
            done = sweep.prepare(resume)
            if on_prepared:
                on_prepared(len(done))
            summary = SweepSummary(total=loaded.n_runs, skipped=len(done))
            handle = _Handler(sweep, summary, fail_fast, progress, on_batch)
            tasks = sweep.tasks(done, single_thread=bool(dask or workers > 1))
            start = time.perf_counter()
            if dask is not None:
                client, summary.workers = dask
                _run_dask(tasks, handle, client, summary)
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


@dataclass
class _Handler:
    """What the driver does with each finished batch: write it, count it, report it; returns
    whether the sweep goes on."""

    sweep: Sweep
    summary: SweepSummary
    fail_fast: bool
    progress: Callable[[int, int], None] | None
    on_batch: Callable[[BatchOutcome], None] | None

    def __call__(self, outcome: BatchOutcome) -> bool:
        summary = self.summary
        self.sweep.write(outcome)
        summary.done += len(outcome.rows.drop_duplicates(KEY)) if not outcome.rows.empty else 0
        summary.failed += len(outcome.failures)
        summary.run_seconds += outcome.seconds
        for failure in outcome.failures:
            summary.failure_messages.append(
                f"run (point {failure['point']}, replicate {failure['replicate']}) failed: {failure['error']}"
            )
        if self.progress:
            self.progress(summary.done, summary.failed)
        if self.on_batch:
            self.on_batch(outcome)
        return not (self.fail_fast and outcome.failures)


def _run_processes(tasks: Iterator[BatchTask], handle, workers: int, summary: SweepSummary) -> None:
    """Local worker processes, at most two batches per worker in flight."""
    from concurrent.futures import FIRST_COMPLETED, wait

    with worker_pool(workers) as pool:  # workers die with this process, even on SIGKILL
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


@contextlib.contextmanager
def dask_client(scheduler: str | None, dask_workers: int | None) -> Iterator[tuple[Any, str]]:
    """(client, description) of a Dask cluster: the given scheduler, or a local one started and
    stopped here; InputError when Dask is missing or the scheduler cannot be reached."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("Dask is not installed: pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler:
        client = _connect(Client, scheduler)
        described = f"Dask cluster at {scheduler}"
    else:
        cluster = LocalCluster(
            n_workers=dask_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        described = f"Dask local cluster of {dask_workers} workers"
    try:
        yield client, described
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(tasks: Iterator[BatchTask], handle, client, summary: SweepSummary) -> None:
    """Batches on a Dask cluster, a few per worker in flight; lost workers' batches are rerun."""
    from distributed import as_completed

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


def _connect(client_class, scheduler: str):
    """A Dask client of the scheduler at `scheduler`, or InputError within SCHEDULER_TIMEOUT_S."""
    try:
        return client_class(scheduler, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        reason = " ".join(str(error).split())[:160] or type(error).__name__
        raise InputError(
            f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({reason}); check the "
            "address (tcp://HOST:PORT) and that the scheduler runs"
        ) from None


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
