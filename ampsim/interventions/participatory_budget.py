"""Participatory budgets (Lab des Possibles, Belle de Mai, Port-de-Bouc; Marseille's northern
sectors): an envelope per resident and year, spent on projects residents vote for.

What it changes, and the evidence: participatory budgets shift spending towards local amenities
(parks, public space, sport) and raise residents' civic participation (+8.4 points of turnout in
later elections in New York, Johnson, Carlson & Reynolds 2023); no study found quantifies an
effect on employment. So the envelope acts through three channels, by its project shares:
greenery and public space raise the zone's amenity (which draws movers and raises rents), mobility
projects make transit a little more attractive, and youth projects add outreach towards young
inactive people (more of them start looking for work). The effect sizes per euro are modelling
assumptions, kept small, and saturate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from ampsim.interventions.base import Intervention, InterventionConfig

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class ParticipatoryBudgetConfig(InterventionConfig):
    """A participatory budget in the target zones."""

    type: Literal["participatory_budget"] = "participatory_budget"
    eur_per_resident: float = Field(
        5.0,
        ge=0,
        le=500,
        description="envelope per resident and year, € (at most 500, a hundred times the default)",
    )
    greenery_share: float = Field(
        0.5, ge=0, le=1, description="share of projects on greenery and public space"
    )
    mobility_share: float = Field(0.2, ge=0, le=1, description="share of projects on mobility")
    youth_share: float = Field(0.3, ge=0, le=1, description="share of projects for young people")
    amenity_per_eur: float = Field(
        0.01,
        ge=0,
        le=1,
        description="rise of amenity per € per resident and year on greenery (assumption; at most 1)",
    )
    transit_bonus_per_eur: float = Field(
        0.01,
        ge=0,
        le=1,
        description="transit bonus (logit) per € per resident and year on mobility (assumption; at most 1)",
    )
    outreach_per_eur: float = Field(
        0.05,
        ge=0,
        le=1,
        description="relative rise of young inactive people's search per € per resident and year "
        "on youth (assumption; at most 1)",
    )

    default_zones: ClassVar[tuple[int, ...]] = (13203, 13077)  # Belle de Mai (3rd), Port-de-Bouc

    @model_validator(mode="after")
    def _check_shares(self) -> ParticipatoryBudgetConfig:
        total = self.greenery_share + self.mobility_share + self.youth_share
        if total > 1 + 1e-9:
            raise ValueError(
                f"greenery_share + mobility_share + youth_share must not exceed 1, got {total:g}"
            )
        return self

    def build(self) -> ParticipatoryBudget:
        return ParticipatoryBudget(self)


class ParticipatoryBudget(Intervention):
    config: ParticipatoryBudgetConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.amenity = np.zeros(self.zones.size)
        self.transit = np.zeros(self.zones.size)
        self.outreach = np.zeros(self.zones.size)

    def act(self, model: AMPModel) -> None:
        c = self.config
        residents = model.territory.population[self.zones].astype(float)
        envelope = c.eur_per_resident * residents.sum() / 12
        if self.budget_eur is not None:
            envelope = min(envelope, self.budget_eur - self.spent_total)
        self.spend(envelope)
        per_resident_year = 12 * envelope / residents.sum() if residents.sum() else 0.0
        # each year's projects add to the stock of improvements, saturating at 3 years' worth
        self._grow(model, "amenity", c.amenity_per_eur * c.greenery_share * per_resident_year)
        self._grow(model, "transit", c.transit_bonus_per_eur * c.mobility_share * per_resident_year)
        self._grow(model, "outreach", c.outreach_per_eur * c.youth_share * per_resident_year)

    def _grow(self, model: AMPModel, channel: str, yearly_effect: float) -> None:
        current = getattr(self, channel)
        ceiling = 3 * yearly_effect
        new = np.minimum(current + yearly_effect / 12, ceiling)
        change = new - current
        if channel == "amenity":
            model.housing.add_amenity(self.zones, change)
        elif channel == "transit":
            model.commuting.add_transit_bonus(self.zones, change)
        else:
            model.lifecourse.raise_youth_activation(self.zones, change)
        setattr(self, channel, new)
