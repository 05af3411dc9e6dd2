"""The benchmarks of ampsim, against the project's targets; prints a table and writes RESULTS.md.

    python -m benchmarks            # everything: about five minutes on two cores
    python -m benchmarks --quick    # a smoke run at small scales: about two minutes

Every measurement runs in a fresh process (`benchmarks/worker.py`), so that each has its own start
and peak memory. Times are medians of repeats; the kernels and the Mesa-objects reference are
timed alternately in one process, so that their ratio is measured under the same load. The
machine may be shared: the figures are those of this run, with its machine, date and commit.

1. Full scale: 1,939,077 residents, 180 months, what `ampsim run` does (import, build with the
   60-month calibration spin-up, run, Parquet tables and charts): wall time, nanoseconds per
   resident-step, peak resident memory.
2. Scaling: time per step at 20 k, 100 k, 1 M residents and full scale, on one thread and on all.
3. Side by side: the residents' rules as Mesa agents (`benchmarks/mesa_reference.py`) against the
   kernels, at 20 k residents, per resident-step.
4. Numba compilation: a first process with an empty cache against a second process.
5. Sweep throughput: complete runs at scale 0.01 per second and per worker, 1 and 2 workers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
FULL_POPULATION = 1_939_077


@dataclass
class Settings:
    """How much to measure: the full benchmark or a quick smoke run."""

    full_scale: float = 1.0
    full_months: int = 180
    full_repeats: int = 2
    scaling_residents: tuple[int, ...] = (20_000, 100_000, 1_000_000, FULL_POPULATION)
    scaling_months: int = 12
    side_by_side_residents: tuple[int, ...] = (20_000, 200_000)
    side_by_side_months: int = 6
    side_by_side_repeats: int = 2
    cold_compile: bool = True
    start_repeats: int = 3
    sweep_scale: float = 0.01
    sweep_months: int = 180
    sweep_runs: int = 3

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            full_scale=0.05,
            full_months=12,
            full_repeats=1,
            scaling_residents=(20_000, 100_000),
            scaling_months=4,
            side_by_side_residents=(20_000,),
            side_by_side_months=2,
            side_by_side_repeats=1,
            cold_compile=False,
            start_repeats=1,
            sweep_months=12,
            sweep_runs=1,
        )


@dataclass
class Row:
    """One line of the results table."""

    measurement: str
    value: str
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    def add(self, measurement: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.rows.append(Row(measurement, value, target, met))
        print(
            f"  {measurement}: {value}"
            + (f"  (target {target}: {'met' if met else 'NOT met'})" if target else "")
        )
        sys.stdout.flush()


# --- running a measurement in a fresh process -------------------------------------------------
def run_worker(task: str, arguments: dict, env: dict[str, str] | None = None) -> dict:
    """Run `benchmarks.worker TASK` in a new process and return its result."""
    output = _worker_output(task, arguments, env)
    return _parse_result(output)


def start_worker(task: str, arguments: dict, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.worker", task, json.dumps(arguments)],
        cwd=ROOT,
        env=_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_worker(process: subprocess.Popen) -> dict:
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"benchmark worker failed:\n{stderr[-3000:]}")
    return _parse_result(stdout + stderr)


def _worker_output(task: str, arguments: dict, env: dict[str, str] | None) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", task, json.dumps(arguments)],
        cwd=ROOT,
        env=_environment(env),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark worker {task} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout + completed.stderr


def _parse_result(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"benchmark worker printed no result:\n{output[-3000:]}")
    result = json.loads(lines[-1][len("RESULT ") :])
    result["_output"] = output
    return result


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


# --- the measurements ---------------------------------------------------------------------
def warm_up(report: Report) -> None:
    """Compile the kernels into the cache once (a fresh clone has none), untimed."""
    started = time.perf_counter()
    run_worker("start_model", {"scale": 0.01})
    print(f"  kernels compiled or loaded in {time.perf_counter() - started:.0f} s")


def measure_full_scale(settings: Settings, report: Report) -> dict:
    results = []
    for _ in range(settings.full_repeats):
        with tempfile.TemporaryDirectory() as folder:
            results.append(
                run_worker(
                    "full_run",
                    {"scale": settings.full_scale, "months": settings.full_months, "out": f"{folder}/run"},
                )
            )
    total = statistics.median(r["total_s"] for r in results)
    residents = results[0]["residents"]
    step = statistics.median(r["step_median_s"] for r in results)
    run_s = statistics.median(r["run_s"] for r in results)
    full = settings.full_scale == 1.0 and settings.full_months == 180
    label = f"{residents:,} residents, {settings.full_months} months"
    report.add(
        f"full run ({label}): import, build and 60-month spin-up, run, tables and charts",
        f"{total:.1f} s (median of {len(results)}; run alone {run_s:.1f} s)",
        "<= 60 s" if full else "",
        total <= 60 if full else None,
    )
    for phase in ("import_s", "build_s", "run_s", "write_s"):
        print(f"    {phase[:-2]}: {statistics.median(r[phase] for r in results):.1f} s")
    report.add("time per resident-step (full run, median step)", f"{1e9 * step / residents:.0f} ns")
    report.add("peak resident memory (full run)", f"{max(r['peak_rss_mb'] for r in results):.0f} MB")
    bytes_per_resident = results[0]["bytes_per_resident"]
    report.add(
        "resident arrays per resident slot",
        f"{bytes_per_resident:.0f} bytes",
        "<= 64 bytes",
        bytes_per_resident <= 64,
    )
    state_bytes, budget = results[0]["state_bytes_per_resident"], results[0]["state_budget_bytes"]
    report.add(
        "model state per resident (arrays, households, incomes)",
        f"{state_bytes:.0f} bytes",
        f"<= {budget} bytes",
        state_bytes <= budget,
    )
    return {"results": results, "total_s": total}


def measure_scaling(settings: Settings, report: Report) -> None:
    """Time per step against the number of residents, on one thread and on all of them."""
    threads = os.cpu_count() or 1
    lines = [
        "| residents | ms per step, 1 thread | ms per step, all threads | ns per resident-step | speed-up |",
        "|---:|---:|---:|---:|---:|",
    ]
    for residents in settings.scaling_residents:
        times = {}
        for label, env in (("one", {"NUMBA_NUM_THREADS": "1"}), ("all", {})):
            result = run_worker(
                "step_times",
                {"residents": residents, "months": settings.scaling_months, "calibration_months": 6},
                env=env,
            )
            times[label] = result["step_median_s"]
            n = result["residents"]
        lines.append(
            f"| {n:,} | {1000 * times['one']:.1f} | {1000 * times['all']:.1f} | "
            f"{1e9 * times['all'] / n:.0f} | {times['one'] / times['all']:.2f} |"
        )
        report.add(
            f"step at {n:,} residents",
            f"{1000 * times['all']:.1f} ms ({1e9 * times['all'] / n:.0f} ns per resident)",
        )
    report.sections.append(
        f"### Scaling: time per step against residents ({threads} threads available)\n\n"
        f"Median of {settings.scaling_months} months after a 6-month spin-up.\n\n" + "\n".join(lines)
    )


def measure_side_by_side(settings: Settings, report: Report) -> None:
    """The Mesa-objects reference against the kernels, per resident-step, at each size."""
    for residents in settings.side_by_side_residents:
        result = run_worker(
            "side_by_side",
            {
                "residents": residents,
                "months": settings.side_by_side_months,
                "repeats": settings.side_by_side_repeats,
            },
        )
        n = result["residents"]
        kernel_ns = 1e9 * result["kernel_month_s"] / n
        reference_ns = 1e9 * result["reference_month_s"] / n
        ratio = reference_ns / kernel_ns
        report.add(
            f"Mesa-objects reference / kernels per resident-step ({n:,} residents)",
            f"{ratio:.0f}x ({reference_ns:,.0f} ns against {kernel_ns:,.0f} ns)",
            ">= 100x",
            ratio >= 100,
        )
        names = result["kernel_results"].keys()
        lines = ["| result | kernels | Mesa reference |", "|---|---:|---:|"]
        lines += [
            f"| {name} | {result['kernel_results'][name]:,.3f} | {result['reference_results'][name]:,.3f} |"
            for name in names
        ]
        months = f"{settings.side_by_side_repeats} x {settings.side_by_side_months} months"
        report.sections.append(
            f"### Side by side: the Mesa-objects reference and the kernels ({n:,} residents)\n\n"
            "Training, labour market, commuting and exposure (plus the monthly clock) from the same state; "
            f"median time per month over {months} each, alternating: kernels "
            f"{1000 * result['kernel_month_s']:.2f} ms, "
            f"reference {1000 * result['reference_month_s']:.0f} ms. "
            "Results after the last repeat (one random draw each; tests/test_mesa_reference.py compares "
            "them against the kernels' spread):\n\n" + "\n".join(lines)
        )


def measure_compilation(settings: Settings, report: Report) -> None:
    """Start a model in a fresh process: with an empty Numba cache, then with the cache it left."""
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache, "NUMBA_DEBUG_CACHE": "1"}
        if settings.cold_compile:
            cold = run_worker("start_model", {"scale": 0.01}, env=env)
            report.add("start a model, first process (empty Numba cache)", f"{cold['total_s']:.1f} s")
        else:
            run_worker("start_model", {"scale": 0.01}, env=env)
        warm = [run_worker("start_model", {"scale": 0.01}, env=env) for _ in range(settings.start_repeats)]
    seconds = statistics.median(w["total_s"] for w in warm)
    saved = sum(line.count("data saved") for w in warm for line in w["_output"].splitlines())
    loaded = max(sum(line.count("data loaded") for line in w["_output"].splitlines()) for w in warm)
    report.add(
        "start a model, second process (import + build at scale 0.01 with its spin-up)",
        f"{seconds:.1f} s (import {statistics.median(w['import_s'] for w in warm):.1f} s; "
        f"{loaded} kernels loaded from the cache, {saved} compiled)",
        "<= 5 s",
        seconds <= 5 and saved == 0,
    )


def measure_sweep(settings: Settings, report: Report) -> None:
    """Complete runs at scale 0.01 per second and per worker, one worker then two at once."""
    arguments = {"scale": settings.sweep_scale, "months": settings.sweep_months, "runs": settings.sweep_runs}
    one_thread = {"NUMBA_NUM_THREADS": "1"}
    for workers in (1, 2):
        processes = [start_worker("sweep_runs", arguments, env=one_thread) for _ in range(workers)]
        results = [finish_worker(p) for p in processes]
        rates = [len(r["run_s"]) / sum(r["run_s"]) for r in results]
        report.add(
            f"sweep throughput, scale {settings.sweep_scale}, {settings.sweep_months} months, "
            f"{workers} worker{'s' if workers > 1 else ''} (1 thread each)",
            f"{statistics.mean(rates):.2f} runs/s per worker ({sum(rates):.2f} runs/s in all)",
        )


# --- the report -----------------------------------------------------------------------------
def machine() -> dict[str, str]:
    """What the figures were measured on."""
    from ampsim.studies.runner import git_commit

    return {
        "machine": f"{_cpu_model()}, {os.cpu_count()} logical cores, {_memory_gb():.0f} GB",
        "system": f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "packages": _versions("numpy", "numba", "mesa"),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit() or "unknown",
        "load": _load(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        return float("nan")


def _versions(*names: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def _load() -> str:
    try:
        return "load average at the start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return ""


def table(rows: list[Row]) -> str:
    lines = ["| measurement | value | target | met |", "|---|---|---|---|"]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.measurement} | {row.value} | {row.target} | {met} |")
    return "\n".join(lines)


def write_results(report: Report, info: dict[str, str], command: str, seconds: float) -> None:
    text = [
        "# Benchmarks",
        "",
        f"Written by `{command}` in {seconds / 60:.0f} min. Do not edit: run the command again.",
        "",
        *(f"- **{key}**: {value}" for key, value in info.items() if value),
        "",
        table(report.rows),
        "",
        *(section + "\n" for section in report.sections),
    ]
    RESULTS.write_text("\n".join(text).rstrip() + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run at small scales (about two minutes)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["full", "scaling", "side", "compile", "sweep"],
        help="run only these measurements",
    )
    args = parser.parse_args(argv)
    settings = Settings.quick() if args.quick else Settings()
    chosen = set(args.only or ["full", "scaling", "side", "compile", "sweep"])
    info = machine()
    print("\n".join(f"{key}: {value}" for key, value in info.items()))
    started = time.perf_counter()
    report = Report()
    warm_up(report)
    steps = [
        ("side", "Side by side with the Mesa-objects reference", measure_side_by_side),
        ("compile", "Numba compilation and start-up", measure_compilation),
        ("scaling", "Scaling", measure_scaling),
        ("sweep", "Sweep throughput", measure_sweep),
        ("full", "Full scale", measure_full_scale),
    ]
    for key, title, measure in steps:
        if key in chosen:
            print(f"\n{title}")
            measure(settings, report)
    print("\n" + table(report.rows))
    command = (
        "python -m benchmarks"
        + (" --quick" if args.quick else "")
        + (f" --only {' '.join(args.only)}" if args.only else "")
    )
    write_results(report, info, command, time.perf_counter() - started)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0
