"""One measurement in a fresh process: `python -m benchmarks.worker TASK '{"arg": value}'`.

Each task prints one line `RESULT {json}` at the end. A fresh process per measurement gives each
its own peak memory and its own start (imports, Numba cache), as a user's `ampsim run` would.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time

START = time.perf_counter()  # before the model's imports, which a start-up time includes

FULL_POPULATION = 1_939_077


def peak_rss_mb() -> float:
    """Peak resident memory of this process's own image (MB).

    Linux: VmHWM, which starts afresh at exec. getrusage's ru_maxrss would also count the parent's
    memory, copied at fork before the exec. Elsewhere getrusage (bytes on macOS).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def scale_for(residents: int) -> float:
    return min(1.0, residents / FULL_POPULATION)


def timed_steps(model, months: int) -> list[float]:
    """Seconds of each of `months` steps."""
    times = []
    for _ in range(months):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return times


def full_run(scale: float, months: int, out: str) -> dict:
    """What `ampsim run` does: import, build (with the spin-up), run, tables, Parquet and charts."""
    from ampsim.model import STATE_BUDGET_BYTES, AMPModel
    from ampsim.reports.run import write_run
    from ampsim.studies.runner import collect_result

    imported = time.perf_counter()
    model = AMPModel(scale=scale, seed=0, months=months)
    built = time.perf_counter()
    steps = timed_steps(model, months)
    ran = time.perf_counter()
    result = collect_result(model)
    write_run(result, out)
    written = time.perf_counter()
    return {
        "residents": model.residents.n,
        "bytes_per_resident": model.residents.bytes_per_resident,
        "state_bytes_per_resident": model.state_bytes_per_resident(),
        "state_budget_bytes": STATE_BUDGET_BYTES,
        "import_s": imported - START,
        "build_s": built - imported,
        "run_s": ran - built,
        "write_s": written - ran,
        "total_s": written - START,
        "step_median_s": statistics.median(steps),
        "peak_rss_mb": peak_rss_mb(),
    }


def step_times(residents: int, months: int, calibration_months: int) -> dict:
    """Median time of a month's step at a given number of residents."""
    from ampsim.model import AMPModel

    model = AMPModel(scale=scale_for(residents), seed=0, months=months, calibration_months=calibration_months)
    steps = timed_steps(model, months)
    return {"residents": model.residents.n, "step_median_s": statistics.median(steps), "steps_s": steps}


def start_model(scale: float) -> dict:
    """Seconds from process start to a built model (imports, Numba cache or compilation, spin-up)."""
    from ampsim.model import AMPModel

    imported = time.perf_counter()
    model = AMPModel(scale=scale, seed=0, months=12)
    built = time.perf_counter()
    return {
        "import_s": imported - START,
        "build_s": built - imported,
        "total_s": built - START,
        "n": model.residents.n,
    }


def side_by_side(residents: int, months: int, repeats: int) -> dict:
    """Time per month of the same rules run by the kernels and by the Mesa-objects reference, from
    the same 20,000-resident state, alternating the two; and the metro results of each."""
    from ampsim.model import AMPModel
    from benchmarks.mesa_reference import KernelMonths, ReferenceModel, kernel_state, metro_results

    source = AMPModel(scale=scale_for(residents), seed=11, months=months)
    kernels = KernelMonths(source)
    kernel_times, reference_times = [], []
    for repeat in range(repeats):
        kernels.restore(repeat)
        kernel_times += timed_steps_of(kernels, months)
        kernel_results = metro_results(kernel_state(source), source)
        kernels.restore(0)
        reference = ReferenceModel(source, seed=repeat)
        reference_times += timed_steps_of(reference, months)
        reference_results = metro_results(reference.state(), source)
        reference.close()
        del reference
        gc.collect()  # the reference's garbage is collected here, not while the kernels are timed
    return {
        "residents": source.residents.n,
        "kernel_month_s": statistics.median(kernel_times),
        "reference_month_s": statistics.median(reference_times),
        "kernel_results": kernel_results,
        "reference_results": reference_results,
    }


def timed_steps_of(stepper, months: int) -> list[float]:
    times = []
    for _ in range(months):
        start = time.perf_counter()
        stepper.step()
        times.append(time.perf_counter() - start)
    return times


def sweep_runs(scale: float, months: int, runs: int) -> dict:
    """Seconds of each of `runs` complete runs (`run_scenario`: build, spin-up, months, tables)."""
    from ampsim.studies.runner import run_scenario

    run_scenario(scale=scale, months=1)  # loads the compiled kernels, as a sweep worker's first run does
    times = []
    for seed in range(runs):
        start = time.perf_counter()
        run_scenario(scale=scale, months=months, seed=seed)
        times.append(time.perf_counter() - start)
    return {"run_s": times}


TASKS = {
    "full_run": full_run,
    "step_times": step_times,
    "start_model": start_model,
    "side_by_side": side_by_side,
    "sweep_runs": sweep_runs,
}


def main() -> int:
    task, arguments = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    result = TASKS[task](**arguments)
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
