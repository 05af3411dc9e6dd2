"""The monthly pollution fields: background, static sources and the month's road traffic."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from ampsim.core.submodel import Submodel
from ampsim.submodels.pollution.dispersion import (
    regime_weights,
    wind_regimes,
)
from ampsim.submodels.pollution.fields import (
    commute_paths,
    load_sources,
    population_by_cell,
    static_fields,
    weighted_sum,
)
from ampsim.submodels.pollution.parameters import (
    SECONDS_PER_MONTH,
    PollutionParameters,
)
from ampsim.world.stations import POLLUTANTS
from ampsim.world.territory import Territory
from ampsim.world.view import ModelView


class PollutionModel(Submodel):
    """Monthly NO2, PM10 and PM2.5 fields (µg/m³) on the full grid, from emissions and wind regimes.

    Policies act through `road_emission_scale_by_zone` (vehicle-km: a traffic restriction),
    `road_nox_factor_by_zone` and `road_pm_factor_by_zone` (the fleet's emissions per vehicle-km
    relative to the metro fleet's: a low-emission zone) and `point_source_scale` (industrial
    abatement, shore power), read at each `update()`. In the
    model it is a submodel (`setup`, `step` from the month's car commuting trips); on its own,
    `PollutionModel.over(territory)` gives the fields for any traffic through `update()`.
    """

    runs_in_spin_up = False  # the labour market's calibration does not need the air

    def __init__(self, params: PollutionParameters | None = None):
        super().__init__(params or PollutionParameters())

    @classmethod
    def over(cls, territory: Territory, params: PollutionParameters | None = None) -> PollutionModel:
        """The fields over a territory, outside a model (studies and tests drive `update`)."""
        pollution = cls(params)
        pollution.attach(territory)
        return pollution

    def setup(self, model: ModelView, car_trips: np.ndarray) -> None:
        """Attach to the territory and compute the first month's fields from `car_trips`, the car
        commuting trips a month per home-work pair (flattened, real trips)."""
        self.attach(model.territory)
        self.paths = commute_paths(model.territory)
        self.weather = model.seed_generator("pollution.weather")  # the month's share of Mistral days
        self.step(model, car_trips)

    def step(self, model: ModelView, car_trips: np.ndarray) -> None:
        """The month's fields, with road traffic from `car_trips` along the commuting paths."""
        car_km = self.paths @ car_trips
        self.update(max(model.month, 0), model.calendar_month, model.year_fraction, car_km, rng=self.weather)

    # --- the levers of policies ---------------------------------------------------------------
    def scale_road_emissions(self, zones: np.ndarray, factor: float) -> None:
        """Multiply the road vehicle-km of the zones by `factor` (a traffic restriction)."""
        self.road_emission_scale_by_zone[zones] *= factor

    def scale_fleet_emissions(self, zones: np.ndarray, nox_factor: float, pm_factor: float) -> None:
        """Multiply the NOx and PM emitted per vehicle-km in the zones (a cleaner fleet)."""
        self.road_nox_factor_by_zone[zones] *= nox_factor
        self.road_pm_factor_by_zone[zones] *= pm_factor

    def restore_road_emissions(self, zones: np.ndarray, factor: float) -> None:
        """Undo `scale_road_emissions(zones, factor)` (a restriction that ends)."""
        self.road_emission_scale_by_zone[zones] /= factor

    def scale_point_source(self, name: str, factor: float) -> None:
        """Multiply the emissions of one industrial or port source by `factor` (abatement)."""
        self.point_source_scale[name] *= factor

    def attach(self, territory: Territory) -> None:
        """Sources, static fields and empty monthly fields on the territory's grid."""
        self.territory = territory
        grid = territory.grid
        self.grid = grid
        self.regimes = wind_regimes(self.params)
        self.sources = load_sources()
        self.road_emission_scale_by_zone = np.ones(territory.n_zones)
        self.road_nox_factor_by_zone = np.ones(territory.n_zones)
        self.road_pm_factor_by_zone = np.ones(territory.n_zones)
        self.point_source_scale: dict[str, float] = dict.fromkeys(self.sources["name"], 1.0)
        self.people = population_by_cell(territory, self.params.population_density_length)
        self.background_km = self.people * self.params.background_traffic_km_per_resident
        self._zone_of_flat = grid.zone_of_cell.ravel().astype(np.int64)
        self.static = static_fields(territory, self.params)
        self.convolver = self.static.convolver
        shape = (grid.ny, grid.nx)
        self.no2, self.pm10, self.pm25 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self.road_km = np.zeros(grid.ny * grid.nx)  # vehicle-km of the last month, after scaling
        self.road_km_nox = self.road_km_pm = self.road_km  # the same, weighted by the fleet's factors
        self.road_nox_gs = self.road_pm_gs = 0.0  # g/s per vehicle-km of the month (NOx; PM per g/km)
        self.weights = regime_weights(self.params, 1)
        self.month_index, self.calendar_month, self.year = -1, 1, self.params.reference_year

    # --- the monthly update --------------------------------------------------------------
    def update(
        self,
        month_index: int,
        calendar_month: int,
        year: float,
        car_km_by_cell: np.ndarray,
        rng: np.random.Generator | None = None,
    ) -> None:
        """Compute the month's fields.

        car_km_by_cell: (ny * nx,) float64, commuting car-km driven in the month in each full-grid
        cell, in real-population units. `rng`, when given, draws the month's Mistral share.
        """
        p = self.params
        if not 1 <= calendar_month <= 12:
            raise ValueError(f"calendar_month: expected 1..12, got {calendar_month}")
        car_km = np.asarray(car_km_by_cell, dtype=np.float64)
        if car_km.shape != self.background_km.shape:
            raise ValueError(f"car_km_by_cell: expected shape {self.background_km.shape}, got {car_km.shape}")
        self.month_index, self.calendar_month, self.year = month_index, calendar_month, float(year)
        self.weights = w = regime_weights(p, calendar_month, rng)
        years = float(year) - p.reference_year

        road_no2, road_pm = self._road_fields(car_km, w, years)
        heat_no2, heat_pm = self._heating_fields(w, calendar_month)
        source_no2, source_pm10, source_pm25 = self._source_fields(w)
        background = self.background(calendar_month, year)
        self.no2 = background[0] + road_no2 + heat_no2 * p.heating_nox_kg_per_resident + source_no2
        self.pm10 = background[1] + road_pm * p.road_pm10_g_per_km + heat_pm * p.heating_pm10_kg_per_resident
        self.pm10 += source_pm10
        self.pm25 = background[2] + road_pm * p.road_pm25_g_per_km + heat_pm * p.heating_pm25_kg_per_resident
        self.pm25 += source_pm25

    def _road_fields(self, car_km: np.ndarray, w: np.ndarray, years: float) -> tuple[np.ndarray, np.ndarray]:
        """Road NO2 (µg/m³) and road PM per g/km of emission factor, from this month's vehicle-km."""
        p = self.params
        shape = (self.grid.ny, self.grid.nx)
        scale = self._by_cell(self.road_emission_scale_by_zone, "road_emission_scale_by_zone")
        self.road_km = (np.maximum(car_km, 0.0) + self.background_km) * scale
        self.road_km_nox = self.road_km_pm = self.road_km
        if np.any(self.road_nox_factor_by_zone != 1) or np.any(self.road_pm_factor_by_zone != 1):
            self.road_km_nox = self.road_km * self._by_cell(
                self.road_nox_factor_by_zone, "road_nox_factor_by_zone"
            )
            self.road_km_pm = self.road_km * self._by_cell(
                self.road_pm_factor_by_zone, "road_pm_factor_by_zone"
            )
        self.road_nox_gs = p.road_nox_g_per_km * (1 + p.road_nox_trend) ** years / SECONDS_PER_MONTH
        self.road_pm_gs = (1 + p.road_pm_trend) ** years / SECONDS_PER_MONTH
        nox_spectrum = self.convolver.transform(self.road_km_nox.reshape(shape))
        pm_spectrum = (
            nox_spectrum
            if self.road_km_pm is self.road_km_nox
            else self.convolver.transform(self.road_km_pm.reshape(shape))
        )
        no2 = self.convolver.inverse(nox_spectrum * weighted_sum(w, self.static.traffic_no2_spectra))
        pm = self.convolver.inverse(pm_spectrum * weighted_sum(w, self.static.traffic_pm_spectra))
        return np.maximum(no2, 0.0) * self.road_nox_gs, np.maximum(pm, 0.0) * self.road_pm_gs

    def _heating_fields(self, w: np.ndarray, calendar_month: int) -> tuple[np.ndarray, np.ndarray]:
        """Heating NO2 and PM (µg/m³ per kg emitted per resident and year) in this calendar month."""
        season = 12.0 * self.params.heating_monthly_share[calendar_month - 1]
        no2 = weighted_sum(w, self.static.heating_no2)
        pm = weighted_sum(w, self.static.heating_pm)
        return no2 * season, pm * season

    def _source_fields(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """NO2, PM10 and PM2.5 (µg/m³) from the industrial and port sources at their current scale."""
        unknown = set(self.point_source_scale) - set(self.sources["name"])
        if unknown:
            raise KeyError(
                f"point_source_scale: unknown sources {sorted(unknown)}; known: {list(self.sources['name'])}"
            )
        scale = np.array([float(self.point_source_scale.get(name, 1.0)) for name in self.sources["name"]])
        if not np.all(np.isfinite(scale)) or np.any(scale < 0):
            raise ValueError("point_source_scale: expected finite values >= 0")
        no2_unit = weighted_sum(w, self.static.source_no2)  # (sources, ny, nx) per t/yr
        pm_unit = weighted_sum(w, self.static.source_pm)
        emitted = {
            column: scale * self.sources[column].to_numpy(float)
            for column in ("nox_t_per_year", "pm10_t_per_year", "pm25_t_per_year")
        }
        return (
            weighted_sum(emitted["nox_t_per_year"], no2_unit),
            weighted_sum(emitted["pm10_t_per_year"], pm_unit),
            weighted_sum(emitted["pm25_t_per_year"], pm_unit),
        )

    def _by_cell(self, by_zone: np.ndarray, name: str) -> np.ndarray:
        """Each cell's value of a by-zone road lever: its zone's, 1 outside the territory."""
        scale = np.asarray(by_zone, dtype=np.float64)
        if scale.shape != (self.territory.n_zones,) or not np.all(np.isfinite(scale)) or np.any(scale < 0):
            raise ValueError(f"{name}: expected n_zones finite values >= 0")
        inside = self._zone_of_flat >= 0
        return np.where(inside, scale[np.where(inside, self._zone_of_flat, 0)], 1.0)

    def background(self, calendar_month: int, year: float) -> np.ndarray:
        """Regional background NO2, PM10, PM2.5 (µg/m³) for a month: seasonal cycle and trend."""
        p = self.params
        season = math.cos(2 * math.pi * (calendar_month - 1) / 12)
        years = float(year) - p.reference_year
        no2 = p.background_no2 * (1 + p.background_seasonal_amplitude_no2 * season)
        no2 *= (1 + p.background_trend_no2) ** years
        pm = (1 + p.background_seasonal_amplitude_pm * season) * (1 + p.background_trend_pm) ** years
        return np.array([no2, p.background_pm10 * pm, p.background_pm25 * pm])

    # --- reading the fields ----------------------------------------------------------
    def at_cells(self, flat_cells: np.ndarray) -> dict[str, np.ndarray]:
        """Concentrations in full-grid cells given by flat index (row * nx + col)."""
        cells = np.asarray(flat_cells, dtype=np.int64)
        return {
            "NO2": self.no2.ravel()[cells],
            "PM10": self.pm10.ravel()[cells],
            "PM2.5": self.pm25.ravel()[cells],
        }

    def at_points(
        self, x_km: np.ndarray, y_km: np.ndarray, roadside: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Concentrations at points (Lambert-93 km), bilinear between cell centres.

        Where `roadside` is True, the near-road increment of `roadside_increment` is added, so that
        a traffic station reads above the urban background of its cell.
        """
        x = np.atleast_1d(np.asarray(x_km, dtype=float))
        y = np.atleast_1d(np.asarray(y_km, dtype=float))
        values = {
            name: self._bilinear(field, x, y) for name, field in zip(POLLUTANTS, self.fields(), strict=True)
        }
        if roadside is None:
            return values
        near = np.atleast_1d(np.asarray(roadside, dtype=bool))
        increment = self.roadside_increment(x[near], y[near])
        for name in POLLUTANTS:
            values[name][near] += increment[name]
        return values

    def roadside_increment(self, x_km: np.ndarray, y_km: np.ndarray) -> dict[str, np.ndarray]:
        """The near-road (sub-grid) increment at roadside points, µg/m³ by pollutant.

        Kerbside NOx (PM) = roadside_factor x the month's own-cell response to ground releases x
        the traffic NOx (PM) emission density averaged over the catchment square around the
        point. NO2 is the near-source NO2/NOx share of that NOx; both decay over the distance of
        the point from the road at the near-road rates.
        """
        p, grid = self.params, self.grid
        half = round(p.roadside_catchment_km / grid.cell_km)
        cells = grid.cell_index_at(x_km, y_km)

        def catchment(road_km: np.ndarray) -> np.ndarray:
            density = ndimage.uniform_filter(road_km.reshape(grid.ny, grid.nx), 2 * half + 1, mode="constant")
            return np.where(cells >= 0, density.ravel()[np.maximum(cells, 0)], 0.0)

        nox_km = catchment(self.road_km_nox)
        pm_km = nox_km if self.road_km_pm is self.road_km_nox else catchment(self.road_km_pm)
        nox_centre = float(weighted_sum(self.weights, self.static.nox_centre))
        pm_centre = float(weighted_sum(self.weights, self.static.pm_centre))
        nox_kerb = p.roadside_factor * nox_centre * nox_km * self.road_nox_gs
        pm_kerb = p.roadside_factor * pm_centre * pm_km * self.road_pm_gs
        d = p.roadside_distance_m
        pm_decay = math.exp(-p.near_road_decay_pm * d)
        return {
            "NO2": p.no2_fraction_near * nox_kerb * math.exp(-p.near_road_decay_no2 * d),
            "PM10": pm_kerb * p.road_pm10_g_per_km * pm_decay,
            "PM2.5": pm_kerb * p.road_pm25_g_per_km * pm_decay,
        }

    def fields(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.no2, self.pm10, self.pm25

    def _bilinear(self, field: np.ndarray, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        grid = self.grid
        col = (x_km - grid.x0_km) / grid.cell_km - 0.5
        row = (y_km - grid.y0_km) / grid.cell_km - 0.5
        return ndimage.map_coordinates(field, [row, col], order=1, mode="nearest")

    def population_weighted(self) -> dict[str, float]:
        """Means of the current fields weighted by the residents placed on the grid."""
        weight = self.people / self.people.sum()
        return {
            name: float(field.ravel() @ weight) for name, field in zip(POLLUTANTS, self.fields(), strict=True)
        }
