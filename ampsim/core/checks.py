"""Checks of array inputs: each returns a clean array or raises a one-line InputError naming the
argument and what was expected."""

from __future__ import annotations

import numpy as np

from ampsim.core.errors import InputError


def finite_array(values, name: str, low: float, high: float) -> np.ndarray:
    """A 1-D float64 array of finite numbers in [low, high], or a one-line ValueError."""
    array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if array.ndim != 1:
        raise InputError(f"{name}: expected a scalar or a 1-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any((array < low) | (array > high)):
        raise InputError(f"{name}: expected finite numbers from {low:g} to {high:g}")
    return np.ascontiguousarray(array)


def whole_array(values, name: str, low: int, high: int) -> np.ndarray:
    """A 1-D int64 array of whole numbers in [low, high], or a one-line ValueError."""
    array = finite_array(values, name, low, high)
    if np.any(array != np.round(array)):
        raise InputError(f"{name}: expected whole numbers from {low} to {high}")
    return array.astype(np.int64)
