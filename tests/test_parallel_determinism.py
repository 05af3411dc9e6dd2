"""Parallel kernels give the same numbers on any number of threads, and the same seed the same run.

Residents are split into chunks whose number depends on the population only (`ampsim.core.chunks`), so
a run on one thread and a run on all threads must agree bit for bit: every resident array and every
metro and zone figure. Runs happen in fresh processes, since Numba fixes its threads at start.
"""

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ampsim.core.chunks import MAX_CHUNKS, MIN_CHUNK, chunk_bounds, chunks_for
from ampsim.world.income import income_bin as _income_bin
from ampsim.world.income import income_bin_table, log_income_bin

ROOT = Path(__file__).resolve().parents[1]

# a run at scale 0.08 (155,126 residents, two chunks), printing a digest of its state and tables;
# with the argument `sample-stack`, a thread holds the run's stack frames (and their locals) 2 ms
# at a time meanwhile, as a profiler does (Dask's samples the frames of every running task)
RUN = """
import hashlib, sys, threading, time
if sys.argv[1:] == ["sample-stack"]:
    caller = threading.get_ident()
    def sample():
        while True:
            frame = sys._current_frames().get(caller)
            time.sleep(0.002)
            del frame
    threading.Thread(target=sample, daemon=True).start()
from ampsim.studies.runner import collect_result
from ampsim.model import AMPModel
model = AMPModel(scale=0.08, seed=4, months=3, calibration_months=6)
while model.running:
    model.step()
digest = hashlib.sha256()
for name, array in model.residents.arrays().items():
    digest.update(name.encode() + array.tobytes())
result = collect_result(model)
for table in (result.metro, result.zones):
    digest.update(table.to_csv(index=False).encode())
import numba
print(numba.get_num_threads(), model.residents.n, digest.hexdigest())
"""


def run_in_process(threads: int | None, *arguments: str) -> tuple[int, int, str]:
    env = dict(os.environ)
    env.pop("NUMBA_NUM_THREADS", None)
    if threads is not None:
        env["NUMBA_NUM_THREADS"] = str(threads)
    completed = subprocess.run(
        [sys.executable, "-c", RUN, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    threads_used, residents, digest = completed.stdout.split()[-3:]
    return int(threads_used), int(residents), digest


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to run on two threads")
def test_one_thread_and_all_threads_give_the_same_run():
    one = run_in_process(1)
    every = run_in_process(None)
    assert one[0] == 1 and every[0] >= 2
    assert chunks_for(one[1]) >= 2  # the population is split, so the chunks really ran apart
    assert one[1:] == every[1:]


def test_the_same_seed_gives_the_same_run():
    assert run_in_process(2)[1:] == run_in_process(2)[1:]


def test_chunks_depend_on_the_population_only_and_cover_it():
    assert chunks_for(1000) == 1 and chunks_for(2 * MIN_CHUNK) == 2 and chunks_for(10**8) == MAX_CHUNKS
    n = 1_939_077
    bounds = [chunk_bounds(c, chunks_for(n), n) for c in range(chunks_for(n))]
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


def test_income_bins_from_bits_equal_the_logarithm():
    table, start = income_bin_table()
    rng = np.random.default_rng(1)
    income = np.concatenate(
        [
            (20_000 * np.exp(rng.standard_normal(200_000))).astype(np.float32),
            np.exp(np.linspace(np.log(1_000), np.log(1_000_000), 161)).astype(np.float32),  # near edges
            start[1:-1].view(np.float32),  # the first income of each bin
            (start[1:-1] - 1).view(np.float32),  # the last income of the bin below
            np.array([0.0, 1.0, 999.0, 2e6, np.finfo(np.float32).max], dtype=np.float32),
        ]
    )
    expected = [log_income_bin(y) for y in income]
    assert [_income_bin(bits, table, start) for bits in income.view(np.uint32)] == expected


def test_a_thread_sampling_the_stack_does_not_change_the_run():
    """A run must not depend on when objects die: a closed startup once stayed in the model while
    a sampled frame still referenced it, so Dask runs differed from serial ones."""
    assert run_in_process(2, "sample-stack")[1:] == run_in_process(2)[1:]
