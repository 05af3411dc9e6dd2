"""Sweep benchmarks: throughput with 1 and 2 worker processes, and the driver's memory over many runs.

    python -m benchmarks.sweep_benchmark [--runs 40] [--memory-runs 2000] [--quick]

1. The same tiny experiment (scale 0.001, 3 months) is swept with 1 and then 2 worker processes;
   runs per second include starting the processes. The ratio is printed.
2. A sweep of `--memory-runs` runs on 2 worker processes, driven from a fresh process that does
   nothing else: the driver's peak resident memory (getrusage of the driver alone; the runs happen
   in the workers) after 200 runs and at the end.
Figures are printed and appended to benchmarks/RESULTS-sweep.md with the machine, date and commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ampsim.experiment import load_experiment
from ampsim.run import git_commit
from ampsim.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]


def experiment_text(points: int, replicates: int, batch_size: int) -> str:
    """A grid over the matching elasticity: `points` levels x `replicates` tiny runs."""
    levels = [round(0.5 + 0.2 * k / max(points - 1, 1), 4) for k in range(points)]
    return f"""
name: benchmark
scenario: {ROOT / "scenarios" / "baseline.yaml"}
factors:
  - {{path: parameters.labour.matching_elasticity, name: alpha, levels: {levels}}}
design: {{method: grid}}
replicates: {replicates}
outputs: {{months: final_year, indicators: [unemployment_rate, startups_alive]}}
scale: 0.001
months: 3
seed: 1
batch_size: {batch_size}
"""


def sweep_seconds(text: str, workers: int, on_batch=None) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "experiment.yaml"
        path.write_text(text)
        start = time.perf_counter()
        summary = run_sweep(
            load_experiment(path), Path(folder) / "results", workers=workers, on_batch=on_batch
        )
        return time.perf_counter() - start, summary.done


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--runs", type=int, default=40, help="runs of the throughput sweep")
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

    text = experiment_text(points=args.runs // 2, replicates=2, batch_size=2)
    one, done_one = sweep_seconds(text, workers=1)
    two, done_two = sweep_seconds(text, workers=2)
    rate_one, rate_two = done_one / one, done_two / two
    lines += [
        f"throughput, {args.runs} runs (scale 0.001, 3 months, with spin-up), process start included:",
        f"  1 worker : {rate_one:.3f} runs/s ({one:.1f} s)",
        f"  2 workers: {rate_two:.3f} runs/s ({two:.1f} s)",
        f"  ratio 2/1: {rate_two / rate_one:.2f} (target >= 1.7)",
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
