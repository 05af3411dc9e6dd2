"""Paired comparison of policy scenarios with a baseline: differences, 95 % intervals, costs.

Replicate r of every scenario uses the same seed as replicate r of the baseline (common random
numbers), so every statistic is computed on the per-replicate differences other_r − base_r and
summarised by their mean and a paired t interval, mean ± t(0.975, n−1) × sd / √n.

"Final" means the mean over the last 12 simulated months (all months if fewer). "Total" means, over
the whole horizon, the sum over months for flows (counts per month: deaths, hires, euros raised)
and the time average for rates and stocks (percentages, concentrations, people at a date).
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ampsim.metrics import ZONE_INDICATORS

if TYPE_CHECKING:
    from ampsim.studies.runner import RunResult

CONFIDENCE = 0.95
FINAL_MONTHS = 12
SPENT_PREFIX = "spent_"
TABLE_NAMES = ("summary", "series", "zones", "costs")


@dataclass(frozen=True)
class Indicator:
    """What a metro indicator measures, how it adds up over time and which direction is better."""

    name: str
    label: str
    unit: str  # unit of one month's value; for flows, the unit of what is counted each month
    kind: str  # "rate" and "stock" are averaged over time, "flow" is summed
    better: str  # "lower", "higher" or "neutral"
    group: str = "Other"

    @property
    def final_unit(self) -> str:
        """Unit of the final-year value: a monthly mean for flows."""
        return f"{self.unit} per month" if self.kind == "flow" else self.unit

    @property
    def total_basis(self) -> str:
        """How the whole horizon is summarised: 'cumulated' for flows, 'average' otherwise."""
        return "cumulated" if self.kind == "flow" else "average"


def _indicators(group: str, *specs: tuple[str, str, str, str, str]) -> dict[str, Indicator]:
    """Indicators of one family, keyed by name."""
    return {spec[0]: Indicator(*spec, group=group) for spec in specs}


INDICATORS: dict[str, Indicator] = {
    **_indicators(
        "Inclusion",
        ("unemployment_rate", "Unemployment rate 15-64", "%", "rate", "lower"),
        ("youth_unemployment_rate", "Youth unemployment rate 15-24", "%", "rate", "lower"),
        ("neet_share", "NEET share of 15-29 year-olds", "%", "rate", "lower"),
        ("long_term_unemployment_share", "Job seekers unemployed for a year or more", "%", "rate", "lower"),
        ("poverty_rate", "Poverty rate", "%", "rate", "lower"),
        ("median_income", "Median income per consumption unit", "€/year", "rate", "higher"),
        ("gini", "Gini index of income", "index 0-1", "rate", "lower"),
        (
            "dissimilarity_poor",
            "Segregation of poor residents (dissimilarity)",
            "index 0-100",
            "rate",
            "lower",
        ),
        (
            "north_south_unemployment_gap",
            "Unemployment gap, Marseille north - south",
            "points",
            "rate",
            "lower",
        ),
        ("north_south_poverty_gap", "Poverty gap, Marseille north - south", "points", "rate", "lower"),
        ("north_south_income_ratio", "Median income, Marseille north / south", "ratio", "rate", "higher"),
        ("displaced", "Residents displaced by rent rises", "people", "flow", "lower"),
        ("unemployed", "Unemployed people 15-64", "people", "stock", "lower"),
        ("neet", "NEETs aged 15-29", "people", "stock", "lower"),
        ("poor", "Residents below the poverty line", "people", "stock", "lower"),
    ),
    **_indicators(
        "Innovation",
        ("startups_alive", "Startups alive", "startups", "stock", "higher"),
        ("startup_jobs", "Jobs in startups", "jobs", "stock", "higher"),
        ("startups_incubated", "Startups in incubators", "startups", "stock", "neutral"),
        ("startups_founded", "Startups founded", "startups", "flow", "higher"),
        ("startups_closed", "Startups closed", "startups", "flow", "neutral"),
        ("startup_hires", "Startup hires", "hires", "flow", "higher"),
        ("startup_hires_priority", "Startup hires living in priority zones", "hires", "flow", "higher"),
        ("funding_raised_eur", "Funding raised by startups", "€", "flow", "higher"),
    ),
    **_indicators(
        "Air and health",
        ("no2_popweighted", "NO2 at home (population-weighted)", "µg/m³", "rate", "lower"),
        ("pm10_popweighted", "PM10 at home (population-weighted)", "µg/m³", "rate", "lower"),
        ("pm25_popweighted", "PM2.5 at home (population-weighted)", "µg/m³", "rate", "lower"),
        ("no2_mean", "NO2, mean over the territory", "µg/m³", "rate", "lower"),
        ("pm10_mean", "PM10, mean over the territory", "µg/m³", "rate", "lower"),
        ("pm25_mean", "PM2.5, mean over the territory", "µg/m³", "rate", "lower"),
        ("people_above_who_no2", "People above the WHO NO2 guideline", "people", "stock", "lower"),
        ("people_above_who_pm10", "People above the WHO PM10 guideline", "people", "stock", "lower"),
        ("people_above_who_pm25", "People above the WHO PM2.5 guideline", "people", "stock", "lower"),
        ("people_above_eu_no2", "People above the EU NO2 limit", "people", "stock", "lower"),
        ("people_above_eu_pm10", "People above the EU PM10 limit", "people", "stock", "lower"),
        ("people_above_eu_pm25", "People above the EU PM2.5 limit", "people", "stock", "lower"),
        ("exposure_gap_no2", "NO2 exposure gap, poorest - richest fifth", "µg/m³", "rate", "lower"),
        ("exposure_gap_pm25", "PM2.5 exposure gap, poorest - richest fifth", "µg/m³", "rate", "lower"),
        ("attributable_deaths_pm25", "Deaths attributable to PM2.5", "deaths", "flow", "lower"),
        ("attributable_deaths_no2", "Deaths attributable to NO2", "deaths", "flow", "lower"),
        ("car_share", "Car share of commuting", "%", "rate", "lower"),
        ("awareness", "Air-quality awareness", "share 0-1", "rate", "higher"),
    ),
    **_indicators(
        "Other",
        ("population", "Population", "people", "stock", "neutral"),
        ("rent_index", "Rent index", "index", "rate", "neutral"),
        ("vacancies", "Job vacancies", "jobs", "stock", "neutral"),
        ("hires", "Hires, all employers", "hires", "flow", "neutral"),
        ("separations", "Job separations", "people", "flow", "neutral"),
        ("training_entries", "Entries into training", "people", "flow", "neutral"),
        ("moves_between_zones", "Moves between zones", "people", "flow", "neutral"),
        ("deaths", "Deaths", "deaths", "flow", "neutral"),
        ("births", "Births", "births", "flow", "neutral"),
    ),
}

# the indicators of the headline table, the time-series charts and the maps (zone indicators)
KEY_INDICATORS = (
    "unemployment_rate",
    "youth_unemployment_rate",
    "neet_share",
    "poverty_rate",
    "median_income",
    "gini",
    "north_south_unemployment_gap",
    "startups_alive",
    "startup_jobs",
    "startup_hires_priority",
    "no2_popweighted",
    "pm25_popweighted",
    "people_above_who_no2",
    "attributable_deaths_pm25",
    "car_share",
    "displaced",
)
CHART_INDICATORS = (
    "unemployment_rate",
    "youth_unemployment_rate",
    "neet_share",
    "poverty_rate",
    "startup_jobs",
    "no2_popweighted",
    "pm25_popweighted",
    "attributable_deaths_pm25",
)
MAP_INDICATORS = ("unemployment_rate", "neet_share", "no2")

ZONE_LABELS = {
    "population": ("Population", "people"),
    "unemployment_rate": ("Unemployment rate 15-64", "%"),
    "youth_unemployment_rate": ("Youth unemployment rate 15-24", "%"),
    "neet_share": ("NEET share of 15-29 year-olds", "%"),
    "poverty_rate": ("Poverty rate", "%"),
    "median_income": ("Median income per consumption unit", "€/year"),
    "startups_alive": ("Startups alive", "startups"),
    "startup_jobs": ("Jobs in startups", "jobs"),
    "no2": ("NO2 at home", "µg/m³"),
    "pm10": ("PM10 at home", "µg/m³"),
    "pm25": ("PM2.5 at home", "µg/m³"),
    "car_share": ("Car share of commuting", "%"),
    "rent_index": ("Rent index", "index"),
    "attributable_deaths_pm25": ("Deaths attributable to PM2.5", "deaths per month"),
}


@dataclass
class Comparison:
    """The tables of a paired comparison of scenarios with a baseline, and their provenance."""

    base: str
    scenarios: list[str]
    replicates: int
    summary: pd.DataFrame
    series: pd.DataFrame
    zones: pd.DataFrame
    costs: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)


# --- statistics -----------------------------------------------------------------------------


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
    if n < 2:
        missing = np.full_like(mean, np.nan)
        return mean, missing, missing.copy()
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(axis=0, ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


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


# --- comparison ---------------------------------------------------------------------------


def compare(
    runs: dict[str, list[RunResult]], base: str, metadata: dict[str, Any] | None = None
) -> Comparison:
    """Compare each scenario's replicates with the baseline's, pair by pair.

    `metadata` is kept as given; the report reads `descriptions` ({scenario: text}) and `resolved`
    ({scenario: resolved scenario}) from it, and shows any other key as provenance.
    """
    scenarios = _check_runs(runs, base)
    base_runs = runs[base]
    indicators = [name for name in INDICATORS if all(_has(r.metro, name) for rs in runs.values() for r in rs)]
    base_values = _stack(base_runs, indicators)
    base_zone_tables: list[pd.DataFrame] | None = None  # made once, for the first scenario with zones
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLE_NAMES}
    for name in scenarios:
        other_values = _stack(runs[name], indicators)
        parts["summary"].append(_summary_rows(name, indicators, base_values, other_values))
        parts["series"].append(_series_rows(name, indicators, base_runs[0].metro, base_values, other_values))
        if all(_has(r.zones, "month") for r in (*base_runs, *runs[name])):
            base_zone_tables = base_zone_tables or [zone_final(r) for r in base_runs]
            parts["zones"].append(_zone_rows(name, base_zone_tables, runs[name]))
        parts["costs"].append(_cost_rows(name, base_runs, runs[name]))
    tables = {
        name: pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        for name, frames in parts.items()
    }
    derived = _derived_metadata(runs, base, scenarios)
    return Comparison(
        base=base,
        scenarios=scenarios,
        replicates=len(base_runs),
        metadata={**derived, **(metadata or {})},
        **tables,
    )


def _check_runs(runs: dict[str, list[RunResult]], base: str) -> list[str]:
    """The scenarios other than the baseline, after checking that the runs can be paired."""
    if base not in runs:
        raise ValueError(f"the baseline {base!r} is not among the scenarios run: {sorted(runs)}")
    scenarios = [name for name in runs if name != base]
    if not scenarios:
        raise ValueError("a comparison needs at least one scenario besides the baseline")
    n = len(runs[base])
    if n == 0:
        raise ValueError(f"the baseline {base!r} has no runs")
    base_months = [tuple(r.metro["month"]) for r in runs[base]]
    base_seeds = [_seed_key(r) for r in runs[base]]
    for name in scenarios:
        if len(runs[name]) != n:
            raise ValueError(
                f"{name!r} has {len(runs[name])} replicates, the baseline {n}: they cannot be paired"
            )
        for r, (run, months, seed) in enumerate(zip(runs[name], base_months, base_seeds, strict=True)):
            if tuple(run.metro["month"]) != months:
                raise ValueError(f"replicate {r} of {name!r} covers other months than the baseline's")
            if _seed_key(run) != seed:
                raise ValueError(
                    f"replicate {r} of {name!r} has another seed than the baseline's: not paired"
                )
    return scenarios


def _seed_key(run: RunResult) -> tuple[Any, Any]:
    """What identifies a replicate's random numbers (None where the metadata does not say)."""
    return (run.metadata.get("seed_entropy"), run.metadata.get("replicate"))


def _has(table: pd.DataFrame, column: str) -> bool:
    """Whether a table has a column (tables of older runs may lack recent indicators)."""
    return column in table.columns


def _stack(runs: Sequence[RunResult], columns: Sequence[str]) -> np.ndarray:
    """Metro values as an array (replicates, months, indicators)."""
    return np.stack([r.metro[list(columns)].to_numpy(dtype=float) for r in runs])


def _summary_rows(
    scenario: str, names: Sequence[str], base_values: np.ndarray, other_values: np.ndarray
) -> pd.DataFrame:
    """Final-year and whole-horizon differences with intervals, one row per indicator."""
    info = [INDICATORS[name] for name in names]
    kinds = [i.kind for i in info]
    n = base_values.shape[0]
    base_final, other_final = final_values(base_values), final_values(other_values)
    base_total, other_total = total_values(base_values, kinds), total_values(other_values, kinds)
    diff_final, final_low, final_high = paired_interval(paired_differences(other_final, base_final))
    diff_total, total_low, total_high = paired_interval(paired_differences(other_total, base_total))
    significant = excludes_zero(final_low, final_high)
    return pd.DataFrame(
        {
            "scenario": scenario,
            "indicator": list(names),
            "label": [i.label for i in info],
            "group": [i.group for i in info],
            "kind": kinds,
            "unit": [i.final_unit for i in info],
            "total_unit": [i.unit for i in info],
            "total_basis": [i.total_basis for i in info],
            "better": [i.better for i in info],
            "base_final": base_final.mean(axis=0),
            "other_final": other_final.mean(axis=0),
            "diff_final": diff_final,
            "diff_final_low": final_low,
            "diff_final_high": final_high,
            "significant": significant,
            "verdict": [
                verdict(i.better, d, s, n) for i, d, s in zip(info, diff_final, significant, strict=True)
            ],
            "base_total": base_total.mean(axis=0),
            "other_total": other_total.mean(axis=0),
            "diff_total": diff_total,
            "diff_total_low": total_low,
            "diff_total_high": total_high,
            "significant_total": excludes_zero(total_low, total_high),
        }
    )


def _series_rows(
    scenario: str,
    names: Sequence[str],
    calendar: pd.DataFrame,
    base_values: np.ndarray,
    other_values: np.ndarray,
) -> pd.DataFrame:
    """Monthly means of both scenarios and of their difference with its interval."""
    _, months, k = base_values.shape
    diff, low, high = paired_interval(paired_differences(other_values, base_values))
    return pd.DataFrame(
        {
            "scenario": scenario,
            "indicator": np.tile(np.asarray(names, dtype=object), months),
            "month": np.repeat(calendar["month"].to_numpy(), k),
            "date": np.repeat(calendar["date"].astype(str).to_numpy(), k),
            "base_mean": base_values.mean(axis=0).ravel(),
            "other_mean": other_values.mean(axis=0).ravel(),
            "diff_mean": diff.ravel(),
            "diff_low": low.ravel(),
            "diff_high": high.ravel(),
        }
    ).sort_values(["indicator", "month"], kind="stable", ignore_index=True)


def zone_final(run: RunResult) -> pd.DataFrame:
    """Each zone's indicators averaged over the run's last 12 months, indexed by (code, zone)."""
    zones = run.zones
    last = zones["month"] > zones["month"].max() - FINAL_MONTHS
    columns = [c for c in ZONE_INDICATORS if c in zones.columns]
    return zones[last].groupby(["code", "zone"], sort=True)[columns].mean()


def _zone_rows(
    scenario: str, base_tables: Sequence[pd.DataFrame], other_runs: Sequence[RunResult]
) -> pd.DataFrame:
    """Final-year zone differences with intervals, one row per (zone, indicator); `base_tables`:
    the baseline runs' `zone_final` tables."""
    index, columns = base_tables[0].index, base_tables[0].columns
    base = np.stack([t.reindex(index=index, columns=columns).to_numpy(float) for t in base_tables])
    other = np.stack(
        [zone_final(r).reindex(index=index, columns=columns).to_numpy(float) for r in other_runs]
    )
    diff, low, high = paired_interval(paired_differences(other, base))
    k = len(columns)
    return pd.DataFrame(
        {
            "scenario": scenario,
            "code": np.repeat(index.get_level_values("code").to_numpy(), k),
            "zone": np.repeat(index.get_level_values("zone").to_numpy(), k),
            "indicator": np.tile(np.asarray(columns, dtype=object), len(index)),
            "base_final": base.mean(axis=0).ravel(),
            "other_final": other.mean(axis=0).ravel(),
            "diff_final": diff.ravel(),
            "diff_low": low.ravel(),
            "diff_high": high.ravel(),
            "significant": excludes_zero(low, high).ravel(),
        }
    )


# --- costs per outcome ----------------------------------------------------------------------


@functools.cache
def census_shares() -> dict[str, float]:
    """Census ratios that turn metro rates into counts: labour force and 15-29 year-olds per resident."""
    from ampsim.world.territory import load_territory, read_data_csv

    territory = load_territory()
    labour = read_data_csv("labour_amp_2022.csv")
    share_15_29 = territory.zones["share_15_29_pct"].to_numpy(float)
    return {
        "labour_force": float(labour["active"].sum()) / float(territory.total_population),
        "aged_15_29": float(np.average(share_15_29, weights=territory.population)) / 100.0,
    }


def unemployed_people(metro: pd.DataFrame) -> np.ndarray:
    """Unemployed people by month: the `unemployed` column if there is one, else a census proxy.

    The proxy is unemployment rate × population × the census labour force per resident (855,851 /
    1,939,077), which assumes the policy leaves the size of the labour force unchanged.
    """
    if "unemployed" in metro:
        return metro["unemployed"].to_numpy(float)
    share = census_shares()["labour_force"]
    return metro["unemployment_rate"].to_numpy(float) / 100 * metro["population"].to_numpy(float) * share


def neet_people(metro: pd.DataFrame) -> np.ndarray:
    """NEETs by month: the `neet` column if there is one, else NEET share × population × the census
    share of 15-29 year-olds."""
    if "neet" in metro:
        return metro["neet"].to_numpy(float)
    share = census_shares()["aged_15_29"]
    return metro["neet_share"].to_numpy(float) / 100 * metro["population"].to_numpy(float) * share


def poor_people(metro: pd.DataFrame) -> np.ndarray:
    """Residents below the poverty line by month (poverty rate × population, exact)."""
    return metro["poverty_rate"].to_numpy(float) / 100 * metro["population"].to_numpy(float)


@dataclass(frozen=True)
class CostOutcome:
    """An outcome a policy buys, measured over the whole horizon as a gain (positive is good)."""

    name: str
    label: str  # what the gain counts
    unit: str  # unit of the cost per unit gained
    definition: str  # how it is computed, for the report
    columns: tuple[str, ...]  # metro columns it needs
    measure: Callable[[pd.DataFrame], np.ndarray]  # monthly amount, real units
    sign: float  # +1 when more is good, −1 when less is good
    per_year: bool  # person-years (sum over months / 12) rather than a count (sum over months)

    def gain(self, base: pd.DataFrame, other: pd.DataFrame) -> float:
        """The gain of `other` over `base` over the whole horizon."""
        total = float(np.sum(self.measure(other) - self.measure(base)))
        return self.sign * total / (12.0 if self.per_year else 1.0)


def _column(name: str) -> Callable[[pd.DataFrame], np.ndarray]:
    """A measure that reads one metro column as it is."""
    return lambda metro: metro[name].to_numpy(float)


COST_OUTCOMES = (
    CostOutcome(
        "unemployed_person_years",
        "unemployed person-years avoided",
        "€ per unemployed person-year avoided",
        "minus the sum over months of the difference in unemployed people, divided by 12; unemployed "
        "people = unemployment rate × population × census labour force per resident (855,851 / "
        "1,939,077 = 44.1 %), assuming the policy leaves the labour force's size unchanged",
        ("unemployment_rate", "population"),
        unemployed_people,
        -1.0,
        True,
    ),
    CostOutcome(
        "neet_person_years",
        "NEET person-years avoided",
        "€ per NEET person-year avoided",
        "minus the sum over months of the difference in NEETs, divided by 12; NEETs = NEET share × "
        "population × the census share of 15-29 year-olds (population-weighted over the zones)",
        ("neet_share", "population"),
        neet_people,
        -1.0,
        True,
    ),
    CostOutcome(
        "poor_person_years",
        "person-years in poverty avoided",
        "€ per person-year out of poverty",
        "minus the sum over months of the difference in poor residents (poverty rate × population), "
        "divided by 12",
        ("poverty_rate", "population"),
        poor_people,
        -1.0,
        True,
    ),
    CostOutcome(
        "startup_job_years",
        "startup job-years created",
        "€ per startup job-year",
        "the sum over months of the difference in jobs in startups, divided by 12",
        ("startup_jobs",),
        _column("startup_jobs"),
        1.0,
        True,
    ),
    CostOutcome(
        "deaths_pm25",
        "deaths attributable to PM2.5 avoided",
        "€ per attributable death avoided",
        "minus the sum over months of the difference in deaths attributable to PM2.5",
        ("attributable_deaths_pm25",),
        _column("attributable_deaths_pm25"),
        -1.0,
        False,
    ),
    CostOutcome(
        "above_who_no2_person_years",
        "person-years above the WHO NO2 guideline avoided",
        "€ per person-year above the WHO NO2 guideline avoided",
        "minus the sum over months of the difference in people above the WHO NO2 guideline, divided by 12",
        ("people_above_who_no2",),
        _column("people_above_who_no2"),
        -1.0,
        True,
    ),
)


def spending(metro: pd.DataFrame) -> dict[str, float]:
    """Euros spent over the horizon by each programme (the `spent_<programme>` columns)."""
    return {
        column.removeprefix(SPENT_PREFIX): float(metro[column].fillna(0).sum())
        for column in metro.columns
        if column.startswith(SPENT_PREFIX)
    }


def _total_spent(run: RunResult) -> float:
    """Euros spent over the horizon by all programmes of a run."""
    return sum(spending(run.metro).values())


def _cost_rows(
    scenario: str, base_runs: Sequence[RunResult], other_runs: Sequence[RunResult]
) -> pd.DataFrame:
    """Per outcome: the gain with its interval, the extra spending and the cost per unit gained."""
    spent = np.array([_total_spent(r) for r in other_runs])
    extra = spent - np.array([_total_spent(r) for r in base_runs])
    rows = []
    for outcome in COST_OUTCOMES:
        if not all(_has(r.metro, c) for r in (*base_runs, *other_runs) for c in outcome.columns):
            continue
        gains = np.array([outcome.gain(b.metro, o.metro) for b, o in zip(base_runs, other_runs, strict=True)])
        gain, low, high = paired_interval(gains)
        cost, cost_low, cost_high = ratio_interval(extra, gains)
        rows.append(
            {
                "scenario": scenario,
                "outcome": outcome.name,
                "label": outcome.label,
                "spent_eur": spent.mean(),
                "extra_spent_eur": extra.mean(),
                "outcome_diff": gain,
                "outcome_low": low,
                "outcome_high": high,
                "cost_per_unit": cost,
                "cost_low": cost_low,
                "cost_high": cost_high,
                "unit": outcome.unit,
                "note": _cost_note(extra.mean(), gain, low, len(gains)),
            }
        )
    return pd.DataFrame(rows)


def _cost_note(extra_spent: float, gain: float, low: float, replicates: int) -> str:
    """Why a cost per unit is or is not given."""
    if not extra_spent > 0:
        return "no spending recorded"
    if not gain > 0:
        return "no gain: no cost per unit"
    if replicates < 2:
        return "interval needs at least 2 replicates"
    if not low > 0:
        return "gain not significant (its interval includes 0): no cost per unit"
    return ""


# --- provenance -----------------------------------------------------------------------------


def _derived_metadata(runs: dict[str, list[RunResult]], base: str, scenarios: list[str]) -> dict[str, Any]:
    """What the runs themselves say about the comparison: horizon, seed, scale, versions, spending."""
    first = runs[base][0]
    dates = first.metro["date"].astype(str)
    final = dates.iloc[-min(FINAL_MONTHS, len(dates)) :]
    meta = first.metadata
    return {
        "base": base,
        "scenarios": list(scenarios),
        "replicates": len(runs[base]),
        "confidence": CONFIDENCE,
        "first_date": dates.iloc[0],
        "last_date": dates.iloc[-1],
        "final_period": [final.iloc[0], final.iloc[-1]],
        "months": len(dates),
        "seed_entropy": meta.get("seed_entropy"),
        "scale": meta.get("scale"),
        "residents": meta.get("residents"),
        "people_per_resident": meta.get("people_per_resident"),
        "ampsim_version": meta.get("ampsim_version"),
        "git_commit": meta.get("git_commit"),
        "runs": {name: _run_provenance(rs) for name, rs in runs.items()},
        "spending_eur": {name: _mean_spending(runs[name]) for name in [base, *scenarios]},
        "parameter_changes": {
            name: _changed_parameters(
                meta.get("parameters", {}), runs[name][0].metadata.get("parameters", {})
            )
            for name in scenarios
        },
        "outcome_definitions": {o.name: o.definition for o in COST_OUTCOMES},
    }


def _run_provenance(runs: Sequence[RunResult]) -> dict[str, Any]:
    """The replicates, seed and interventions recorded by one scenario's runs."""
    meta = runs[0].metadata
    return {
        "replicates": [r.metadata.get("replicate") for r in runs],
        "seed_entropy": meta.get("seed_entropy"),
        "interventions": meta.get("interventions", []),
    }


def _mean_spending(runs: Sequence[RunResult]) -> dict[str, float]:
    """Mean over replicates of each programme's spending over the horizon."""
    totals = pd.DataFrame([spending(r.metro) for r in runs]).fillna(0.0)
    return {name: float(value) for name, value in totals.mean().items()}


def _changed_parameters(base: dict, other: dict, prefix: str = "") -> dict[str, list[Any]]:
    """Parameters whose values differ between two nested dicts, as {path: [base, other]}."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(base) | set(other), key=str):
        a, b = base.get(key), other.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            changes.update(_changed_parameters(a, b, path + "."))
        elif a != b:
            changes[path] = [a, b]
    return changes


# --- output ---------------------------------------------------------------------------------


def write_comparison(comparison: Comparison, directory: str | os.PathLike) -> Path:
    """Write the four tables (Parquet), report.html, summary.md, figures and comparison.json.

    Everything is written into a temporary sibling folder renamed into place at the end, so a
    failure leaves neither a half-written folder nor a damaged earlier one.
    """
    from ampsim.reports.comparison import render_figures, render_html, render_markdown

    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
        for name in TABLE_NAMES:
            getattr(comparison, name).to_parquet(staging / f"{name}.parquet", index=False)
        (staging / "comparison.json").write_text(_comparison_json(comparison), encoding="utf-8")
        figures = render_figures(comparison)
        (staging / "figures").mkdir()
        for figure in figures:
            (staging / figure.path).write_bytes(figure.png)
        (staging / "report.html").write_text(render_html(comparison, figures), encoding="utf-8")
        (staging / "summary.md").write_text(render_markdown(comparison, figures), encoding="utf-8")
        _replace_directory(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def read_comparison(directory: str | os.PathLike) -> Comparison:
    """Load a comparison written by `write_comparison`."""
    directory = Path(directory)
    head = json.loads((directory / "comparison.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(directory / f"{name}.parquet") for name in TABLE_NAMES}
    return Comparison(
        base=head["base"],
        scenarios=head["scenarios"],
        replicates=head["replicates"],
        metadata=head["metadata"],
        **tables,
    )


def _comparison_json(comparison: Comparison) -> str:
    """comparison.json: the scenario names, the replicates and the metadata."""
    head = {
        "base": comparison.base,
        "scenarios": comparison.scenarios,
        "replicates": comparison.replicates,
        "metadata": comparison.metadata,
    }
    return json.dumps(head, indent=2, default=json_default, ensure_ascii=False) + "\n"


def json_default(value: Any) -> Any:
    """JSON form of NumPy values, pydantic models, and anything else (as text)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _replace_directory(staging: Path, target: Path) -> None:
    """Move `staging` onto `target`, removing an earlier `target` only once the move succeeded."""
    if not target.exists():
        staging.rename(target)
        return
    previous = target.with_name(f".{target.name}.previous-{uuid.uuid4().hex[:8]}")
    target.rename(previous)
    try:
        staging.rename(target)
    except OSError:
        previous.rename(target)
        raise
    shutil.rmtree(previous)


# --- text ---------------------------------------------------------------------------------


def format_number(value: float, signed: bool = False, digits: int = 3) -> str:
    """A number for reading: about `digits` significant digits, thousands separators, '-' if missing."""
    if value is None or not np.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    rounded = float(f"{value:.{digits}g}")  # so that 99.9996 reads 100, not 100.0
    decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
    return f"{value:{'+' if signed else ''},.{decimals}f}"


def format_interval(low: float, high: float, signed: bool = True) -> str:
    """A 95 % interval as 'low to high' ('n/a' when it could not be computed)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    return f"{format_number(low, signed)} to {format_number(high, signed)}"


def period_label(comparison: Comparison) -> str:
    """The simulated horizon, e.g. '2026-2040' (or '2026-01 to 2027-06' when years are incomplete)."""
    first, last = (
        str(comparison.metadata.get("first_date", "")),
        str(comparison.metadata.get("last_date", "")),
    )
    if first.endswith("-01") and last.endswith("-12"):
        return first[:4] if first[:4] == last[:4] else f"{first[:4]}-{last[:4]}"
    return f"{first} to {last}"


def final_label(comparison: Comparison) -> str:
    """The final period, e.g. 'final year (mean of 2040-01 to 2040-12)'."""
    start, end = comparison.metadata.get("final_period", ["?", "?"])
    return f"final year (mean of {start} to {end})"


def ordered_rows(summary: pd.DataFrame, scenario: str, max_rows: int | None = None) -> pd.DataFrame:
    """One scenario's summary rows, key indicators first, then the others in table order."""
    rows = summary[summary["scenario"] == scenario]
    rank = {name: i for i, name in enumerate(KEY_INDICATORS)}
    order = rows["indicator"].map(lambda name: rank.get(name, len(rank)))
    rows = rows.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")
    return rows if max_rows is None else rows.head(max_rows)


def summary_text(comparison: Comparison, max_rows: int = 20) -> str:
    """A plain-text table for the terminal: key indicators, baseline final year, difference, 95 % CI.

    Each scenario gets at most `max_rows` rows, key indicators first.
    """
    n = comparison.replicates
    lines = [
        f"Scenario comparison: {', '.join(comparison.scenarios)} against the baseline {comparison.base!r}",
        f"{n} paired replicate{'s' if n != 1 else ''} (common random numbers), scale "
        f"{comparison.metadata.get('scale', '?')}; values for the {final_label(comparison)}, "
        "in real-population units.",
    ]
    if n < 2:
        lines.append("Intervals need at least 2 replicates: none are given.")
    for scenario in comparison.scenarios:
        rows = ordered_rows(comparison.summary, scenario, max_rows)
        table = pd.DataFrame(
            {
                "indicator": rows["label"],
                "unit": rows["unit"],
                "baseline": rows["base_final"].map(format_number),
                "difference": rows["diff_final"].map(lambda v: format_number(v, signed=True)),
                "95 % interval": [
                    format_interval(lo, hi)
                    for lo, hi in zip(rows["diff_final_low"], rows["diff_final_high"], strict=True)
                ],
                "": rows["verdict"],
            }
        )
        lines += ["", f"{scenario} - {comparison.base}", _text_table(table)]
    return "\n".join(lines) + "\n"


def _text_table(table: pd.DataFrame) -> str:
    """Columns padded to their width: text left-aligned, numbers right-aligned."""
    left = {"indicator", "unit", ""}
    widths = {c: max([len(str(c)), *(len(str(v)) for v in table[c])]) for c in table.columns}

    def cell(column: str, value: Any) -> str:
        """A cell padded to its column's width."""
        text = str(value)
        return text.ljust(widths[column]) if column in left else text.rjust(widths[column])

    header = "  ".join(cell(c, c) for c in table.columns)
    body = [
        "  ".join(cell(c, v) for c, v in zip(table.columns, row, strict=True))
        for row in table.itertuples(index=False)
    ]
    return "\n".join(line.rstrip() for line in [header, *body])
