"""Urban renewal (Euroméditerranée, Quartiers Libres): homes, jobs and public space, delivered
over the schedule.

Each month the share of the programme delivered that month adds housing capacity (units x
residents per unit x scale) and jobs in the target zones — a share relocated with their staff from
elsewhere in the metropolis, the rest new vacancies (`ampsim/interventions/jobs.py`) — and raises
their amenity.
Movers and arrivals fill the new homes; the rest of the metro's stock then lodges most of their
residents fewer, so the metro gains only a net share of them (`housing.new_home_net_residents`,
the "point mort" of construction); rents follow amenity, supply and access to jobs, so that
poorer residents may be displaced. A local-hiring clause places job seekers of
the target zones directly into a share of the new jobs (as French enterprise zones required 20 %
then 33 % of hires from the zone). The budget is spent evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ampsim.interventions.base import Intervention, InterventionConfig
from ampsim.interventions.jobs import JobDelivery, relocated_share_field
from ampsim.submodels.labour import place_local_hires

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class UrbanRenewalConfig(InterventionConfig):
    """An urban renewal programme."""

    type: Literal["urban_renewal"] = "urban_renewal"
    area_ha: float = Field(
        480.0,
        ge=0,
        le=315_000,
        description="area of the programme, ha (informative; the metropolis: 315,000)",
    )
    housing_units: int = Field(
        14_000,
        ge=0,
        le=300_000,
        description="homes built over the schedule (at most 300,000, a third of the metropolis's homes)",
    )
    residents_per_unit: float = Field(2.1, gt=0, le=6, description="residents per new home")
    jobs: int = Field(
        20_000,
        ge=0,
        le=400_000,
        description="jobs created in the target zones over the schedule (at most 400,000, half of the "
        "metropolis's jobs)",
    )
    amenity_gain: float = Field(
        0.15, ge=0, le=2, description="relative rise of the target zones' amenity once complete"
    )
    local_hiring_share: float = Field(
        0.0, ge=0, le=1, description="share of the new jobs filled by job seekers of the target zones"
    )
    relocated_share: float = relocated_share_field()

    default_zones: ClassVar[tuple[int, ...]] = (13202, 13203, 13215)

    def build(self) -> UrbanRenewal:
        return UrbanRenewal(self)


class UrbanRenewal(Intervention):
    config: UrbanRenewalConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        population = model.territory.population[self.zones].astype(float)
        self.share = population / population.sum()  # deliveries spread by population
        self.delivered = 0.0
        self.housing_owed = np.zeros(self.zones.size)
        self.jobs_owed = np.zeros(self.zones.size)
        self.placements_owed = np.zeros(self.zones.size)  # local hires owed, with their fractions
        self.delivery = JobDelivery(
            self.zones, self.config.relocated_share, f"intervention.{self.name}.relocation"
        )
        self.base_amenity = model.housing.amenity[self.zones].copy()
        self.local_placements = 0

    def act(self, model: AMPModel) -> None:
        c = self.config
        progress = self.progress(model.month)
        step = progress - self.delivered
        self.delivered = progress
        scale = model.scale
        self.housing_owed += step * c.housing_units * c.residents_per_unit * scale * self.share
        self.jobs_owed += step * c.jobs * scale * self.share
        homes = np.floor(self.housing_owed)
        jobs = np.floor(self.jobs_owed)
        self.housing_owed -= homes
        self.jobs_owed -= jobs
        for zone, added in zip(self.zones, homes, strict=True):
            model.housing.add_housing(int(zone), int(added))
        jobs = self.delivery.deliver(model, jobs)  # the net new jobs, to hire for
        model.housing.add_amenity(self.zones, self.base_amenity * c.amenity_gain * step)  # adds to others'
        self.placements_owed += jobs * c.local_hiring_share
        placements = np.floor(self.placements_owed)
        self.placements_owed -= placements
        if placements.sum() > 0:
            openings = np.zeros(model.territory.n_zones)
            openings[self.zones] = placements
            self.local_placements += place_local_hires(
                model, self.zones, openings, f"intervention.{self.name}.local_hiring"
            )
        self.spend_evenly()
