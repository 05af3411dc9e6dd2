"""The monthly pollution fields: background, static sources, and the month's traffic and heating."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from ampsim.core.submodel import Submodel
from ampsim.submodels.pollution.chemistry import nox_for_no2, partition
from ampsim.submodels.pollution.dispersion import regime_weights, wind_regimes
from ampsim.submodels.pollution.fields import (
    commute_paths,
    load_sources,
    population_by_cell,
    residents_by_cell,
    static_fields,
    weighted_sum,
)
from ampsim.submodels.pollution.parameters import SECONDS_PER_MONTH, SECONDS_PER_YEAR, PollutionParameters
from ampsim.submodels.pollution.roadside import (
    climatological_inverse_wind,
    inverse_wind,
    near_road_increment,
    road_type_index,
)
from ampsim.world.territory import Territory
from ampsim.world.view import ModelView

AIR_POLLUTANTS = (
    "NO2",
    "PM10",
    "PM2.5",
    "SO2",
    "O3",
)  # the fields; exposure and sensors read the first three


class PollutionModel(Submodel):
    """Monthly NO2, PM10, PM2.5, SO2 and O3 fields (µg/m³) on the full grid, from emissions and winds.

    Policies act through `road_emission_scale_by_zone` (vehicle-km: a traffic restriction),
    `road_nox_factor_by_zone` and `road_exhaust_factor_by_zone` (the fleet's NOx and exhaust PM per
    vehicle-km relative to the metro fleet's: a low-emission zone) and `point_source_scale`
    (industrial abatement, shore power), read at each `update()`. In the model it is a submodel
    (`setup`, `step` from the month's car commuting trips and the residents' homes); on its own,
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
        """The month's fields: road traffic from `car_trips` along the commuting paths, heating and
        other traffic where the simulated residents live this month."""
        car_km = self.paths @ car_trips
        people = residents_by_cell(self.grid, model.residents)
        self.update(
            max(model.month, 0),
            model.calendar_month,
            model.year_fraction,
            car_km,
            rng=self.weather,
            people=people,
        )

    # --- the levers of policies ---------------------------------------------------------------
    def scale_road_emissions(self, zones: np.ndarray, factor: float) -> None:
        """Multiply the road vehicle-km of the zones by `factor` (a traffic restriction)."""
        self.road_emission_scale_by_zone[zones] *= factor

    def scale_fleet_emissions(self, zones: np.ndarray, nox_factor: float, exhaust_factor: float) -> None:
        """Multiply the NOx and exhaust PM emitted per vehicle-km in the zones (a cleaner fleet)."""
        self.road_nox_factor_by_zone[zones] *= nox_factor
        self.road_exhaust_factor_by_zone[zones] *= exhaust_factor

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
        self.road_exhaust_factor_by_zone = np.ones(territory.n_zones)
        self.point_source_scale: dict[str, float] = dict.fromkeys(self.sources["name"], 1.0)
        self.census_people = population_by_cell(territory)
        self.people = self.census_people  # real residents per full-grid cell in the last month
        self._zone_of_flat = grid.zone_of_cell.ravel().astype(np.int64)
        self.static = static_fields(territory, self.params)
        self.convolver = self.static.convolver
        self.climate_inverse_wind = climatological_inverse_wind(self.params)
        shape = (grid.ny, grid.nx)
        self.nox, self.no2, self.o3 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self.pm10, self.pm25, self.so2 = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        self.road_km = np.zeros(grid.ny * grid.nx)  # vehicle-km of the last month, after scaling
        self.start_zone_km: np.ndarray | None = None  # each zone's at the start (month 0), for streets
        self.factors = (0.0, 0.0, 0.0, 0.0)  # the month's NOx, exhaust, non-exhaust PM10, PM2.5 g/km
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
        people: np.ndarray | None = None,
    ) -> None:
        """Compute the month's fields.

        car_km_by_cell: (ny * nx,) float64, commuting car-km driven in the month in each full-grid
        cell, in real-population units. `rng`, when given, draws the month's Mistral share.
        `people`: real residents per full-grid cell (default: the census, placed like homes).
        """
        p = self.params
        if not 1 <= calendar_month <= 12:
            raise ValueError(f"calendar_month: expected 1..12, got {calendar_month}")
        car_km = self._cell_array(car_km_by_cell, "car_km_by_cell")
        self.people = self.census_people if people is None else self._cell_array(people, "people")
        self.month_index, self.calendar_month, self.year = month_index, calendar_month, float(year)
        self.weights = w = regime_weights(p, calendar_month, rng)
        ground = self._spread(self._ground_emissions(car_km, calendar_month, float(year)), w)
        sources = self._source_fields(w, float(year))
        background = self.background(calendar_month, year)
        self.nox = background["NOx"] + ground["NOx"] + sources["NOx"]
        self.no2, self.o3 = partition(
            self.nox, background["O3"], p.primary_no2_fraction, p.leighton_ratio_ppb
        )
        self.pm10 = background["PM10"] + ground["PM10"] + sources["PM10"]
        self.pm25 = background["PM2.5"] + ground["PM2.5"] + sources["PM2.5"]
        self.so2 = background["SO2"] + sources["SO2"]
        if month_index <= 0 or self.start_zone_km is None:  # the streets' nominal traffic: the start's
            self.start_zone_km = self._zone_sum(self.road_km)

    def _cell_array(self, values: np.ndarray, name: str) -> np.ndarray:
        array = np.asarray(values, dtype=np.float64)
        expected = (self.grid.ny * self.grid.nx,)
        if array.shape != expected:
            raise ValueError(f"{name}: expected shape {expected}, got {array.shape}")
        return np.maximum(array, 0.0)

    def _ground_emissions(
        self, car_km: np.ndarray, calendar_month: int, year: float
    ) -> dict[str, np.ndarray]:
        """Ground-level NOx, PM10 and PM2.5 emitted in each cell (g/s): road traffic and heating."""
        p = self.params
        years = year - p.reference_year
        scale = self._by_cell(self.road_emission_scale_by_zone, "road_emission_scale_by_zone")
        self.road_km = (car_km + self.people * p.background_traffic_km_per_resident) * scale
        nox_km = self.road_km * self._by_cell(self.road_nox_factor_by_zone, "road_nox_factor_by_zone")
        exhaust_km = self.road_km * self._by_cell(
            self.road_exhaust_factor_by_zone, "road_exhaust_factor_by_zone"
        )
        nox_factor = p.road_nox_g_per_km * (1 + p.road_nox_trend) ** years
        exhaust_factor = p.fleet_exhaust_pm_g_per_km * (1 + p.road_exhaust_pm_trend) ** years
        wear10 = p.road_nonexhaust_pm10_g_per_km
        wear25 = wear10 * p.road_nonexhaust_pm25_share
        self.factors = (nox_factor, exhaust_factor, wear10, wear25)
        heating = self.people * 12.0 * p.heating_monthly_share[calendar_month - 1] * 1000.0 / SECONDS_PER_YEAR
        wood = heating * self._wood_share()
        exhaust = exhaust_km * exhaust_factor
        return {
            "NOx": nox_km * nox_factor / SECONDS_PER_MONTH + heating * p.heating_nox_kg_per_resident,
            "PM10": (exhaust + self.road_km * wear10) / SECONDS_PER_MONTH
            + wood * p.heating_pm10_kg_per_resident,
            "PM2.5": (exhaust + self.road_km * wear25) / SECONDS_PER_MONTH
            + wood * p.heating_pm25_kg_per_resident,
        }

    def _wood_share(self) -> np.ndarray:
        """Each cell's heating PM per resident relative to the metro mean: 1 / (1 + density / half
        density), normalised over the month's residents (wood burns in houses, not flats)."""
        density = self.people / self.grid.cell_area_km2
        relative = 1.0 / (1.0 + density / self.params.wood_heating_half_density)
        total = float(self.people.sum())
        return relative * (total / float(self.people @ relative)) if total > 0 else relative

    def _spread(self, emissions: dict[str, np.ndarray], w: np.ndarray) -> dict[str, np.ndarray]:
        """Ground-level emissions (g/s per cell) spread by the month's winds into concentrations."""
        shape = (self.grid.ny, self.grid.nx)
        kernels = {
            "NOx": weighted_sum(w, self.static.ground_nox_spectra),
            "PM10": weighted_sum(w, self.static.ground_pm_spectra),
        }
        kernels["PM2.5"] = kernels["PM10"]
        return {
            name: np.maximum(
                self.convolver.inverse(self.convolver.transform(emission.reshape(shape)) * kernels[name]), 0.0
            )
            for name, emission in emissions.items()
        }

    def _source_fields(self, w: np.ndarray, year: float) -> dict[str, np.ndarray]:
        """NOx, PM10, PM2.5 and SO2 (µg/m³) from the industrial and port sources in `year`."""
        p = self.params
        unknown = set(self.point_source_scale) - set(self.sources["name"])
        if unknown:
            raise KeyError(
                f"point_source_scale: unknown sources {sorted(unknown)}; known: {list(self.sources['name'])}"
            )
        scale = np.array([float(self.point_source_scale.get(name, 1.0)) for name in self.sources["name"]])
        if not np.all(np.isfinite(scale)) or np.any(scale < 0):
            raise ValueError("point_source_scale: expected finite values >= 0")
        shipping = (self.sources["sector"] == "shipping").to_numpy()
        years = year - p.reference_year
        scale = scale * np.where(
            shipping, (1 + p.shipping_emission_trend) ** years, (1 + p.industry_emission_trend) ** years
        )
        sulphur = np.where(shipping & (year < 2020), p.shipping_so2_before_2020, 1.0)
        unit = {"nox": self.static.source_nox, "pm": self.static.source_pm, "so2": self.static.source_so2}
        unit = {name: weighted_sum(w, fields) for name, fields in unit.items()}  # (sources, ny, nx) per t/yr
        tonnes = {
            column: scale * self.sources[f"{column}_t_per_year"].to_numpy(float)
            for column in ("nox", "pm10", "pm25", "so2")
        }
        return {
            "NOx": weighted_sum(tonnes["nox"], unit["nox"]),
            "PM10": weighted_sum(tonnes["pm10"], unit["pm"]),
            "PM2.5": weighted_sum(tonnes["pm25"], unit["pm"]),
            "SO2": weighted_sum(tonnes["so2"] * sulphur, unit["so2"]),
        }

    def _by_cell(self, by_zone: np.ndarray, name: str) -> np.ndarray:
        """Each cell's value of a by-zone road lever: its zone's, 1 outside the territory."""
        scale = np.asarray(by_zone, dtype=np.float64)
        if scale.shape != (self.territory.n_zones,) or not np.all(np.isfinite(scale)) or np.any(scale < 0):
            raise ValueError(f"{name}: expected n_zones finite values >= 0")
        inside = self._zone_of_flat >= 0
        return np.where(inside, scale[np.where(inside, self._zone_of_flat, 0)], 1.0)

    def _zone_sum(self, by_cell: np.ndarray) -> np.ndarray:
        inside = self._zone_of_flat >= 0
        return np.bincount(self._zone_of_flat[inside], by_cell[inside], minlength=self.territory.n_zones)

    def background(self, calendar_month: int, year: float) -> dict[str, float]:
        """Regional background NO2, its NOx, PM10, PM2.5, SO2 and O3 (µg/m³) for a month: seasonal
        cycles and trends."""
        p = self.params
        season = math.cos(2 * math.pi * (calendar_month - 1) / 12)
        years = float(year) - p.reference_year
        no2 = p.background_no2 * (1 + p.background_seasonal_amplitude_no2 * season)
        no2 *= (1 + p.background_trend_no2) ** years
        pm = (1 + p.background_seasonal_amplitude_pm * season) * (1 + p.background_trend_pm) ** years
        o3 = p.background_o3 * (1 - p.background_seasonal_amplitude_o3 * season)
        nox = nox_for_no2(no2, o3, p.primary_no2_fraction, p.leighton_ratio_ppb)
        return {
            "NO2": no2,
            "NOx": nox,
            "PM10": p.background_pm10 * pm,
            "PM2.5": p.background_pm25 * pm,
            "SO2": p.background_so2,
            "O3": o3,
        }

    # --- reading the fields ----------------------------------------------------------
    def fields(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The NO2, PM10 and PM2.5 fields (the pollutants residents are exposed to)."""
        return self.no2, self.pm10, self.pm25

    def all_fields(self) -> dict[str, np.ndarray]:
        """Every field by pollutant name, NOx included."""
        return {
            "NO2": self.no2,
            "PM10": self.pm10,
            "PM2.5": self.pm25,
            "SO2": self.so2,
            "O3": self.o3,
            "NOx": self.nox,
        }

    def at_cells(self, flat_cells: np.ndarray) -> dict[str, np.ndarray]:
        """Concentrations in full-grid cells given by flat index (row * nx + col)."""
        cells = np.asarray(flat_cells, dtype=np.int64)
        return {name: field.ravel()[cells] for name, field in self.all_fields().items()}

    def at_points(
        self, x_km: np.ndarray, y_km: np.ndarray, road_type: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Concentrations at points (Lambert-93 km), bilinear between cell centres.

        Where `road_type` names a street ("arterial", ...; "" elsewhere), the point samples it: the
        street's near-road increment is added (`roadside.py`) and its NOx re-split into NO2 and O3.
        """
        x = np.atleast_1d(np.asarray(x_km, dtype=float))
        y = np.atleast_1d(np.asarray(y_km, dtype=float))
        values = {name: self._bilinear(field, x, y) for name, field in self.all_fields().items()}
        if road_type is None:
            return values
        increment = self.roadside_increment(x, y, road_type)
        values["NOx"] = values["NOx"] + increment["NOx"]
        values["PM10"] = values["PM10"] + increment["PM10"]
        values["PM2.5"] = values["PM2.5"] + increment["PM2.5"]
        at_road = increment["NOx"] > 0
        if at_road.any():
            p = self.params
            ozone = self.background(self.calendar_month, self.year)["O3"]
            no2, o3 = partition(values["NOx"][at_road], ozone, p.primary_no2_fraction, p.leighton_ratio_ppb)
            values["NO2"][at_road], values["O3"][at_road] = no2, o3
        return values

    def roadside_increment(
        self, x_km: np.ndarray, y_km: np.ndarray, road_type: np.ndarray
    ) -> dict[str, np.ndarray]:
        """The near-road NOx, PM10 and PM2.5 (µg/m³) of the streets at points, this month."""
        kind = road_type_index(np.atleast_1d(road_type))
        cells = self.grid.cell_index_at(np.atleast_1d(x_km), np.atleast_1d(y_km))
        zone = np.where(cells >= 0, self._zone_of_flat[np.maximum(cells, 0)], -1)
        inside = zone >= 0
        zone_index = np.maximum(zone, 0)

        def of_zone(by_zone: np.ndarray) -> np.ndarray:
            return np.where(inside, by_zone[zone_index], 1.0)

        zone_km = self._zone_sum(self.road_km)
        start = self.start_zone_km if self.start_zone_km is not None else zone_km
        ratio = of_zone(np.divide(zone_km, start, out=np.ones_like(zone_km), where=start > 0))
        nox_g, exhaust_g, wear10, wear25 = self.factors
        exhaust = exhaust_g * of_zone(self.road_exhaust_factor_by_zone)
        wind = inverse_wind(self.params, self.weights) / self.climate_inverse_wind
        return near_road_increment(
            self.params,
            kind,
            ratio,
            nox_g * of_zone(self.road_nox_factor_by_zone),
            exhaust + wear10,
            exhaust + wear25,
            wind,
        )

    def _bilinear(self, field: np.ndarray, x_km: np.ndarray, y_km: np.ndarray) -> np.ndarray:
        grid = self.grid
        col = (x_km - grid.x0_km) / grid.cell_km - 0.5
        row = (y_km - grid.y0_km) / grid.cell_km - 0.5
        return ndimage.map_coordinates(field, [row, col], order=1, mode="nearest")

    def population_weighted(self) -> dict[str, float]:
        """Means of the current fields weighted by the residents of the last month."""
        weight = self.people / self.people.sum()
        return {name: float(field.ravel() @ weight) for name, field in self.all_fields().items()}
