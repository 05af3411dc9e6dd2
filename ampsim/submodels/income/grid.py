"""Disposable income evaluated once on a grid of household types x rents x earnings, and a Numba
lookup that interpolates in it: the form in which per-household kernels use the tax-benefit rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from ampsim.submodels.income.taxbenefit import _amount, calculate

HOUSEHOLD_TYPES: tuple[tuple[int, int, int, int], ...] = (
    # adults, children 0-2, children 3-13, children 14-19
    (1, 0, 0, 0),
    (1, 1, 0, 0),
    (1, 0, 1, 0),
    (1, 0, 2, 0),
    (1, 0, 1, 1),
    (2, 0, 0, 0),
    (2, 1, 0, 0),
    (2, 0, 1, 0),
    (2, 1, 1, 0),
    (2, 0, 2, 0),
    (2, 0, 1, 1),
    (2, 0, 3, 0),
    (2, 1, 2, 0),
    (2, 0, 2, 1),
)


@dataclass(frozen=True)
class GridTable:
    """Disposable income on a grid: ``table[type, rent, earnings]`` in euros per month."""

    household_types: np.ndarray
    earnings: np.ndarray
    rents: np.ndarray
    table: np.ndarray
    second_earner_share: float
    zone: int


def default_earnings_grid() -> np.ndarray:
    """Household monthly net earnings: 10 EUR steps to 3,000 EUR, then 50 EUR steps to 10,000 EUR."""
    return np.concatenate([np.arange(0.0, 3000.0, 10.0), np.arange(3000.0, 10000.0 + 1.0, 50.0)])


def default_rent_grid() -> np.ndarray:
    """Monthly rents: 0 (owners) then 10 EUR steps to 1,500 EUR."""
    return np.arange(0.0, 1500.0 + 1.0, 10.0)


def grid_table(
    year: int,
    month: int = 1,
    household_types: Any = HOUSEHOLD_TYPES,
    earnings: Any = None,
    rents: Any = None,
    second_earner_share: float = 0.0,
    zone: int = 2,
) -> GridTable:
    """Evaluate the calculator once on household types x rents x household earnings.

    Couples' earnings are split: ``second_earner_share`` of the total goes to the second adult.
    The grid covers households without ARE.
    """
    types = np.asarray(household_types, dtype=np.int64).reshape(-1, 4)
    earnings = default_earnings_grid() if earnings is None else _amount("earnings", earnings, None)
    rents = default_rent_grid() if rents is None else _amount("rents", rents, None)
    if np.any(np.diff(earnings) <= 0) or np.any(np.diff(rents) <= 0) or earnings.size < 2 or rents.size < 2:
        raise ValueError("earnings, rents: expected at least two strictly increasing values")
    if not 0.0 <= second_earner_share <= 1.0:
        raise ValueError(f"second_earner_share: expected a share from 0 to 1, got {second_earner_share!r}")
    t, r, e = np.meshgrid(
        np.arange(len(types)), np.arange(rents.size), np.arange(earnings.size), indexing="ij"
    )
    t, r, e = t.ravel(), r.ravel(), e.ravel()
    adults = types[t, 0]
    second = np.where(adults == 2, second_earner_share, 0.0) * earnings[e]
    result = calculate(
        year,
        month,
        n_adults=adults,
        children_0_2=types[t, 1],
        children_3_13=types[t, 2],
        children_14_19=types[t, 3],
        earnings_1=earnings[e] - second,
        earnings_2=second,
        rent=rents[r],
        zone=zone,
    )
    table = result.disposable_income.reshape(len(types), rents.size, earnings.size)
    return GridTable(types, earnings, rents, table, float(second_earner_share), int(zone))


@njit(cache=True)
def _bracket(grid: np.ndarray, x: float) -> tuple[int, float]:
    """Index of the grid cell holding x (clamped to the grid) and the weight of its upper node."""
    n = grid.shape[0]
    if x <= grid[0]:
        return 0, 0.0
    if x >= grid[n - 1]:
        return n - 2, 1.0
    lo, hi = 0, n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if grid[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo, (x - grid[lo]) / (grid[lo + 1] - grid[lo])


@njit(cache=True)
def disposable_income_lookup(
    type_index: int,
    earnings: float,
    rent: float,
    earnings_grid: np.ndarray,
    rent_grid: np.ndarray,
    table: np.ndarray,
) -> float:
    """Bilinear interpolation of ``table[type_index]`` in earnings and rent (clamped at the grid edges)."""
    i, wi = _bracket(earnings_grid, earnings)
    j, wj = _bracket(rent_grid, rent)
    plane = table[type_index]
    low = plane[j, i] * (1.0 - wi) + plane[j, i + 1] * wi
    high = plane[j + 1, i] * (1.0 - wi) + plane[j + 1, i + 1] * wi
    return low * (1.0 - wj) + high * wj
