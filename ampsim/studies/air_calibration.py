"""The air model's calibration: a reference commuting traffic, annual mean fields, station means,
the fit to the five stations' 2019 PM10 with its residuals and sources, and Marseille's road NOx,
as quoted in docs/pollution.md.

    python -m ampsim.studies.air_calibration
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from ampsim.submodels.pollution.fields import commute_paths
from ampsim.submodels.pollution.model import AIR_POLLUTANTS, PollutionModel
from ampsim.submodels.pollution.parameters import PollutionParameters
from ampsim.world.stations import station_table
from ampsim.world.territory import Territory, load_territory, read_data_csv


def reference_car_commuters(
    territory: Territory,
    paths: sparse.csr_matrix,
    car_commuters: float = 550_000.0,
    mean_trip_km: float = 10.0,
) -> np.ndarray:
    """A plausible baseline of car commuters per home -> work pair, (n_zones, n_zones).

    Homes follow zone populations and jobs a gravity law, population x exp(-km / L), with L chosen
    so that the mean one-way trip is `mean_trip_km` km driven. For tests and calibration only: the
    full model takes its car commuters from the commuting submodel.
    """
    n = territory.n_zones
    trip_km = np.asarray(paths.sum(axis=0)).reshape(n, n)
    population = territory.population.astype(float)

    def od(length: float) -> np.ndarray:
        attraction = population[None, :] * np.exp(-trip_km / length)
        return (
            car_commuters
            * (population / population.sum())[:, None]
            * attraction
            / attraction.sum(axis=1, keepdims=True)
        )

    length = optimize.brentq(
        lambda scale: (od(scale) * trip_km).sum() / car_commuters - mean_trip_km, 0.5, 200.0
    )
    return od(length)


def reference_car_km(
    territory: Territory, paths: sparse.csr_matrix | None = None, trips_per_month: float = 42.0
) -> np.ndarray:
    """Commuting car-km per full-grid cell and month of the reference commuters (2 trips x 21 days)."""
    paths = commute_paths(territory) if paths is None else paths
    return paths @ (reference_car_commuters(territory, paths).ravel() * trips_per_month)


def annual_mean_fields(model: PollutionModel, car_km: np.ndarray, year: float) -> dict[str, np.ndarray]:
    """Mean of the twelve monthly fields of `year` under a constant commuting traffic."""
    total = {name: np.zeros((model.grid.ny, model.grid.nx)) for name in AIR_POLLUTANTS}
    for month in range(1, 13):
        model.update(month - 1, month, year + (month - 1) / 12, car_km)
        fields = model.all_fields()
        for name in AIR_POLLUTANTS:
            total[name] += fields[name] / 12
    return total


def station_annual_means(model: PollutionModel, car_km: np.ndarray, year: float) -> dict[str, np.ndarray]:
    """Annual means at the monitoring stations, traffic stations reading their street."""
    stations = station_table()
    x, y, streets = stations["x_km"].to_numpy(), stations["y_km"].to_numpy(), stations["road_type"].to_numpy()
    total = {name: np.zeros(len(stations)) for name in AIR_POLLUTANTS}
    for month in range(1, 13):
        model.update(month - 1, month, year + (month - 1) / 12, car_km)
        values = model.at_points(x, y, road_type=streets)
        for name in AIR_POLLUTANTS:
            total[name] += values[name] / 12
    return total


def calibration_stations() -> pd.DataFrame:
    """The five stations' 2019 PM10 (ampsim/world/data/pm10_2019_calibration.csv), by station name."""
    table = read_data_csv("pm10_2019_calibration.csv")
    table["name"] = table["station"].str.replace(r"\s*\[\w+\]\s*$", "", regex=True)
    return table.set_index("name")


# what the PM10 of a station is made of: the parameters (or sources) each part switches off
PM10_PARTS = {
    "road exhaust": {"critair_exhaust_pm10_g_per_km": (0.0,) * 5},
    "road wear": {"road_nonexhaust_pm10_g_per_km": 0.0},
    "heating": {"heating_pm10_kg_per_resident": 0.0},
    "industry": "industry",
    "shipping": "shipping",
    "street": {"near_road_daily_vehicles": (0.0,) * 4},
}


def pm10_breakdown(
    territory: Territory, car_km: np.ndarray, year: float, params: PollutionParameters | None = None
) -> pd.DataFrame:
    """Annual PM10 at the calibration stations, model and data, and the part of each source group:
    the drop when the group is switched off (PM10 is linear in the emissions)."""
    params = params or PollutionParameters()
    stations = station_table().set_index("name")
    observed = calibration_stations()
    index = [stations.index.get_loc(name) for name in observed.index]

    def pm10(model: PollutionModel) -> np.ndarray:
        return station_annual_means(model, car_km, year)["PM10"][index]

    total = pm10(PollutionModel.over(territory, params))
    table = pd.DataFrame(
        {"type": stations["type"].iloc[index].to_numpy(), "model": total}, index=observed.index
    )
    table["data"] = observed["pm10_annual_mean_2019_ugm3"]
    table["residual"] = table["model"] - table["data"]
    off_street = params.model_copy(update=PM10_PARTS["street"])
    in_cells = pm10(PollutionModel.over(territory, off_street))
    table["street"] = total - in_cells
    for part, switch in PM10_PARTS.items():
        if part == "street":
            continue
        if isinstance(switch, str):
            model = PollutionModel.over(territory, off_street)
            for name in model.sources.loc[model.sources["sector"] == switch, "name"]:
                model.point_source_scale[name] = 0.0
        else:
            model = PollutionModel.over(territory, off_street.model_copy(update=switch))
        table[part] = in_cells - pm10(model)
    table["background"] = total - table[list(PM10_PARTS)].sum(axis=1)
    return table


def calibration_report(cell_km: float = 1.0) -> str:
    """The calibration figures of docs/pollution.md, as text."""
    territory = load_territory(cell_km)
    model = PollutionModel.over(territory)
    car_km = reference_car_km(territory)
    year = model.params.reference_year
    fields = annual_mean_fields(model, car_km, year)
    weight = model.people / model.people.sum()
    lines = [f"reference year {year:g}, commuting car-km per month {car_km.sum():,.0f}"]
    for name in AIR_POLLUTANTS:
        lines.append(f"population-weighted annual {name}: {fields[name].ravel() @ weight:.1f} µg/m³")
    above = model.people[fields["PM2.5"].ravel() > 5.0].sum() / model.people.sum()
    lines.append(f"share of residents above the WHO PM2.5 guideline (5): {above:.1%}")
    lines.append(f"Marseille road NOx: {marseille_road_nox_tonnes(model, car_km, year):,.0f} t/year")
    lines.append("")
    lines.append("2019 PM10 at the calibration stations (µg/m³): model, data, residual and parts")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        lines.append(pm10_breakdown(territory, car_km, 2019.0).round(1).to_string())
    for label, when in (("2019", 2019.0), (f"{year:g}", year)):
        lines.append("")
        lines.append(f"station annual means {label} (µg/m³), traffic stations on their street:")
        stations = station_table()
        values = station_annual_means(model, car_km, when)
        for i, row in enumerate(stations.itertuples()):
            text = "  ".join(f"{name} {values[name][i]:5.1f}" for name in AIR_POLLUTANTS)
            lines.append(f"  {row.name[:40]:40s} {row.type[:22]:22s} {text}")
    timings = []
    for month in range(120):
        start = time.perf_counter()
        model.update(month, month % 12 + 1, year, car_km)
        timings.append(time.perf_counter() - start)
    lines.append(
        f"one update() on the {territory.grid.ny} x {territory.grid.nx} grid: "
        f"median {1000 * np.median(timings):.1f} ms"
    )
    return "\n".join(lines)


def marseille_road_nox_tonnes(model: PollutionModel, car_km: np.ndarray, year: float) -> float:
    """Road NOx emitted in a year on the cells of Marseille's 16 arrondissements, tonnes."""
    marseille = np.isin(model._zone_of_flat, model.territory.select("Marseille"))
    model.update(0, 1, year, car_km)
    return float(model.road_km[marseille].sum() * model.params.road_nox_g_per_km * 12 / 1e6)


if __name__ == "__main__":
    print(calibration_report())
