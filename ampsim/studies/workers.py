"""Worker processes for studies: a pool whose workers die with their parent, and are stopped at
once (not waited for) when the parent is interrupted.

Workers are started with `spawn` and initialised by `core.chunks.worker_initializer`: one kernel
thread each, Ctrl+C ignored (the parent handles it), and death with the parent even when the
parent is killed with SIGKILL. When the block using the pool fails or is interrupted (Ctrl+C,
SIGTERM), the workers are terminated instead of being left to finish their runs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from ampsim.core.chunks import worker_initializer


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool of `workers` spawned workers that die with this process."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_initializer,
        initargs=(os.getpid(), True),
    )
    try:
        yield pool
    except BaseException:
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes now, dropping the tasks not started."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    _wait_for_manager_thread(pool)


def _wait_for_manager_thread(pool: ProcessPoolExecutor) -> None:
    """Let the pool's manager thread see its dead workers and close its wake-up pipe before this
    process exits: otherwise CPython's exit hook can write to that pipe while the thread closes it
    and print an `OSError: Bad file descriptor` traceback (a race in concurrent.futures)."""
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        with contextlib.suppress(Exception):
            manager.join(timeout=5)
