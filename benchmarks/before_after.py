"""Full-scale runs of two commits side by side: time, per-month cost and memory, before and after.

    python -m benchmarks.before_after BEFORE [AFTER] [--repeats N] [--scale S] [--months M]

Each commit is checked out in a temporary git worktree; runs alternate between the two (before,
after, before, after, ...) in fresh processes, so that the machine's load falls on both alike, and
the table gives medians. A first untimed run of each fills its Numba cache. AFTER defaults to the
working tree. Memory is the peak resident set of the process and the model state per simulated
resident living in the metropolis (resident arrays, and the household table and income state
where the commit has them).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, resource, statistics, sys, tempfile, time
start = time.perf_counter()
from ampsim.model import AMPModel
from ampsim.reports.run import write_run
from ampsim.studies.runner import collect_result
imported = time.perf_counter()
model = AMPModel(scale={scale}, seed=0, months={months})
built = time.perf_counter()
steps = []
for _ in range({months}):
    t = time.perf_counter()
    model.step()
    steps.append(time.perf_counter() - t)
ran = time.perf_counter()
with tempfile.TemporaryDirectory() as folder:
    write_run(collect_result(model), folder + "/run")
written = time.perf_counter()
r = model.residents
present = int(r.n_present) if hasattr(r, "n_present") else r.n
if hasattr(model, "state_bytes_per_resident"):
    state = model.state_bytes_per_resident() * present
else:  # older commits: the arrays they have
    state = r.nbytes
    if hasattr(model, "households"):
        state += model.households.nbytes
    if hasattr(model, "incomes"):
        state += sum(a.nbytes for a in model.incomes.state)
print(json.dumps({{
    "residents": present,
    "slots": r.n,
    "state_bytes_per_resident": state / present,
    "build_s": built - imported,
    "run_s": ran - built,
    "write_s": written - ran,
    "total_s": written - start,
    "step_median_ms": 1000 * statistics.median(steps),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}}))
"""


def run_once(checkout: Path, scale: float, months: int) -> dict:
    """One run in a fresh process with `checkout` first on the path; its figures."""
    env = dict(
        os.environ, PYTHONPATH=str(checkout), NUMBA_NUM_THREADS=os.environ.get("NUMBA_NUM_THREADS", "2")
    )
    code = RUN.format(scale=scale, months=months)
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=checkout, env=env, capture_output=True, text=True, timeout=3600
    )
    if completed.returncode != 0:
        raise RuntimeError(f"run in {checkout} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def worktree(commit: str, folder: Path) -> Path:
    """A detached checkout of `commit` in `folder`."""
    subprocess.run(["git", "worktree", "add", "-q", "--detach", str(folder), commit], cwd=ROOT, check=True)
    return folder


def table(label_before: str, label_after: str, before: list[dict], after: list[dict]) -> str:
    """Markdown table of medians, with the ratio after / before."""
    rows = [
        ("residents living in the metropolis", "residents", "{:,.0f}"),
        ("resident slots", "slots", "{:,.0f}"),
        ("build and 120-month spin-up, s", "build_s", "{:.1f}"),
        ("run, s", "run_s", "{:.1f}"),
        ("month, median, ms", "step_median_ms", "{:.0f}"),
        ("tables and charts, s", "write_s", "{:.1f}"),
        ("total (import to written), s", "total_s", "{:.1f}"),
        ("peak resident memory, MB", "peak_rss_mb", "{:.0f}"),
        ("model state per resident, bytes", "state_bytes_per_resident", "{:.1f}"),
    ]
    lines = [f"| measurement | {label_before} | {label_after} | after / before |", "|---|---:|---:|---:|"]
    for name, key, fmt in rows:
        b = statistics.median(r[key] for r in before)
        a = statistics.median(r[key] for r in after)
        lines.append(f"| {name} | {fmt.format(b)} | {fmt.format(a)} | {a / b:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after", nargs="?", default=None, help="a commit (default: the working tree)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=180)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        trees = {"before": worktree(args.before, Path(scratch) / "before")}
        trees["after"] = worktree(args.after, Path(scratch) / "after") if args.after else ROOT
        try:
            for name, tree in trees.items():  # untimed: fills each checkout's Numba cache
                run_once(tree, 0.01, 2)
                print(f"  {name}: kernels compiled or loaded", flush=True)
            results: dict[str, list[dict]] = {"before": [], "after": []}
            for repeat in range(args.repeats):
                for name, tree in trees.items():
                    results[name].append(run_once(tree, args.scale, args.months))
                    print(f"  {name} {repeat + 1}: {json.dumps(results[name][-1])}", flush=True)
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    print()
    print(
        table(
            args.before[:10],
            args.after[:10] if args.after else "working tree",
            results["before"],
            results["after"],
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
