"""Helpers of the hostile-input tests: run the real command line in a child process with bounded
memory and time, check that a refusal is one line without a traceback, and record the times.

`python -m pytest -s tests/test_hostile_inputs.py tests/test_hostile_outputs.py` prints the time
of every case as it runs, and a summary at the end of each file.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
MEMORY_LIMIT = 3 << 30  # bytes of address space for the child (a tiny run needs about 2.5 GB of it)
# seconds: a refusal comes before any run, so within this even on a busy shared machine, where
# starting python and its libraries alone can take 10 s (each refusal's time is printed); a hang is
# killed at 60 s
FAST = 30.0
TINY_RUN = ["--scale", "0.01", "--months", "1", "--set", "spin_up_months=0", "--quiet"]

TIMES: dict[str, float] = {}


@dataclass
class Outcome:
    """What a child `ampsim` process did."""

    code: int
    out: str
    err: str
    seconds: float


def limit_memory() -> None:
    """In the child: a bound on its address space, so that a runaway input fails fast instead of
    taking the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def ampsim(*args: str, cwd: Path = ROOT, timeout: float = 60, **popen) -> Outcome:
    """Run `python -m ampsim ARGS` with bounded memory; its exit code, output and time."""
    start = time.perf_counter()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "ampsim", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            preexec_fn=limit_memory,
            **popen,
        )
    except subprocess.TimeoutExpired as expired:  # killed: report it as an outcome, not an error
        err = expired.stderr.decode(errors="replace") if isinstance(expired.stderr, bytes) else ""
        return Outcome(-9, "", f"{err[-1000:]}\n(killed after {timeout:g} s)", time.perf_counter() - start)
    return Outcome(process.returncode, process.stdout, process.stderr, time.perf_counter() - start)


def start_ampsim(*args: str, cwd: Path = ROOT) -> subprocess.Popen:
    """Start `python -m ampsim ARGS` in the background (bounded memory), stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "ampsim", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit_memory,
    )


def record(case: str, seconds: float) -> None:
    """Print and keep the time of a case."""
    TIMES[case] = seconds
    print(f"\n{case}: {seconds:.2f} s")


def refused(outcome: Outcome, case: str, command: str, *fragments: str, code: int = 2) -> str:
    """Check a refusal: the exit code, no traceback, fast, and one error line naming what was
    wrong (every fragment in it); returns that line."""
    record(case, outcome.seconds)
    assert "Traceback" not in outcome.err and "Traceback" not in outcome.out, outcome.err[-2000:]
    assert outcome.code == code, (outcome.code, outcome.err[-2000:])
    errors = [line for line in outcome.err.splitlines() if line.startswith(f"ampsim {command}: error:")]
    assert len(errors) == 1, outcome.err[-2000:]
    others = [line for line in outcome.err.splitlines() if line.strip() and line not in errors]
    assert all(not line.startswith(("  ", "ampsim")) for line in others), outcome.err[-2000:]
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])
    assert len(errors[0]) < 600, errors[0]
    assert outcome.seconds < FAST, f"{case}: {outcome.seconds:.1f} s"
    return errors[0]


def print_summary(title: str, cases: dict[str, float]) -> None:
    """The times of the cases of one test file, slowest first."""
    if not cases:
        return
    print(f"\n--- {title}: {len(cases)} cases, {sum(cases.values()):.1f} s in all ---")
    for case, seconds in sorted(cases.items(), key=lambda item: -item[1]):
        print(f"{seconds:7.2f} s  {case}")
