"""A science park (the Arbois technology park, Aix-en-Provence): cleantech, hydrogen, water,
agritech and green chemistry.

While it runs, the park adds foundings in its zone and sectors (`extra_startups_per_year`, scaled
like startups), and startups of its sectors located in its zone get a lower closure hazard and a
growth bonus (co-location, shared platforms; park effects are larger for young firms,
Diez-Vial & Fernández-Olmos 2017, and the evidence of an effect grows with sample size, Albahari
et al. 2022). It may also bring tenants' jobs (`jobs`, delivered over the schedule as incumbent
jobs, a share relocated from elsewhere in the metropolis: `jobs.py`). When the park's schedule
ends, its tenants lose the hazard multiplier and the growth bonus. The Arbois park: 110
companies, about 90 start-ups, 42 in its Cleantech incubator, 24,500 m² of buildings, 6 M€ for
3,000 m² more (2023). The budget is spent evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from ampsim.interventions.base import Intervention, InterventionConfig, known_sectors
from ampsim.interventions.jobs import JobDelivery, relocated_share_field
from ampsim.submodels.startups import ExtraFounding

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class ScienceParkConfig(InterventionConfig):
    """A science park."""

    type: Literal["science_park"] = "science_park"
    sectors: list[str] = Field(
        default_factory=lambda: ["cleantech_energy", "water", "agritech", "green_chemistry"],
        max_length=50,
        description="the park's sectors",
    )
    extra_startups_per_year: float = Field(
        12.0,
        ge=0,
        le=1_000,
        description="foundings the park adds per year (at most 1,000, seven times the metropolis's)",
    )
    hazard_multiplier: float = Field(0.9, gt=0, le=1, description="closure hazard of startups in the park")
    growth_bonus: float = Field(0.05, ge=0, le=1, description="extra drift of log size per year in the park")
    jobs: int = Field(
        0, ge=0, le=100_000, description="tenants' jobs brought over the schedule (at most 100,000)"
    )
    relocated_share: float = relocated_share_field()

    default_zones: ClassVar[tuple[int, ...]] = (13001,)  # the Arbois is in Aix-en-Provence

    @field_validator("sectors")
    @classmethod
    def _check_sectors(cls, value: list[str]) -> list[str]:
        return known_sectors(value)

    def build(self) -> SciencePark:
        return SciencePark(self)


class SciencePark(Intervention):
    config: ScienceParkConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.foundings: list[ExtraFounding] = []
        self.jobs_owed = np.zeros(self.zones.size)
        self.delivered = 0.0
        self.tenants: set[int] = set()
        self.delivery = JobDelivery(
            self.zones, self.config.relocated_share, f"intervention.{self.name}.relocation"
        )

    def act(self, model: AMPModel) -> None:
        c = self.config
        if model.month == self.first_month:
            rate = c.extra_startups_per_year / 12 / self.zones.size
            self.foundings = [ExtraFounding(int(z), rate, tuple(c.sectors)) for z in self.zones]
            model.startups.extra_foundings.extend(self.foundings)
        for startup in model.startups.agents:  # tenants: the park's sectors in its zones
            if (
                startup.number not in self.tenants
                and startup.zone in self.zones
                and startup.sector in c.sectors
            ):
                self.tenants.add(startup.number)
                startup.hazard_multiplier *= c.hazard_multiplier
                startup.growth_bonus += c.growth_bonus
        progress = self.progress(model.month)
        self.jobs_owed += (progress - self.delivered) * c.jobs * model.scale / self.zones.size
        self.delivered = progress
        jobs = np.floor(self.jobs_owed)
        self.jobs_owed -= jobs
        self.delivery.deliver(model, jobs)
        self.spend_evenly()

    def finish(self, model: AMPModel) -> None:
        """After its end the park adds no foundings, and its tenants lose its support (shared
        platforms and services end with it; the jobs already delivered stay)."""
        for founding in self.foundings:
            model.startups.extra_foundings.remove(founding)
        self.foundings = []
        c = self.config
        for startup in model.startups.agents:
            if startup.number in self.tenants:
                startup.hazard_multiplier /= c.hazard_multiplier
                startup.growth_bonus -= c.growth_bonus
        self.tenants = set()
