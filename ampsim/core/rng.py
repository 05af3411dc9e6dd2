"""Counter-based random numbers for Numba kernels.

A draw is a pure function of (stream key, index, draw number): `uniform(key, i, k)` hashes the
three with the SplitMix64 finaliser. The key of a stream changes every month (`month_key`), the
index is the resident's slot (or a startup's id), and k tells apart several draws for the same
entity in the same month. So resident i's draw for "labour separation" in month t is the same in
every scenario and whatever else happened to other residents (common random numbers), and kernels
may visit residents in any order or in parallel without changing a single number.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_INDEX_STRIDE = np.uint64(0xD1B54A32D192ED03)
_DRAW_STRIDE = np.uint64(0xAEF17502108EF2D9)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def mix64(value: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective avalanche of 64 bits."""
    z = uint64(value)
    z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
    return z ^ (z >> uint64(31))


@njit(cache=True, inline="always")
def uniform(key: np.uint64, index: np.int64, draw: np.int64) -> float:
    """A U[0, 1) draw determined by the stream key, the entity index and the draw number."""
    x = uint64(key) + uint64(index) * _INDEX_STRIDE + uint64(draw) * _DRAW_STRIDE
    return float(mix64(mix64(x) + _GOLDEN) >> uint64(11)) * _TO_UNIT


@njit(cache=True)
def uniforms(key: np.uint64, indices: np.ndarray, draw: np.int64) -> np.ndarray:
    """Vectorised `uniform` for a set of entity indices (used for Mesa agents)."""
    out = np.empty(indices.size)
    for k in range(indices.size):
        out[k] = uniform(key, indices[k], draw)
    return out


def month_key(stream_key: np.uint64, month: int) -> np.uint64:
    """The key of a stream for one month (month may be negative during the calibration spin-up)."""
    offset = ((month % 2**32) * 0x632BE59BD9B4E019) % 2**64  # Python integers: no overflow
    return np.uint64(mix64(np.uint64(int(stream_key) ^ offset)))


@njit(cache=True)
def draws(key: np.uint64, index: np.int64, first: np.int64, count: np.int64) -> np.ndarray:
    """`count` consecutive draws (first, first + 1, ...) for one entity."""
    out = np.empty(count)
    for k in range(count):
        out[k] = uniform(key, index, first + k)
    return out


@njit(cache=True)
def draws_table(key: np.uint64, indices: np.ndarray, count: np.int64) -> np.ndarray:
    """Draws 0 .. count - 1 of each entity, one row per entity (a month's draws for Mesa agents)."""
    out = np.empty((indices.size, count))
    for k in range(indices.size):
        for d in range(count):
            out[k, d] = uniform(key, indices[k], d)
    return out


def identity_key(stream_key: np.uint64, *parts: int) -> int:
    """A 63-bit key for an entity defined by `parts` (e.g. zone, founding month, rank): the same
    in every scenario whatever happens to other entities, and usable as the index of `uniform`."""
    value = int(stream_key)
    for part in parts:
        value = int(mix64(np.uint64((value ^ ((part % 2**64) * 0x9E3779B97F4A7C15)) % 2**64)))
    return value >> 1
