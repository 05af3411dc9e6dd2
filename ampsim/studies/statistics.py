"""Paired statistics: differences of replicates that share their random numbers, t intervals,
Fieller intervals of a cost per unit, and how months are summarised.

Replicate r of every scenario uses the same seed as replicate r of the baseline (common random
numbers), so every statistic is computed on the per-replicate differences other_r - base_r and
summarised by their mean and a paired t interval, mean ± t(0.975, n-1) × sd / √n, and by the
smallest true difference the n pairs would usually detect (`minimum_detectable_difference`).

"Final" means the mean over the last 12 simulated months (all months if fewer). "Total" means, over
the whole horizon, the sum over months for flows (counts per month: deaths, hires, euros raised)
and the time average for rates and stocks (percentages, concentrations, people at a date).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
POWER = 0.80
FINAL_MONTHS = 12


def paired_differences(other: np.ndarray, base: np.ndarray) -> np.ndarray:
    """other - base, with differences below floating-point noise (1e-9 relative) set to zero, so
    that runs identical up to the order of their sums compare as exactly equal."""
    other, base = np.asarray(other, dtype=float), np.asarray(base, dtype=float)
    difference = other - base
    noise = 1e-9 * np.maximum(np.abs(other), np.abs(base))
    return np.where(np.abs(difference) <= noise, 0.0, difference)


def paired_interval(
    differences: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of paired differences along axis 0 and its t interval (NaN with fewer than 2 pairs)."""
    d = np.asarray(differences, dtype=float)
    n = d.shape[0]
    mean = d.mean(axis=0)
    if n < 2:  # [()] makes a 0-d array a scalar, as the arithmetic below gives (tables need scalars)
        return mean, np.full_like(mean, np.nan)[()], np.full_like(mean, np.nan)[()]
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(axis=0, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def minimum_detectable_difference(
    differences: np.ndarray, confidence: float = CONFIDENCE, power: float = POWER
) -> np.ndarray:
    """Smallest true mean of paired differences (along axis 0) that the paired t interval would
    exclude 0 for with probability `power`, at this spread and this number of pairs:

        MDD = (t(0.5 + confidence / 2, n-1) + t(power, n-1)) × sd(d) / √n

    with sd the standard deviation of the n differences (n-1 in the denominator); at 95 % and 80 %,
    (t(0.975, n-1) + t(0.80, n-1)) × sd / √n. A smaller true effect would usually go unseen. NaN with
    fewer than 2 pairs; 0 for pairs without spread (identical runs)."""
    d = np.asarray(differences, dtype=float)
    n = d.shape[0]
    if n < 2:
        return np.full_like(d.mean(axis=0), np.nan)[()]
    factor = stats.t.ppf(0.5 + confidence / 2, n - 1) + stats.t.ppf(power, n - 1)
    return factor * d.std(axis=0, ddof=1) / math.sqrt(n)


def ratio_interval(
    costs: np.ndarray, gains: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Cost per unit gained (ratio of means) with its Fieller interval.

    All NaN unless the mean cost is positive and the gain's own interval lies above 0: a cost per
    unit of a gain that may be nil would mislead. With a fixed cost C the interval is
    [C / gain high, C / gain low]. With one replicate: the ratio, without interval.
    """
    c, g = np.asarray(costs, dtype=float), np.asarray(gains, dtype=float)
    n = g.size
    mean_c, mean_g = c.mean(), g.mean()
    if not (mean_c > 0 and mean_g > 0):
        return math.nan, math.nan, math.nan
    ratio = mean_c / mean_g
    if n < 2:
        return ratio, math.nan, math.nan
    q = stats.t.ppf(0.5 + confidence / 2, n - 1) ** 2 / n
    (s_cc, s_cg), (_, s_gg) = np.cov(c, g, ddof=1)
    a = mean_g**2 - q * s_gg
    if a <= 0:  # the gain's interval includes 0
        return math.nan, math.nan, math.nan
    b = mean_c * mean_g - q * s_cg
    root = math.sqrt(max(b * b - a * (mean_c**2 - q * s_cc), 0.0))
    return ratio, (b - root) / a, (b + root) / a


def excludes_zero(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """True where an interval lies entirely above or below 0 (False for missing intervals)."""
    return (np.asarray(low) > 0) | (np.asarray(high) < 0)


def final_values(values: np.ndarray) -> np.ndarray:
    """Mean over the last 12 months (all months if fewer) of an array (replicates, months, ...)."""
    return values[:, -FINAL_MONTHS:].mean(axis=1)


def total_values(values: np.ndarray, kinds: Sequence[str]) -> np.ndarray:
    """Whole-horizon value per replicate and indicator: sum for flows, time average otherwise.

    `values` has shape (replicates, months, indicators); `kinds` gives each indicator's kind.
    """
    flow = np.array([kind == "flow" for kind in kinds])
    return np.where(flow, values.sum(axis=1), values.mean(axis=1))


def verdict(better: str, difference: float, significant: bool, replicates: int) -> str:
    """Plain-language reading of a difference: better, worse, no clear difference..."""
    if replicates < 2:
        return "no interval"
    if not significant:
        return "no clear difference"
    if better == "neutral":
        return "higher" if difference > 0 else "lower"
    improved = (difference < 0) == (better == "lower")
    return "better" if improved else "worse"
