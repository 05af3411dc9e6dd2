"""Counter-based random numbers for Numba kernels.

A draw is a pure function of (stream key, index, draw number): `uniform(key, i, k)` hashes the
three with the SplitMix64 finaliser. The key of a stream changes every month (`month_key`), the
index is the resident's slot (or a startup's id), and k tells apart several draws for the same
entity in the same month. So resident i's draw for "labour separation" in month t is the same in
every scenario and whatever else happened to other residents (common random numbers), and kernels
may visit residents in any order or in parallel without changing a single number.
`normal_quantile` turns such a uniform into a standard normal draw.
"""

from __future__ import annotations

import math

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


@njit(cache=True)
def normal_quantile(u: float) -> float:
    """Standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9);
    u is clipped into (0, 1) so that the extreme uniforms give finite values."""
    u = min(max(u, 1e-12), 1.0 - 1e-12)
    if u < 0.02425:
        q = math.sqrt(-2.0 * math.log(u))
        return _tail(q)
    if u > 1.0 - 0.02425:
        q = math.sqrt(-2.0 * math.log(1.0 - u))
        return -_tail(q)
    q = u - 0.5
    r = q * q
    num = (
        (
            ((-3.969683028665376e01 * r + 2.209460984245205e02) * r - 2.759285104469687e02) * r
            + 1.383577518672690e02
        )
        * r
        - 3.066479806614716e01
    ) * r + 2.506628277459239e00
    den = (
        (
            ((-5.447609879822406e01 * r + 1.615858368580409e02) * r - 1.556989798598866e02) * r
            + 6.680131188771972e01
        )
        * r
        - 1.328068155288572e01
    ) * r + 1.0
    return num * q / den


@njit(cache=True)
def _tail(q: float) -> float:
    """Acklam's lower-tail branch, as a function of sqrt(-2 log u)."""
    num = (
        (
            ((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e00) * q
            - 2.549732539343734e00
        )
        * q
        + 4.374664141464968e00
    ) * q + 2.938163982698783e00
    den = (
        ((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e00) * q
        + 3.754408661907416e00
    ) * q + 1.0
    return num / den
