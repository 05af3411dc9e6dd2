"""Citizen air sensors (DIAMS): portable sensors, fixed micro-stations and school sensors.

At the start, low-cost sensors are placed in the target zones (every one of them, whatever the
residents' scale): portable
ones at residents' homes drawn in proportion to population, fixed micro-stations and school
sensors at zone centres. They read the field with noise and bias; residents' awareness rises
with the number of sensors per resident in their cell (see the sensors submodel), which lowers
their exposure a little and their car use a little. An optional trigger: when the low-cost
sensors of a zone read above `trigger_threshold` for `trigger_pollutant` on average over the last
month, a traffic restriction applies there the next `restriction_months` months (road emissions
cut, car less attractive). The sensors are withdrawn after the schedule's end. DIAMS: 2,000
portable sensors and 50 fixed micro-stations, 4.8 M€ (80 % EU-funded), 2018-2022. The budget is
spent on the sensors at the start, the rest evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field, model_validator

from ampsim.core.rng import uniforms
from ampsim.interventions.base import Intervention, InterventionConfig
from ampsim.world.homes import ALL_INCOMES

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class SensorRolloutConfig(InterventionConfig):
    """A roll-out of low-cost air-quality sensors."""

    type: Literal["sensor_rollout"] = "sensor_rollout"
    portable_sensors: int = Field(
        2_000, ge=0, le=100_000, description="portable sensors given to residents (at most 100,000)"
    )
    fixed_stations: int = Field(
        50, ge=0, le=10_000, description="fixed micro-stations (at most 10,000, one per 0.3 km²)"
    )
    school_sensors: int = Field(
        0, ge=0, le=10_000, description="sensors in schools (at most 10,000, several per school)"
    )
    sensor_cost_eur: float = Field(
        300.0,
        ge=0,
        le=100_000,
        description="cost of one sensor with its data service, spent at the start",
    )
    trigger_pollutant: Literal["NO2", "PM10", "PM2.5"] | None = Field(
        None, description="pollutant whose measured level triggers traffic restrictions (none: no trigger)"
    )
    trigger_threshold: float | None = Field(
        None, gt=0, le=1_000, description="monthly mean that triggers, µg/m³ (at most 1,000)"
    )
    restriction_months: int = Field(1, ge=1, le=12, description="months a triggered restriction lasts")
    restriction_emission_cut: float = Field(
        0.2, ge=0, le=1, description="road emissions removed while restricted"
    )
    restriction_car_penalty: float = Field(
        0.5, ge=0, le=5, description="fall of the car's utility while restricted"
    )

    @model_validator(mode="after")
    def _check_trigger(self) -> SensorRolloutConfig:
        if (self.trigger_pollutant is None) != (self.trigger_threshold is None):
            raise ValueError("trigger_pollutant and trigger_threshold go together: give both or neither")
        return self

    def build(self) -> SensorRollout:
        return SensorRollout(self)


class SensorRollout(Intervention):
    config: SensorRolloutConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.sensors = []
        self.restricted_until = np.full(model.territory.n_zones, -1)
        self.restricted = np.zeros(model.territory.n_zones, dtype=bool)
        self.triggers = 0

    def _deploy(self, model: AMPModel) -> None:
        c = self.config
        territory = model.territory
        grid = territory.grid
        key = model.keys(f"intervention.{self.name}.placement", month=0)
        population = territory.population[self.zones].astype(float)
        cdf = np.cumsum(population / population.sum())
        n_portable = c.portable_sensors  # sensors are simulated one for one, whatever the scale
        picks = np.searchsorted(cdf, uniforms(key, np.arange(n_portable), 2), side="right")
        for k, zone in enumerate(self.zones[np.minimum(picks, self.zones.size - 1)]):
            first, last = grid.zone_cell_start[zone], grid.zone_cell_start[zone + 1]
            cdf = model.home_cell_cdf[ALL_INCOMES, first:last]
            pick = np.searchsorted(cdf, uniforms(key, np.array([k]), 3)[0])
            cell = grid.zone_cells[first + min(int(pick), last - first - 1)]  # at a resident's home
            self.sensors.append(
                model.sensors.add(
                    model,
                    f"{self.name} portable {k + 1}",
                    "low_cost",
                    float(grid.cell_x_km[cell]),
                    float(grid.cell_y_km[cell]),
                )
            )
        n_fixed = c.fixed_stations + c.school_sensors
        for k in range(n_fixed):
            zone = int(self.zones[k % self.zones.size])
            self.sensors.append(
                model.sensors.add(
                    model,
                    f"{self.name} station {k + 1}",
                    "low_cost",
                    float(territory.x_km[zone]),
                    float(territory.y_km[zone]),
                )
            )
        real_sensors = c.portable_sensors + c.fixed_stations + c.school_sensors
        self.spend(real_sensors * c.sensor_cost_eur)

    def act(self, model: AMPModel) -> None:
        if model.month == self.first_month:
            self._deploy(model)
        elif self.budget_eur:  # operation: the rest of the budget, evenly
            left = max(self.budget_eur - self.spent_total, 0.0)
            self.spend(left / max(self.last_month - model.month + 1, 1))
        if self.config.trigger_pollutant is not None:
            self._trigger(model)

    def finish(self, model: AMPModel) -> None:
        """Restrictions end with the rule, and the sensors with the programme (their data service
        stops): residents' awareness returns towards the base, closing `awareness_speed` (1/6) of
        the gap a month, so to within 12 % of it a year later."""
        self._set_restrictions(model, np.zeros_like(self.restricted))
        model.sensors.remove(self.sensors)
        self.sensors = []

    def _trigger(self, model: AMPModel) -> None:
        """Restrict traffic in zones whose sensors read above the threshold last month."""
        c = self.config
        reading = np.zeros(model.territory.n_zones)
        count = np.zeros(model.territory.n_zones)
        zone_of_cell = model.territory.grid.zone_of_cell.ravel()
        for sensor in self.sensors:
            value = sensor.reading[c.trigger_pollutant]
            zone = zone_of_cell[sensor.flat_cell] if sensor.flat_cell >= 0 else -1
            if zone >= 0 and np.isfinite(value):
                reading[zone] += value
                count[zone] += 1
        mean = np.divide(reading, count, out=np.zeros_like(reading), where=count > 0)
        fired = (count > 0) & (mean > c.trigger_threshold)
        self.triggers += int(fired.sum())
        self.restricted_until[fired] = model.month + c.restriction_months - 1
        self._set_restrictions(model, self.restricted_until >= model.month)

    def _set_restrictions(self, model: AMPModel, wanted: np.ndarray) -> None:
        c = self.config
        start, stop = wanted & ~self.restricted, ~wanted & self.restricted
        factor = 1 - c.restriction_emission_cut
        model.pollution.scale_road_emissions(start, factor)
        model.pollution.restore_road_emissions(stop, factor)
        model.commuting.penalise_car(start, c.restriction_car_penalty)
        model.commuting.penalise_car(stop, -c.restriction_car_penalty)
        self.restricted = wanted.copy()
