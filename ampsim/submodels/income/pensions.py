"""Retirement pensions: the monthly net pension of a retired resident, drawn by sex from DREES's
published levels and spread, and the minimum vieillesse (ASPA) that tops up a retired household's
pensions to a floor.

A retiree's total pension (own rights plus survivor's pension) is split log-normal: one spread
below the median, one above. Each sex's mean is DREES's mean pension of own rights (end of 2023)
times the ratio of total to own-rights pension of that sex (end of 2019), net of social
contributions at the published net/gross ratio. The two spreads are fitted so that the pooled
distribution of both sexes has DREES's decile ratios (first decile, median and ninth decile over
the mean, EIR 2016). Levels are euros of December 2023; `PensionTable.level_index` moves them to
another month. Survivors' pensions, which these totals include, go to widows and widowers: a
retiree who lives with a partner has the own-rights part of the drawn total, one who lives without
has the survivor's part on top (`survivor_factors`). The ASPA is a household amount: single or
couple, by date, indexed after its last known value as the legislation indexes euro amounts
(`aspa_indexed`). See docs/PENSIONS_AND_RENTS.md.

Every draw takes pre-drawn uniforms, so the Numba function can run inside counter-based random
kernels and give the same result whatever the number of threads.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np
from numba import njit
from scipy.optimize import brentq, least_squares
from scipy.special import ndtr, ndtri

from ampsim.core.checks import finite_array, whole_array
from ampsim.core.errors import InputError
from ampsim.core.parameters import ParameterGroup, bounded, parameter
from ampsim.core.rng import normal_quantile
from ampsim.submodels.income.legislation import load_legislation

Ratio = bounded(0.5, 2.0)
DatedAmount = tuple[
    bounded(1900, 2100, int), bounded(1, 12, int), bounded(0.0, 100_000.0)
]  # (year, month, EUR/month) in force from that month

_DREES_2025 = (
    "DREES, 'Les retraités et les retraites', édition 2025 (data at end of 2023, France, "
    "retirees living in France): mean own-rights pension 1,666 EUR gross, 1,541 EUR net; "
    "women 1,306 EUR gross; as reported by UNSA Retraités (retraites.unsa.org/panorama-"
    "retraites-et-retraites-2025, Sep 2025) and Miroir social (Jul 2025)"
)
_DREES_2021 = (
    "DREES, 'Les retraités et les retraites', édition 2021 (end of 2019, France): own rights "
    "women 1,145 / men 1,924 EUR gross; with survivors' pensions women 1,399 / men 1,947 EUR; "
    "as reported by boreame.com (May 2021)"
)
_EIR_2016 = (
    "DREES, Études et Résultats no. 1119 (EIR 2016, France, end of 2016): total pension of "
    "retirees of a basic scheme living in France, mean 1,626, median 1,478, D1 568, D9 2,776 "
    "EUR gross a month; via Cause commune (causecommune-larevue.fr)"
)
_ASPA = (
    "Allocation de solidarité aux personnes âgées, maximum monthly amounts: 1,012.02 EUR single "
    "and 1,571.16 EUR couple from January 2024 (cafebabel.fr, MoneyVox/Cnav); 1,034.28 and "
    "1,605.73 EUR from 1 January 2025 after the 2.2 % revaluation (passion-entrepreneur.com, "
    "clicanoo.com, planet.fr citing the Cnav)"
)


class PensionParameters(ParameterGroup):
    """The published pension figures and the minimum vieillesse by date."""

    mean_gross_own_rights: float = parameter(
        1666.0,
        unit="EUR/month",
        ge=500.0,
        le=5000.0,
        source=_DREES_2025,
        description="mean gross own-rights pension of retirees living in France, end of 2023",
    )
    mean_net_own_rights: float = parameter(
        1541.0,
        unit="EUR/month",
        ge=500.0,
        le=5000.0,
        source=_DREES_2025,
        description="the same net of social contributions (sets the net/gross ratio)",
    )
    women_gross_own_rights: float = parameter(
        1306.0,
        unit="EUR/month",
        ge=300.0,
        le=5000.0,
        source=_DREES_2025,
        description="mean gross own-rights pension of women, end of 2023 (38 % below men's)",
    )
    women_share: float = parameter(
        0.53,
        unit="1",
        ge=0.0,
        le=1.0,
        source="DREES 2024 edition (end of 2022): women are 53 % of own-rights retirees "
        "(travail-emploi.gouv.fr, 'Les retraités et les retraites, panorama 2024 de la DREES')",
        description="share of women among retirees (gives men's mean from the overall mean)",
    )
    total_to_own_rights: tuple[Ratio, Ratio] = parameter(
        (1947.0 / 1924.0, 1399.0 / 1145.0),
        unit="1",
        source=f"derived from {_DREES_2021}: 1,947/1,924 for men and 1,399/1,145 for women",
        description="total pension (with survivors' pensions) over own-rights pension, men and women",
    )
    median_to_mean: float = parameter(
        1478.0 / 1626.0,
        unit="1",
        ge=0.5,
        le=1.0,
        source=_EIR_2016,
        description="pooled median of total pensions over their mean (1,478/1,626)",
    )
    d1_to_mean: float = parameter(
        568.0 / 1626.0,
        unit="1",
        ge=0.05,
        le=0.9,
        source=_EIR_2016,
        description="pooled first decile over the mean (568/1,626)",
    )
    d9_to_mean: float = parameter(
        2776.0 / 1626.0,
        unit="1",
        ge=1.1,
        le=4.0,
        source=_EIR_2016,
        description="pooled ninth decile over the mean (2,776/1,626)",
    )
    aspa_single: tuple[DatedAmount, ...] = parameter(
        ((2024, 1, 1012.02), (2025, 1, 1034.28)),
        unit="(year, month, EUR/month)",
        source=_ASPA,
        description="ASPA maximum for a single person, from each date on",
    )
    aspa_couple: tuple[DatedAmount, ...] = parameter(
        ((2024, 1, 1571.16), (2025, 1, 1605.73)),
        unit="(year, month, EUR/month)",
        source=_ASPA,
        description="ASPA maximum for a couple (both members or one), from each date on",
    )
    aspa_age: int = parameter(
        65,
        unit="years",
        ge=60,
        le=70,
        source="ASPA is open from 65 (62 for some disabled people and veterans, left out); "
        "cafebabel.fr, perlib.fr (Feb 2025)",
        description="age from which a household's pensions are topped up to the ASPA",
    )


class PensionTable(NamedTuple):
    """What the Numba draw needs: the net median total pension of men and women (December 2023
    euros), the two fitted spreads and the index of levels to the month of the draw."""

    median: np.ndarray  # float64 (2,): net median total pension, men and women
    sigma_below: float
    sigma_above: float
    level_index: float  # pension level of the month / December 2023


# --- the fit ---------------------------------------------------------------------------------
def target_means(params: PensionParameters) -> np.ndarray:
    """Mean net total pension of men and women (2,), December 2023 euros: own rights by sex
    (men's from the overall mean and the women's share), times the total/own ratio, times the
    net/gross ratio."""
    w = params.women_share
    men = (params.mean_gross_own_rights - w * params.women_gross_own_rights) / (1.0 - w)
    gross = np.array([men, params.women_gross_own_rights]) * np.asarray(params.total_to_own_rights)
    return gross * (params.mean_net_own_rights / params.mean_gross_own_rights)


def split_mean_factor(sigma_below: float, sigma_above: float) -> float:
    """Mean over median of a split log-normal: e^(a²/2) Φ(-a) + e^(b²/2) Φ(b)."""
    a, b = sigma_below, sigma_above
    return math.exp(a * a / 2) * float(ndtr(-a)) + math.exp(b * b / 2) * float(ndtr(b))


def _pooled_quantile(p: float, median: np.ndarray, weight: np.ndarray, a: float, b: float) -> float:
    """Quantile p of the mixture of the two sexes' split log-normals."""

    def cdf(x: float) -> float:
        z = np.log(x / median)
        return float(np.sum(weight * ndtr(np.where(z < 0, z / a, z / b))))

    return brentq(lambda x: cdf(x) - p, 1e-3, 1e6, xtol=1e-6)


def pooled_ratios(table: PensionTable, weight: np.ndarray) -> np.ndarray:
    """(D1, median, D9) over the mean of the pooled distribution of both sexes."""
    a, b = table.sigma_below, table.sigma_above
    mean = float(np.sum(weight * table.median)) * split_mean_factor(a, b)
    quantiles = [_pooled_quantile(p, table.median, weight, a, b) for p in (0.1, 0.5, 0.9)]
    return np.array(quantiles) / mean


def fit_pension_table(params: PensionParameters | None = None, level_index: float = 1.0) -> PensionTable:
    """The table whose sexes have the target means and whose pooled D1, median and D9 over the
    mean match DREES's ratios as closely as two spreads allow (least squares on logs)."""
    params = params or PensionParameters()
    means = target_means(params)
    weight = np.array([1.0 - params.women_share, params.women_share])
    target = np.log([params.d1_to_mean, params.median_to_mean, params.d9_to_mean])

    def table_for(sigmas: np.ndarray) -> PensionTable:
        a, b = float(sigmas[0]), float(sigmas[1])
        return PensionTable(means / split_mean_factor(a, b), a, b, float(level_index))

    def residuals(sigmas: np.ndarray) -> np.ndarray:
        return np.log(pooled_ratios(table_for(sigmas), weight)) - target

    start = np.array([-math.log(params.d1_to_mean / params.median_to_mean) / float(ndtri(0.9))] * 2)
    fitted = least_squares(residuals, start, bounds=([0.01, 0.01], [3.0, 3.0])).x
    table = table_for(fitted)
    return table._replace(median=np.ascontiguousarray(table.median, dtype=np.float64))


# --- the Numba draw --------------------------------------------------------------------------
@njit(cache=True)
def draw_pension(u: float, sex: int, table: PensionTable) -> float:
    """Monthly net total pension of a retiree (EUR): the split log-normal quantile u of the
    sex's distribution, times the level index. Pure: the same uniform gives the same pension.
    Inputs are assumed valid (`draw_pensions` checks them)."""
    z = normal_quantile(u)
    spread = table.sigma_below if z < 0.0 else table.sigma_above
    return table.median[sex] * math.exp(z * spread) * table.level_index


@njit(cache=True)
def _draw_all(u, sex, table, out):
    for i in range(out.size):
        out[i] = draw_pension(u[i], sex[i], table)


def draw_pensions(u: np.ndarray, sex: np.ndarray, table: PensionTable) -> np.ndarray:
    """Monthly net pension of each retiree (float64), one per uniform; bad input raises
    ValueError naming the argument."""
    uniforms = finite_array(u, "u", 0.0, 1.0)
    sexes = whole_array(sex, "sex", 0, 1)
    if sexes.size not in (uniforms.size, 1):
        raise InputError(f"sex: expected {uniforms.size} values (one per retiree) or one, got {sexes.size}")
    sexes = np.ascontiguousarray(np.broadcast_to(sexes, uniforms.shape))
    out = np.empty(uniforms.size, dtype=np.float64)
    _draw_all(uniforms, sexes, table, out)
    return out


# --- the minimum vieillesse ------------------------------------------------------------------
def aspa_amounts(year: int, month: int = 1, params: PensionParameters | None = None) -> tuple[float, float]:
    """ASPA maximum (single, couple) in force on the first day of a month; after the last dated
    value the last one stays (revaluations to come are not known)."""
    params = params or PensionParameters()
    if not isinstance(year, int | np.integer) or not 1900 <= year <= 2100:
        raise InputError(f"year: expected a whole number from 1900 to 2100, got {year!r}")
    if not isinstance(month, int | np.integer) or not 1 <= month <= 12:
        raise InputError(f"month: expected a whole number from 1 to 12, got {month!r}")
    return _in_force(params.aspa_single, year, month), _in_force(params.aspa_couple, year, month)


def _in_force(dated: tuple[DatedAmount, ...], year: int, month: int) -> float:
    """The amount of the latest date at or before (year, month); before the first date, the first."""
    date = dt.date(int(year), int(month), 1)
    ordered = sorted(dated)
    amounts = [a for y, m, a in ordered if dt.date(y, m, 1) <= date]
    return float(amounts[-1] if amounts else ordered[0][2])


def aspa_indexed(year: int, month: int = 1, params: PensionParameters | None = None) -> tuple[float, float]:
    """ASPA maximum (single, couple) of a month: the dated amount in force, indexed after the last
    dated value by the legislation's yearly rate on each anniversary of that value (the rule of
    every other euro amount: an assumption, so that the floor does not fall behind the poverty
    line by assumption), and deflated at that rate before the first (a run from 2019)."""
    params = params or PensionParameters()
    single, couple = aspa_amounts(year, month, params)
    rate = load_legislation().indexation_rate
    y, m, _ = min(min(params.aspa_single), min(params.aspa_couple))
    if (int(year), int(month)) < (y, m):
        years_before = y - int(year) - (1 if int(month) >= m else 0) + 1  # whole or part years
        factor = (1.0 + rate) ** -years_before
        return single * factor, couple * factor
    y, m, _ = max(max(params.aspa_single), max(params.aspa_couple))
    years = int(year) - y - (1 if int(month) < m else 0)
    factor = (1.0 + rate) ** max(years, 0)
    return single * factor, couple * factor


def survivor_factors(params: PensionParameters, alone_share: np.ndarray) -> np.ndarray:
    """Multipliers (sex, [with a partner, without]) of the drawn total pension. A retiree who
    lives with a partner has the own-rights part (total / DREES's ratio of total to own-rights
    pension); one without a partner, taken as widowed, has the survivor's pension on top, so that
    each sex's mean pension stays DREES's: a x alone + (1 - a) / ratio = 1, with a the sex's share
    of retirees living without a partner (`alone_share`, men and women)."""
    ratio = np.asarray(params.total_to_own_rights, dtype=float)
    share = np.clip(np.asarray(alone_share, dtype=float), 0.05, 1.0)
    partner = 1.0 / ratio
    alone = (1.0 - (1.0 - share) * partner) / share
    return np.ascontiguousarray(np.stack([partner, alone], axis=1))


def aspa_top_up(
    household_pensions: np.ndarray,
    couple: np.ndarray,
    eligible: np.ndarray,
    amounts: tuple[float, float],
) -> np.ndarray:
    """Monthly ASPA of each household: the single or couple maximum minus the household's
    pensions, at least 0, for households with a member of ASPA age (`eligible`). Other
    resources are left out of the means test (see the documentation)."""
    pensions = finite_array(household_pensions, "household_pensions", 0.0, 1e7)
    n = pensions.size
    pair = _flags(couple, "couple", n)
    ok = _flags(eligible, "eligible", n)
    single_amount, couple_amount = (float(a) for a in amounts)
    if not 0.0 < single_amount <= couple_amount:
        raise InputError(f"amounts: expected 0 < single <= couple, got {amounts!r}")
    ceiling = np.where(pair, couple_amount, single_amount)
    return np.where(ok, np.maximum(ceiling - pensions, 0.0), 0.0)


def _flags(values, name: str, n: int) -> np.ndarray:
    """A boolean array of n entries (a single value is broadcast), or a one-line ValueError."""
    array = whole_array(values, name, 0, 1).astype(bool)
    if array.size not in (n, 1):
        raise InputError(f"{name}: expected {n} values (one per household) or one, got {array.size}")
    return np.broadcast_to(array, (n,))
