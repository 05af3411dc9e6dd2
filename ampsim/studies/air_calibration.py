"""The air model's calibration check: a reference commuting traffic, annual mean fields, station
means and Marseille's road NOx, as quoted in docs/pollution.md.

    python -m ampsim.studies.air_calibration
"""

from __future__ import annotations

import time

import numpy as np
from scipy import optimize, sparse

from ampsim.submodels.pollution.fields import commute_paths
from ampsim.submodels.pollution.model import PollutionModel
from ampsim.world.stations import POLLUTANTS, station_table
from ampsim.world.territory import Territory, load_territory


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
    total = {name: np.zeros((model.grid.ny, model.grid.nx)) for name in POLLUTANTS}
    for month in range(1, 13):
        model.update(month - 1, month, year + (month - 1) / 12, car_km)
        for name, field in zip(POLLUTANTS, model.fields(), strict=True):
            total[name] += field / 12
    return total


def calibration_report(cell_km: float = 1.0) -> str:
    """The calibration figures of docs/pollution.md, as text."""
    territory = load_territory(cell_km)
    model = PollutionModel.over(territory)
    car_km = reference_car_km(territory)
    year = model.params.reference_year
    fields = annual_mean_fields(model, car_km, year)
    weight = model.people / model.people.sum()
    lines = [f"reference year {year:g}, commuting car-km per month {car_km.sum():,.0f}"]
    for name in POLLUTANTS:
        lines.append(f"population-weighted annual {name}: {fields[name].ravel() @ weight:.1f} µg/m³")
    above = model.people[fields["PM2.5"].ravel() > 5.0].sum() / model.people.sum()
    lines.append(f"share of residents above the WHO PM2.5 guideline (5): {above:.1%}")
    lines.append(f"Marseille road NOx: {marseille_road_nox_tonnes(model, car_km, year):,.0f} t/year")
    lines.append("station annual means (µg/m³), roadside increment included at traffic stations:")
    stations = station_table()
    values = station_annual_means(model, car_km, year)
    for row, no2, pm10, pm25 in zip(
        stations.itertuples(), values["NO2"], values["PM10"], values["PM2.5"], strict=True
    ):
        lines.append(
            f"  {row.name[:40]:40s} {row.type[:22]:22s} NO2 {no2:5.1f}  PM10 {pm10:5.1f}  PM2.5 {pm25:5.1f}"
        )
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


def station_annual_means(model: PollutionModel, car_km: np.ndarray, year: float) -> dict[str, np.ndarray]:
    """Annual means at the monitoring stations, with the roadside increment at traffic stations."""
    stations = station_table()
    x, y, roadside = stations["x_km"].to_numpy(), stations["y_km"].to_numpy(), stations["roadside"].to_numpy()
    total = {name: np.zeros(len(stations)) for name in POLLUTANTS}
    for month in range(1, 13):
        model.update(month - 1, month, year + (month - 1) / 12, car_km)
        for name, value in model.at_points(x, y, roadside=roadside).items():
            total[name] += value / 12
    return total


def marseille_road_nox_tonnes(model: PollutionModel, car_km: np.ndarray, year: float) -> float:
    """Road NOx emitted in a year on the cells of Marseille's 16 arrondissements, tonnes."""
    marseille = np.isin(model._zone_of_flat, model.territory.select("Marseille"))
    model.update(0, 1, year, car_km)
    return float(model.road_km[marseille].sum() * model.params.road_nox_g_per_km * 12 / 1e6)


if __name__ == "__main__":
    print(calibration_report())
