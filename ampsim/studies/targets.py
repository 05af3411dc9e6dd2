"""The baseline's calibration targets: model beside data, one row per target, for one run
(`calibration_table`) and as pass rates over replicates (`pass_rates`).

Targets (sources in docs/MODEL.md): metro unemployment 12.1 % ± 1.5 points at every year end;
each zone's unemployment within ± 3 points of its census rate after one year (for zones large
enough at the run's scale that 3 points are at least four sampling standard errors; smaller zones
are judged within 3 points plus their sampling error, by exact binomial intervals that a
well-calibrated run leaves in 95 % of cases); 15-24 unemployment between 20 % and
28 %; 600 to 1,200 startups alive; five-year survival of founded cohorts between 55 % and 65 %;
population-weighted concentrations in the ranges AtmoSud reports, with the highest NO2 at a
traffic or industrial station.

A test with nothing to test (no zone precise enough at the run's scale, no cohort followed for five
years, no year end, a missing value) is not evaluable: its `met` is None, never True. One run's
success depends on its random numbers, so a target is judged by its pass rate over replicates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ampsim.studies.replicates import run_study, study_settings
from ampsim.studies.runner import RunResult, baseline_scenario
from ampsim.world.territory import load_territory

PM10_2019_TOLERANCE = 3.0  # µg/m³, at each of the five calibration stations
DEFAULT_REPLICATES = 5
PASS_SHARE = 0.95  # a target passes when it is met in at least this share of the replicates
# first-year means within a tolerance: target, data, metro column, value, tolerance
FIRST_YEAR_TARGETS = (
    ("car share of commuting", "75.3 % (2020)", "car_share", 75.3, 3.0),
    ("median home-work distance by road (km)", "6.9 (PACA 2017) ± 1.5", "median_commute_km", 6.9, 1.5),
    ("commuters working outside their commune", "47 % (PACA 2013) ± 5", "commuters_leaving_commune", 47, 5),
    (
        "residents living in a priority neighbourhood (QPV)",
        "15.5 % (300,000) ± 2",
        "qpv_population_share",
        15.5,
        2.0,
    ),
    ("poverty rate in QPV", "41 % (Filosofi 2019) ± 5", "qpv_poverty_rate", 41.0, 5.0),
)
TABLE_COLUMNS = ["target", "data", "model", "met", "note"]
RATE_COLUMNS = [
    "target",
    "data",
    "model_mean",
    "model_min",
    "model_max",
    "passed",
    "evaluated",
    "runs",
    "pass_rate",
    "evaluable",
    "note",
]


def calibration_table(result: RunResult) -> pd.DataFrame:
    """Every target with the data, the model's value, whether it is met (True, False, or None when
    the run gives it nothing to test) and a note (what was tested, or why nothing was)."""
    metro = result.metro
    rows = _year_end_rows(metro)
    rows.extend(_zone_rows(result))
    survival, cohorts = five_year_survival(result.startups, int(metro["month"].max()))
    rows.append(
        _row(
            "5-year survival of startups founded in the run",
            "55-65 %",
            100 * survival,
            55 <= 100 * survival <= 65,
            f"{cohorts} monthly cohorts"
            if cohorts
            else "no startup founded in the run has five years of follow-up (the run needs > 60 months)",
        )
    )
    first_year = metro[metro["month"] <= 12]
    rows.append(_station_row(result.stations))
    rows.append(_pm10_2019_row(result.stations))
    who = _mean(first_year, "people_above_who_pm25") / _mean(first_year, "population")
    rows.append(
        _row(
            "share above the WHO PM2.5 guideline, first year",
            "~100 % (AtmoSud 2021)",
            100 * who,
            who >= 0.95,
        )
    )
    for target, data, column, value, tolerance in FIRST_YEAR_TARGETS:
        model = _mean(first_year, column)
        rows.append(_row(f"{target}, first year", data, model, abs(model - value) <= tolerance))
    poverty = _mean(first_year, "poverty_rate")
    rows.append(
        _row(
            "poverty rate, first year",
            "17-19 % (PACA 17 %, BdR 17.7 %)",
            poverty,
            15 <= poverty <= 21,
        )
    )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _row(target: str, data: str, model: float, met: Any, note: str = "") -> dict:
    """A target's row; not evaluable (met None) when the test was empty or the value is missing."""
    value = float(model)
    evaluable = met is not None and np.isfinite(value)
    return {
        "target": target,
        "data": data,
        "model": value,
        "met": bool(met) if evaluable else None,
        "note": note,
    }


def _mean(table: pd.DataFrame, column: str) -> float:
    """The mean of a column (NaN when the table lacks it or has no rows)."""
    if column not in table.columns or table.empty:
        return float("nan")
    return float(table[column].mean())


def _year_end_rows(metro: pd.DataFrame) -> list[dict]:
    """Unemployment (15-64, 15-24) and startups alive at every December of the run."""
    year_ends = metro[metro["date"].astype(str).str.endswith("-12")]
    tests = [
        ("unemployment 15-64", "12.1 ± 1.5 %", "unemployment_rate", lambda v: abs(v - 12.1) <= 1.5),
        ("unemployment 15-24", "20-28 %", "youth_unemployment_rate", lambda v: 20 <= v <= 28),
        ("startups alive", "600-1,200", "startups_alive", lambda v: 600 <= v <= 1200),
    ]
    rows = []
    for label, data, column, test in tests:
        if year_ends.empty or column not in year_ends.columns:
            rows.append(_row(f"{label}, at year ends", data, np.nan, None, "no December in the run"))
            continue
        for date, value in zip(year_ends["date"], year_ends[column], strict=True):
            rows.append(_row(f"{label}, {date}", data, value, test(value)))
    return rows


def _zone_rows(result: RunResult) -> list[dict]:
    """Zone unemployment after one year against the census, with sampling error at this scale."""
    targets = (
        ("zones within ±3 points at month 12, % (zones with sampling error < 0.75 point)", "all"),
        ("largest deviation among those zones (points)", "≤ 3"),
        ("other zones within 3 points + sampling error at month 12, %", "all"),
    )
    zones = result.zones[result.zones["month"] == 12] if "month" in result.zones.columns else result.zones
    if zones.empty:
        return [
            _row(target, data, np.nan, None, "the run is shorter than 12 months") for target, data in targets
        ]
    territory = load_territory()
    census = territory.zones.set_index("insee_code")["unemployment_rate_pct"]
    zones = zones.set_index("code")
    deviation = (zones["unemployment_rate"] - census.reindex(zones.index)).abs()
    scale = float(result.metadata.get("scale", 1.0))
    # actives in the simulation: about 44 % of residents
    actives = 0.44 * zones["population"] * scale
    p = census.reindex(zones.index) / 100
    standard_error = 100 * np.sqrt(p * (1 - p) / np.maximum(actives, 1))
    precise = standard_error <= 0.75
    within_sampling = _within_sampling_error(zones["unemployment_rate"], p, actives)
    n_precise, n_other = int(precise.sum()), int((~precise).sum())
    precise_note = (
        f"{n_precise} zones"
        if n_precise
        else f"no zone has a sampling error under 0.75 point at scale {scale:g}: nothing to test"
    )
    other_note = f"{n_other} zones" if n_other else "every zone is precise: nothing to test"
    (within_target, within_data), (largest_target, largest_data), (other_target, other_data) = targets
    return [
        _row(
            within_target,
            within_data,
            100 * (deviation[precise] <= 3.0).mean() if n_precise else np.nan,
            bool((deviation[precise] <= 3.0).all()) if n_precise else None,
            precise_note,
        ),
        _row(
            largest_target,
            largest_data,
            deviation[precise].max() if n_precise else np.nan,
            bool(deviation[precise].max() <= 3.0) if n_precise else None,
            precise_note,
        ),
        _row(
            other_target,
            other_data,
            100 * within_sampling[~precise].mean() if n_other else np.nan,
            bool(within_sampling[~precise].all()) if n_other else None,
            other_note,
        ),
    ]


def _within_sampling_error(rate: pd.Series, census: pd.Series, actives: pd.Series) -> pd.Series:
    """Whether each zone's simulated unemployment (%) is within 3 points of its census rate plus
    its sampling error: inside the binomial interval of its simulated actives at the census rate
    ± 3 points, at a level that leaves a 5 % chance of any zone of a well-calibrated run falling
    outside (Bonferroni over the zones). Small zones have few simulated actives, and their counts
    are skewed: a normal "3 standard errors" would fail them far more often than 0.3 %."""
    n = np.maximum(np.round(actives.to_numpy(float)), 1)
    alpha = 0.05 / max(len(rate), 1)
    low = stats.binom.ppf(alpha / 2, n, np.clip(census.to_numpy(float) - 0.03, 0, 1)) / n
    high = stats.binom.ppf(1 - alpha / 2, n, np.clip(census.to_numpy(float) + 0.03, 0, 1)) / n
    value = rate.to_numpy(float) / 100
    return pd.Series((value >= low - 1e-9) & (value <= high + 1e-9), index=rate.index)


def five_year_survival(startups: pd.DataFrame, last_month: int) -> tuple[float, int]:
    """Share of startups founded during the run (with five years of follow-up) alive at five years."""
    founded = startups[(startups["founded_month"] >= 1) & (startups["founded_month"] <= last_month - 60)]
    if founded.empty:
        return float("nan"), 0
    closed_early = (founded["end"] == "closed") & (founded["end_month"] - founded["founded_month"] < 60)
    return float(1 - closed_early.mean()), int(founded["founded_month"].nunique())


def _station_row(stations: pd.DataFrame) -> dict:
    """Whether the station with the highest mean modelled NO2 is a traffic or industrial one."""
    target, data = "highest modelled NO2 at a traffic or industrial station (µg/m³)", "yes"
    mean = (
        stations.groupby("station")["NO2"].mean().dropna()
        if {"station", "NO2"} <= set(stations.columns)
        else pd.Series(dtype=float)
    )
    if mean.empty:
        return _row(target, data, np.nan, None, "no station values in the run")
    from ampsim.submodels.pollution import station_table

    top = mean.idxmax()
    table = station_table().set_index("station")
    kind = str(table.loc[top, "type"]) if top in table.index else ""
    met = kind.startswith("traffic") or kind.startswith("industrial")
    return _row(target, data, mean.max(), met, f"{top} ({kind or 'type unknown'})")


def _pm10_2019_row(stations: pd.DataFrame) -> dict:
    """The largest gap between the 2019 PM10 means of the five calibration stations and the model's
    (the stations' readings over the twelve months of 2019); evaluable in a run through 2019."""
    target = "2019 PM10 at the five calibration stations, largest gap (µg/m³)"
    data = f"within {PM10_2019_TOLERANCE:g} of each (EEA 2019)"
    if not {"station", "date", "PM10"} <= set(stations.columns):
        return _row(target, data, np.nan, None, "no station values in the run")
    year = stations[stations["date"].astype(str).str.startswith("2019-")]
    if year["date"].nunique() < 12:
        return _row(target, data, np.nan, None, "needs the twelve months of 2019: --start 2019-01")
    from ampsim.studies.air_calibration import calibration_stations
    from ampsim.submodels.pollution import station_table

    names = station_table().set_index("station")["name"]
    means = year.groupby("station")["PM10"].mean().rename(index=names)
    observed = calibration_stations()["pm10_annual_mean_2019_ugm3"]
    gaps = (means.reindex(observed.index) - observed).round(1)
    if gaps.isna().any():
        return _row(target, data, np.nan, None, "a calibration station has no reading")
    largest = float(gaps.abs().max())
    note = "; ".join(f"{name} {gap:+.1f}" for name, gap in gaps.items())
    return _row(target, data, largest, largest <= PM10_2019_TOLERANCE, note)


# --- over replicates ----------------------------------------------------------------------


def run_targets(
    replicates: int = DEFAULT_REPLICATES,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
    **settings: Any,
) -> list[RunResult]:
    """Replicates 0 to n-1 of the built-in baseline (settings as `study_settings` takes them:
    scale, seed, months... None keeps the default), on `workers` processes."""
    study = study_settings(baseline_scenario(), replicates, **settings)
    return run_study([baseline_scenario()], study, workers, progress)["baseline"]


def pass_rates(results: Sequence[RunResult]) -> pd.DataFrame:
    """Each target over the runs: the data, the model's mean, min and max over the runs where it has
    a value, how many runs met it (`passed`) and could test it (`evaluated`), and the pass rate,
    passed / runs (a run that cannot test it does not pass it); `evaluable` is False, and the rate
    NaN, when no run could test it."""
    if not results:
        raise ValueError("pass rates need at least one run")
    return rates_of_tables([calibration_table(result) for result in results])


def rates_of_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """`pass_rates` from calibration tables already made (one per run), in the first table's order;
    a target missing from a run counts as not evaluated there."""
    runs = len(tables)
    long = pd.concat([t.assign(_run=i) for i, t in enumerate(tables)], ignore_index=True)
    rows = []
    for target, block in long.groupby("target", sort=False):
        values = block["model"].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        met = block["met"].tolist()
        passed, evaluated = sum(m is True for m in met), sum(m is not None for m in met)
        notes = [note for note in dict.fromkeys(block["note"]) if note]
        rows.append(
            {
                "target": target,
                "data": block["data"].iloc[0],
                "model_mean": values.mean() if values.size else np.nan,
                "model_min": values.min() if values.size else np.nan,
                "model_max": values.max() if values.size else np.nan,
                "passed": passed,
                "evaluated": evaluated,
                "runs": runs,
                "pass_rate": passed / runs if evaluated else np.nan,
                "evaluable": evaluated > 0,
                "note": "; ".join(notes[:3]) + ("; ..." if len(notes) > 3 else ""),
            }
        )
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def passing(rates: pd.DataFrame, share: float = PASS_SHARE) -> pd.Series:
    """Whether each target is met in at least `share` of the runs (False when not evaluable)."""
    return rates["evaluable"] & (rates["pass_rate"].fillna(0.0) >= share - 1e-12)
