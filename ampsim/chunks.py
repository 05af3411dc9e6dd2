"""Fixed chunks of residents, so that parallel kernels give the same numbers on any number of threads.

A parallel pass over residents splits the slots into `N_CHUNKS` contiguous chunks — a fixed number,
not one per thread — and visits each chunk in slot order. Per-zone (or per-cell) sums are kept
apart for each chunk and added afterwards in chunk order, so a floating-point total always adds
the same numbers in the same order, whether one thread or many ran the chunks. Integer counts
would be exact in any order, but share the layout. Random draws are counter-based
(`ampsim.rng_kernels`), so they do not depend on the order of visits either.
"""

from __future__ import annotations

import numpy as np
from numba import njit

N_CHUNKS = 16  # enough to keep a few threads busy; the partial sums stay small


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


def combine(partial: np.ndarray, out: np.ndarray) -> None:
    """Add per-chunk partial sums (chunks, *out.shape) into `out` in chunk order."""
    if not out.flags.c_contiguous:
        raise ValueError("combine: the output array must be C-contiguous")
    add_chunks(partial.reshape(partial.shape[0], -1), out.reshape(-1))
