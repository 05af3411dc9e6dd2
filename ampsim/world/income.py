"""Residents by income: quintiles, log-income histograms and each zone's income mix.

A resident's income is the standard of living (disposable income per consumption unit, €/year) of
their household: drawn from the zone's Filosofi distribution in the synthetic population, then
computed by the income submodel (`ampsim/submodels/income/incomes.py`) from the household's pay,
pensions and benefits.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ampsim.core.chunks import chunk_bounds, chunks_for
from ampsim.world.residents import Residents


@njit(cache=True, inline="always")
def income_quintile(income: float, edges: np.ndarray) -> int:
    """Income quintile 0-4 from the four quintile edges: the number of edges at or below the income
    (counted without branches, which incomes in random order would mispredict)."""
    return (
        int(edges[0] <= income) + int(edges[1] <= income) + int(edges[2] <= income) + int(edges[3] <= income)
    )


# --- income histograms: 160 bins of log income, 1,000 to 1,000,000 € ---------------------------
INCOME_BINS = 160
INCOME_LOW, INCOME_HIGH = 1_000.0, 1_000_000.0
_LOG_LOW, _LOG_HIGH = np.log(INCOME_LOW), np.log(INCOME_HIGH)
_BIN_SHIFT = 16  # income bins are looked up on the sign, exponent and first 7 mantissa bits
_SIGN_BIT = 0x80000000


def histogram_quantiles(histogram: np.ndarray, probabilities: list[float]) -> np.ndarray:
    """Quantiles of income from a histogram of log income (linear in log inside a bin)."""
    total = histogram.sum()
    if total <= 0:
        return np.full(len(probabilities), np.nan)
    cumulative = np.concatenate([[0.0], np.cumsum(histogram)]) / total
    log_edges = np.linspace(_LOG_LOW, _LOG_HIGH, INCOME_BINS + 1)
    return np.exp(np.interp(probabilities, cumulative, log_edges))


@njit(cache=True)
def log_income_bin(income: float) -> int:
    """The histogram bin of an income, by definition: 160 equal bins of log income, 1,000-1,000,000 €."""
    b = int((np.log(max(income, 1.0)) - _LOG_LOW) * (INCOME_BINS / (_LOG_HIGH - _LOG_LOW)))
    return min(max(b, 0), INCOME_BINS - 1)


@njit(cache=True)
def income_bin_table() -> tuple[np.ndarray, np.ndarray]:
    """Tables that give `log_income_bin` of a float32 income from its bits, without a logarithm.

    `start[b]` is the bit pattern of the smallest positive float32 in bin b (bit patterns of
    positive floats grow with their value); `table[bits >> 16]` is the bin of the smallest float
    sharing those first 16 bits. Such a group spans under 1 % of income, less than a bin (4.4 %),
    so the bin is the table's or the next one.
    """
    start = np.zeros(INCOME_BINS + 1, dtype=np.uint32)
    start[INCOME_BINS] = 0x7F800000  # +infinity: no income reaches it
    for b in range(1, INCOME_BINS):
        low, high = 0x00000000, 0x7F800000  # the first pattern whose bin is >= b, by bisection
        while low < high:
            middle = (low + high) // 2
            value = np.array([middle], dtype=np.uint32).view(np.float32)[0]
            if log_income_bin(value) >= b:
                high = middle
            else:
                low = middle + 1
        start[b] = low
    table = np.zeros(1 << (32 - _BIN_SHIFT), dtype=np.uint8)
    for key in range(_SIGN_BIT >> _BIN_SHIFT):
        value = np.array([key << _BIN_SHIFT], dtype=np.uint32).view(np.float32)[0]
        table[key] = log_income_bin(value)
    return table, start


@njit(cache=True, inline="always")
def income_bin(bits, table, start) -> int:
    """`log_income_bin` of a float32 income from its bit pattern (see `income_bin_table`)."""
    if bits >= _SIGN_BIT:  # a negative income (never in the model): the lowest bin
        return 0
    b = table[bits >> _BIN_SHIFT]
    if bits >= start[b + 1]:
        b += 1
    return b


# --- residents by zone and income quintile -------------------------------------------------------
QUINTILE_PROBABILITIES = [0.2, 0.4, 0.6, 0.8]


class IncomeMix:
    """Residents of each zone by metro income quintile, and the four quintile edges.

    `reset` measures both from the residents' incomes. `update`, at the end of a simulated month,
    counts the residents by quintile with the current edges, then moves the edges to the month's
    quantiles (from the 160-bin income histogram): what residents see of their neighbourhoods
    lags one month behind, as news of a neighbourhood does. (Before the start, during the
    calibration spin-up, the mix measured at the start is kept.)
    """

    def __init__(self, residents: Residents, n_zones: int):
        self.n_zones = n_zones
        self.bin_table, self.bin_start = income_bin_table()
        self.reset(residents)

    def reset(self, residents: Residents) -> None:
        """Edges and counts measured from the incomes as they are."""
        present = residents.present()
        income = residents.income[present]
        self.edges = np.quantile(income, QUINTILE_PROBABILITIES)
        quintile = np.searchsorted(self.edges, income, side="right")
        counts = np.zeros((self.n_zones, 5))
        np.add.at(counts, (residents.zone[present], quintile), 1.0)
        self.counts = counts

    def update(self, residents: Residents) -> None:
        """Count by the current edges, then move the edges to the incomes' quantiles."""
        counts = np.zeros((self.n_zones, 5), dtype=np.int64)
        histogram = np.zeros(INCOME_BINS, dtype=np.int64)
        income_mix_kernel(
            residents.zone,
            residents.household,
            residents.income,
            self.bin_table,
            self.bin_start,
            self.edges,
            chunks_for(residents.n),
            counts,
            histogram,
        )
        self.counts = counts.astype(float)
        self.edges = histogram_quantiles(histogram.astype(float), QUINTILE_PROBABILITIES)


@njit(cache=True, parallel=True)
def income_mix_kernel(
    zone, household, income, bin_table, bin_start, edges, n_chunks, counts, histogram
):  # pragma: no cover
    """Residents by (zone, quintile of `edges`) and by income bin, free slots (no household)
    left out; chunks in parallel, their integer counts added afterwards. Three arrays, not the
    bundle (ResidentArrays), which would cost more than this short pass at small scales."""
    income_bits = income.view(np.uint32)  # the float32 incomes' bits, for `income_bin`
    part_counts = np.zeros((n_chunks, counts.shape[0], 5), dtype=np.int64)
    part_histogram = np.zeros((n_chunks, INCOME_BINS), dtype=np.int64)
    for c in prange(n_chunks):
        start, stop = chunk_bounds(c, n_chunks, zone.size)
        for i in range(start, stop):
            if household[i] < 0:
                continue
            part_counts[c, zone[i], income_quintile(income[i], edges)] += 1
            part_histogram[c, income_bin(income_bits[i], bin_table, bin_start)] += 1
    counts += part_counts.sum(axis=0)
    histogram += part_histogram.sum(axis=0)
