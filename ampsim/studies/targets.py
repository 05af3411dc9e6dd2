"""The baseline's calibration targets: model beside data, one row per target.

Targets (sources in docs/MODEL.md): metro unemployment 12.1 % ± 1.5 points at every year end;
each zone's unemployment within ± 3 points of its census rate after one year (for zones large
enough at the run's scale that 3 points are at least four sampling standard errors; smaller zones
are judged within 3 points plus three standard errors); 15-24 unemployment between 20 % and
28 %; 600 to 1,200 startups alive; five-year survival of founded cohorts between 55 % and 65 %;
population-weighted concentrations in the ranges AtmoSud reports, with the highest NO2 at a
traffic or industrial station.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ampsim.studies.runner import RunResult
from ampsim.world.territory import load_territory

CONCENTRATION_RANGES = {"no2": (15.0, 30.0), "pm10": (14.0, 24.0), "pm25": (8.0, 14.0)}


def calibration_table(result: RunResult) -> pd.DataFrame:
    """Every target with the data, the model's value and whether it is met."""
    rows: list[dict] = []
    metro = result.metro
    year_ends = metro[metro["date"].str.endswith("-12")]
    for row in year_ends.itertuples():
        rows.append(
            _row(
                f"unemployment 15-64, {row.date}",
                "12.1 ± 1.5 %",
                row.unemployment_rate,
                abs(row.unemployment_rate - 12.1) <= 1.5,
            )
        )
    for row in year_ends.itertuples():
        rows.append(
            _row(
                f"unemployment 15-24, {row.date}",
                "20-28 %",
                row.youth_unemployment_rate,
                20 <= row.youth_unemployment_rate <= 28,
            )
        )
    for row in year_ends.itertuples():
        rows.append(
            _row(
                f"startups alive, {row.date}",
                "600-1,200",
                row.startups_alive,
                600 <= row.startups_alive <= 1200,
            )
        )
    rows.extend(_zone_rows(result))
    survival, cohorts = five_year_survival(result.startups, int(metro["month"].max()))
    if cohorts:
        rows.append(
            _row(
                f"5-year survival of startups founded in the run ({cohorts} cohorts)",
                "55-65 %",
                100 * survival,
                55 <= 100 * survival <= 65,
            )
        )
    first_year = metro[metro["month"] <= 12]
    for name, (low, high) in CONCENTRATION_RANGES.items():
        value = first_year[f"{name}_popweighted"].mean()
        rows.append(
            _row(
                f"population-weighted {name.upper().replace('25', '2.5')}, first year (µg/m³)",
                f"{low:g}-{high:g}",
                value,
                low <= value <= high,
            )
        )
    rows.append(_station_row(result.stations))
    who = first_year["people_above_who_pm25"].mean() / first_year["population"].mean()
    rows.append(
        _row(
            "share above the WHO PM2.5 guideline, first year", "~100 % (AtmoSud 2021)", 100 * who, who >= 0.95
        )
    )
    rows.append(
        _row(
            "car share of commuting, first year",
            "75.3 % (2020)",
            first_year["car_share"].mean(),
            abs(first_year["car_share"].mean() - 75.3) <= 3,
        )
    )
    rows.append(
        _row(
            "poverty rate, first year",
            "17-19 % (PACA 17 %, BdR 17.7 %)",
            first_year["poverty_rate"].mean(),
            15 <= first_year["poverty_rate"].mean() <= 21,
        )
    )
    return pd.DataFrame(rows)


def _row(target: str, data: str, model: float, met: bool) -> dict:
    return {"target": target, "data": data, "model": float(model), "met": bool(met)}


def _zone_rows(result: RunResult) -> list[dict]:
    """Zone unemployment after one year against the census, with sampling error at this scale."""
    territory = load_territory()
    zones = result.zones[result.zones["month"] == 12]
    if zones.empty:
        return []
    census = territory.zones.set_index("insee_code")["unemployment_rate_pct"]
    zones = zones.set_index("code")
    deviation = zones["unemployment_rate"] - census.reindex(zones.index)
    scale = float(result.metadata.get("scale", 1.0))
    # actives in the simulation: about 44 % of residents
    actives = 0.44 * zones["population"] * scale
    p = census.reindex(zones.index) / 100
    standard_error = 100 * np.sqrt(p * (1 - p) / np.maximum(actives, 1))
    precise = standard_error <= 0.75
    within = deviation.abs() <= 3.0
    within_noise = deviation.abs() <= 3.0 + 3 * standard_error
    rows = [
        _row(
            f"zones within ±3 points after 12 months, % ({precise.sum()} zones with sampling "
            "error under 0.75 point)",
            "all",
            100 * within[precise].mean() if precise.any() else np.nan,
            bool(within[precise].all()),
        ),
        _row(
            "largest deviation among those zones (points)",
            "≤ 3",
            deviation.abs()[precise].max() if precise.any() else np.nan,
            bool(deviation.abs()[precise].max() <= 3) if precise.any() else False,
        ),
        _row(
            f"other zones within 3 points + 3 sampling errors, % ({(~precise).sum()} zones)",
            "all",
            100 * within_noise[~precise].mean() if (~precise).any() else 100.0,
            bool(within_noise[~precise].all()) if (~precise).any() else True,
        ),
    ]
    return rows


def five_year_survival(startups: pd.DataFrame, last_month: int) -> tuple[float, int]:
    """Share of startups founded during the run (with five years of follow-up) alive at five years."""
    founded = startups[(startups["founded_month"] >= 1) & (startups["founded_month"] <= last_month - 60)]
    if founded.empty:
        return float("nan"), 0
    closed_early = (founded["end"] == "closed") & (founded["end_month"] - founded["founded_month"] < 60)
    return float(1 - closed_early.mean()), int(founded["founded_month"].nunique())


def _station_row(stations: pd.DataFrame) -> dict:
    if stations.empty:
        return _row("highest NO2 at a traffic or industrial station", "yes", np.nan, False)
    mean = stations.groupby("station")["NO2"].mean().dropna()
    top = mean.idxmax()
    from ampsim.submodels.pollution import station_table

    table = station_table().set_index("station")
    kind = str(table.loc[top, "type"]) if top in table.index else ""
    met = kind.startswith("traffic") or kind.startswith("industrial")
    return {
        "target": f"highest modelled NO2 station: {top} ({kind or 'type unknown'})",
        "data": "a traffic or industrial station",
        "model": float(mean.max()),
        "met": met,
    }
