"""Sweep benchmarks: throughput with 1 and 2 worker processes, and the driver's memory over many runs.

    python -m benchmarks.sweep_benchmark [--runs 48] [--memory-runs 2000] [--quick]

1. The same experiment (scale 0.01, 60 months after the spin-up: the size of the Sobol experiment's
   runs) is swept with 1 worker (in the driver's process) and then 2 worker processes. Runs per
   second are given over the whole sweep (starting the worker processes included) and in the
   steady state (from the first finished batch to the last). The ratios are printed.
2. A sweep of `--memory-runs` runs on 2 worker processes, driven from a fresh process that does
   nothing else: the driver's peak resident memory (VmHWM of the driver alone; the runs happen
   in the workers) after 200 runs and at the end.
Figures are printed and appended to benchmarks/RESULTS-sweep.md with the machine, date and commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ampsim.studies.experiment import load_experiment
from ampsim.studies.runner import git_commit
from ampsim.studies.sweep import KEY, run_sweep
from benchmarks.worker import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]


def experiment_text(
    points: int, replicates: int, batch_size: int, scale: float = 0.01, months: int = 3
) -> str:
    """A grid over the matching elasticity: `points` levels x `replicates` runs."""
    levels = [round(0.5 + 0.2 * k / max(points - 1, 1), 4) for k in range(points)]
    return f"""
name: benchmark
scenario: {ROOT / "scenarios" / "baseline.yaml"}
factors:
  - {{path: parameters.labour.matching_elasticity, name: alpha, levels: {levels}}}
design: {{method: grid}}
replicates: {replicates}
outputs: {{months: final_year, indicators: [unemployment_rate, startups_alive]}}
scale: {scale}
months: {months}
seed: 1
batch_size: {batch_size}
"""


def sweep_seconds(text: str, workers: int, on_batch=None) -> tuple[float, int]:
    """Wall time of the whole sweep and the number of runs done."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "experiment.yaml"
        path.write_text(text)
        start = time.perf_counter()
        summary = run_sweep(
            load_experiment(path), Path(folder) / "results", workers=workers, on_batch=on_batch
        )
        return time.perf_counter() - start, summary.done


def driver_memory(runs: int) -> dict[str, float]:
    """Sweep `runs` runs on 2 workers; the driver's peak RSS after 200 runs and at the end."""
    marks: dict[str, float] = {}
    count = {"runs": 0}

    def watch(outcome) -> None:
        count["runs"] += len(outcome.rows) + len(outcome.failures)
        if count["runs"] >= 200 and "after 200" not in marks:
            marks["after 200"] = peak_rss_mb()

    seconds, done = sweep_seconds(experiment_text(points=runs // 2, replicates=2, batch_size=10), 2, watch)
    return {**marks, "at the end": peak_rss_mb(), "runs": done, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=48, help="runs of the throughput sweep")
    parser.add_argument("--memory-runs", type=int, default=2000, help="runs of the memory sweep")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--memory-only", type=int, metavar="RUNS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        print(json.dumps(driver_memory(args.memory_only)))
        return
    if args.quick:
        args.runs, args.memory_runs = 8, 240
    lines = [
        f"## Sweep benchmark, {time.strftime('%Y-%m-%d %H:%M')}",
        f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"commit {git_commit()}",
        "",
    ]

    text = experiment_text(points=args.runs // 2, replicates=2, batch_size=2, scale=0.01, months=60)
    whole, steady = {}, {}
    for workers in (1, 2):
        finished: list[tuple[float, int]] = []  # (time, runs in the batch)

        def note(outcome, finished=finished) -> None:
            runs = 0 if outcome.rows.empty else len(outcome.rows.drop_duplicates(KEY))
            finished.append((time.perf_counter(), runs))

        seconds, done = sweep_seconds(text, workers, note)
        whole[workers] = done / seconds
        first, last = finished[0][0], finished[-1][0]
        steady[workers] = sum(runs for _, runs in finished[1:]) / (last - first)
    lines += [
        f"throughput, {args.runs} runs (scale 0.01, 60 months after the 60-month spin-up), runs/s:",
        "  workers | whole sweep (process start included) | steady state",
        f"  1       | {whole[1]:.3f} | {steady[1]:.3f}",
        f"  2       | {whole[2]:.3f} | {steady[2]:.3f}",
        f"  ratio   | {whole[2] / whole[1]:.2f} | {steady[2] / steady[1]:.2f}   (target >= 1.7)",
        "",
    ]

    # the memory sweep runs in a fresh driver process, so that its peak memory is the driver's own
    measured = subprocess.run(
        [sys.executable, "-m", "benchmarks.sweep_benchmark", "--memory-only", str(args.memory_runs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    marks = json.loads(measured.stdout.strip().splitlines()[-1])
    growth = marks["at the end"] / marks["after 200"] - 1
    lines += [
        f"driver memory over {marks['runs']} runs on 2 workers ({marks['seconds']:.0f} s): peak RSS "
        f"{marks['after 200']:.0f} MB after 200 runs, {marks['at the end']:.0f} MB at the end "
        f"({100 * growth:+.1f} %, target within 20 %)",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    with open(ROOT / "benchmarks" / "RESULTS-sweep.md", "a") as handle:
        handle.write(report + "\n")


if __name__ == "__main__":
    main()
