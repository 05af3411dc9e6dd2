"""Air-quality sensors as Mesa agents, and the awareness they raise among residents nearby.

Reference stations (the 23 AtmoSud monitors) measure the modelled field where they stand, with a
small noise; traffic stations stand by a road and also read the near-road increment. Low-cost
sensors (none in the baseline; the DIAMS scenario adds thousands) read with noise and a bias.
Residents' awareness of air quality moves each month towards a level that rises with the number
of sensors per resident in their cell; awareness lowers the exposure of people who avoid peaks
and, a little, their use of the car.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.agent import AgentSet
from numba import njit, prange

from ampsim.core.parameters import ASSUMPTION, ParameterGroup, parameter
from ampsim.core.rng import draws_table
from ampsim.core.submodel import Submodel
from ampsim.world.stations import POLLUTANTS, station_table
from ampsim.world.view import ModelView

if TYPE_CHECKING:
    from ampsim.submodels.pollution import PollutionModel


class SensorParameters(ParameterGroup):
    """Measurement error of sensors and the awareness they raise."""

    reference_noise: float = parameter(
        0.03,
        le=5,
        unit="relative standard deviation",
        ge=0,
        source=ASSUMPTION,
        description="noise of a reference monitor's monthly mean",
    )
    low_cost_noise: float = parameter(
        0.25,
        le=5,
        unit="relative standard deviation",
        ge=0,
        source="low-cost optical particle sensors are markedly less precise than reference "
        "monitors; modelling assumption",
        description="noise of a low-cost sensor's monthly mean",
    )
    low_cost_bias: float = parameter(
        0.15,
        ge=-1,
        le=5,
        unit="relative",
        source="low-cost particle sensors tend to over-read in humid air; modelling assumption",
        description="systematic relative bias of low-cost sensors",
    )
    base_awareness: float = parameter(
        0.15,
        unit="share",
        ge=0,
        le=1,
        source="10-15 % of people report changing behaviour on pollution alerts (survey evidence "
        "summarised in the alert literature); modelling assumption",
        description="awareness of residents without a sensor nearby",
    )
    awareness_per_sensor: float = parameter(
        20.0,
        le=10_000,
        unit="per (sensors per resident) in the cell",
        ge=0,
        source=ASSUMPTION,
        description="k in awareness target = base + (1 - base)(1 - exp(-k x sensors per resident))",
    )
    awareness_speed: float = parameter(
        1 / 6,
        unit="1/month",
        gt=0,
        le=1,
        source=ASSUMPTION,
        description="share of the gap to the awareness target closed each month",
    )
    exposure_avoidance: float = parameter(
        0.05,
        unit="share of exposure",
        ge=0,
        le=1,
        source="on alert days outdoor activity and cycling fall by 14-35 % (Saberian, Heyes & "
        "Rivers 2017; Neidell 2010); alert days are few, so a small monthly effect; modelling "
        "assumption",
        description="share of exposure avoided by a fully aware resident",
    )


class Sensor(mesa.Agent):
    """One sensor: where it is, what it measures, with which error."""

    def __init__(
        self,
        model: mesa.Model,
        number: int,
        name: str,
        kind: str,
        x_km: float,
        y_km: float,
        road_type: str,
        noise: float,
        bias: float,
    ):
        super().__init__(model)
        self.number = number
        self.name = name
        self.kind = kind  # "reference" or "low_cost"
        self.x_km, self.y_km = x_km, y_km
        self.road_type = road_type  # the street a traffic station samples, "" elsewhere
        self.noise, self.bias = noise, bias
        self.flat_cell = int(model.territory.grid.cell_index_at(np.array([x_km]), np.array([y_km]))[0])
        self.reading: dict[str, float] = dict.fromkeys(POLLUTANTS, float("nan"))


class SensorNetwork(Submodel):
    """All sensors; their monthly readings; residents' awareness."""

    runs_in_spin_up = False  # the air is not simulated before the start

    def setup(self, model: ModelView) -> None:
        """The reference stations (AtmoSud); policies add low-cost sensors."""
        self.agents = AgentSet([], random=model.random)
        self.next_number = 1
        for row in station_table().itertuples(index=False):
            self.add(model, row.station, "reference", row.x_km, row.y_km, row.road_type)
        self.sensors_per_cell = np.zeros(model.territory.grid.ny * model.territory.grid.nx)

    def add(
        self, model: ModelView, name: str, kind: str, x_km: float, y_km: float, road_type: str = ""
    ) -> Sensor:
        p = self.params
        noise = p.reference_noise if kind == "reference" else p.low_cost_noise
        bias = 0.0 if kind == "reference" else p.low_cost_bias
        sensor = Sensor(model, self.next_number, name, kind, x_km, y_km, road_type, noise, bias)
        self.next_number += 1
        self.agents.add(sensor)
        return sensor

    def remove(self, sensors: list[Sensor]) -> None:
        """Take sensors out of the network (a programme's end); awareness then returns towards
        the base at `awareness_speed`."""
        for sensor in sensors:
            self.agents.remove(sensor)
            sensor.remove()

    def references(self) -> list[Sensor]:
        return sorted((s for s in self.agents if s.kind == "reference"), key=lambda s: s.number)

    def step(self, model: ModelView, air: PollutionModel) -> None:
        """Readings of the month's `air`, then residents' awareness near low-cost sensors."""
        self.measure(model, air)
        self.update_awareness(model)

    def measure(self, model: ModelView, air: PollutionModel) -> None:
        sensors = sorted(self.agents, key=lambda s: s.number)
        if not sensors:
            return
        x = np.array([s.x_km for s in sensors])
        y = np.array([s.y_km for s in sensors])
        truth = air.at_points(x, y, road_type=np.array([s.road_type for s in sensors], dtype=object))
        numbers = np.array([s.number for s in sensors], dtype=np.int64)
        u = draws_table(model.keys("sensors"), numbers, 2 * len(POLLUTANTS))  # two per pollutant
        bias = np.array([s.bias for s in sensors])
        noise = np.array([s.noise for s in sensors])
        for j, pollutant in enumerate(POLLUTANTS):
            normal = np.sqrt(-2 * np.log(np.maximum(u[:, 2 * j], 1e-300))) * np.cos(
                2 * np.pi * u[:, 2 * j + 1]
            )
            values = np.maximum(truth[pollutant] * (1 + bias + noise * normal), 0.0)
            for sensor, value in zip(sensors, values.tolist(), strict=True):
                sensor.reading[pollutant] = value

    def update_awareness(self, model: ModelView) -> None:
        """Residents' awareness moves towards a target set by the low-cost sensors in their cell."""
        p = self.params
        grid = model.territory.grid
        self.sensors_per_cell[:] = 0.0
        for sensor in self.agents:
            if sensor.kind != "reference" and sensor.flat_cell >= 0:
                self.sensors_per_cell[sensor.flat_cell] += 1.0
        r = model.residents
        density = np.zeros_like(self.sensors_per_cell)
        if self.sensors_per_cell.any():  # without low-cost sensors the density is zero everywhere
            homes = r.home_cell[r.present()]
            residents_per_cell = np.bincount(grid.cell_flat[homes], minlength=density.size)
            # sensors per real resident: sensors are simulated one for one, residents at the scale
            real_residents = residents_per_cell * r.weight
            np.divide(self.sensors_per_cell, real_residents, out=density, where=residents_per_cell > 0)
        target = p.base_awareness + (1 - p.base_awareness) * (1 - np.exp(-p.awareness_per_sensor * density))
        awareness_kernel(r.awareness, r.home_cell, grid.cell_flat, target, p.awareness_speed)

    def readings_table(self, month: int) -> list[dict]:
        """One row per reference station with its modelled readings."""
        return [
            {"month": month, "station": s.name, "kind": s.kind, **{f"{k}": v for k, v in s.reading.items()}}
            for s in self.references()
        ]


@njit(cache=True, parallel=True)
def awareness_kernel(awareness, home_cell, cell_flat, target, speed):  # pragma: no cover
    """awareness += speed x (target of the home cell - awareness), on a 0..255 scale (in parallel)."""
    for i in prange(awareness.size):
        goal = target[cell_flat[home_cell[i]]] * 255.0
        value = awareness[i] + speed * (goal - awareness[i])
        awareness[i] = int(min(255.0, max(0.0, value + 0.5)))
