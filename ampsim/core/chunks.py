"""Fixed chunks of residents, so that parallel kernels give the same numbers on any number of threads.

A parallel pass over residents splits the slots into `chunks_for(n)` contiguous chunks — a number
that depends on the number of residents only, never on the threads — and visits each chunk in slot
order. Per-zone (or per-cell) sums are kept apart for each chunk and added afterwards in chunk
order, so a floating-point total always adds the same numbers in the same order, whether one
thread or many ran the chunks. Integer counts would be exact in any order, but share the layout.
Random draws are counter-based (`ampsim.core.rng`), so they do not depend on the order of visits
either. Passes whose only totals are integer counts may use `prange` over residents directly.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit

MAX_CHUNKS = 16  # enough to keep a few threads busy; the partial sums stay small
MIN_CHUNK = 1 << 16  # residents: a smaller pass is not worth splitting


def chunks_for(n: int) -> int:
    """Number of chunks for a pass over n residents: one below 2 x MIN_CHUNK residents, at most
    MAX_CHUNKS. It depends on n only, so results do not depend on the number of threads."""
    return max(1, min(MAX_CHUNKS, n // MIN_CHUNK))


@contextmanager
def kernel_threads(n: int) -> Iterator[None]:
    """Run the parallel kernels of passes over n residents on at most one thread per chunk: a small
    population runs on the calling thread alone, since waking idle threads (tens of microseconds,
    much more on a busy machine) would cost more than the pass. Results do not depend on it."""
    available = numba.get_num_threads()
    numba.set_num_threads(max(1, min(available, chunks_for(n))))
    try:
        yield
    finally:
        numba.set_num_threads(available)


@njit(cache=True, inline="always")
def chunk_bounds(chunk: int, n_chunks: int, n: int) -> tuple[int, int]:
    """First and past-the-last slot of a chunk: chunks are contiguous and differ by at most one slot."""
    return chunk * n // n_chunks, (chunk + 1) * n // n_chunks


@njit(cache=True)
def add_chunks(partial: np.ndarray, out: np.ndarray) -> None:
    """out += partial[0] + partial[1] + ..., in chunk order (partial: (chunks, m), out: (m,))."""
    for c in range(partial.shape[0]):
        for k in range(partial.shape[1]):
            out[k] += partial[c, k]


def single_thread_worker() -> None:
    """Initialiser of worker processes: one kernel thread each, since several processes already
    share the cores (more threads would only contend). Results do not depend on it."""
    numba.set_num_threads(1)


def worker_initializer(parent_pid: int | None = None, single_thread: bool = True) -> None:
    """Initialiser of worker processes: one kernel thread each (see `single_thread_worker`), and a
    worker that dies with its parent. Ctrl+C is left to the parent, which stops its workers and
    cleans up; Linux kills the worker when the parent dies, even by SIGKILL (PR_SET_PDEATHSIG),
    and a watchdog thread exits it when its parent is gone elsewhere. `parent_pid` is the pid
    of the process that started the worker (os.getpid() there)."""
    if single_thread:
        single_thread_worker()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = parent_pid if parent_pid is not None else os.getppid()
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="ampsim-parent-watchdog", daemon=True).start()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> None:
    """Ask Linux to send SIGKILL to this process when its parent dies (nothing elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog remains


def _watch_parent(parent: int, every: float = 1.0) -> None:
    """Exit the process as soon as its parent is no longer `parent` (it died; we were adopted)."""
    while True:
        time.sleep(every)
        if os.getppid() != parent:
            os._exit(1)


def listed_slots(listed: np.ndarray, n_listed: np.ndarray) -> np.ndarray:
    """The slots that a chunked kernel listed, chunk c's from its first slot on, in slot order."""
    n = listed.size
    parts = [listed[c * n // n_listed.size :][: n_listed[c]] for c in range(n_listed.size)]
    return np.concatenate(parts) if parts else listed[:0]
