"""Participatory budgets (Lab des Possibles, Belle de Mai, Port-de-Bouc; Marseille's northern
sectors): an envelope per resident and year, spent on projects residents vote for.

What it changes, and the evidence: participatory budgets shift spending towards local amenities
(parks, public space, sport) and raise residents' civic participation (+8.4 points of turnout in
later elections in New York, Johnson, Carlson & Reynolds 2023); no study found quantifies an
effect on employment. So the envelope acts through three channels, by its project shares:
greenery and public space raise the zone's amenity (which draws movers and raises rents), mobility
projects make transit a little more attractive, and youth projects add outreach towards young
inactive people (more of them start looking for work). The works are stocks of € per resident
that depreciate (`capital_life_years`), with the same effect per € as urban renewal's public space
and the transit improvement's; the outreach has no evaluation (an assumption) and fades within
about a year of its spending. The envelope is always spent and recorded.
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
        6.06e-6,
        ge=0,
        le=1e-3,
        description="relative rise of amenity per € per resident of public-space investment in place: the "
        "production function of urban renewal (Euroméditerranée 2: +0.15 for 4 bn€, 24,757 € per resident "
        "of its zones), the same for every programme",
    )
    transit_bonus_per_eur: float = Field(
        4e-4,
        ge=0,
        le=1e-2,
        description="transit bonus (logit) per € per resident of mobility investment in place: the transit "
        "improvement's (0.4 for 1 bn€ over Marseille and Aix, about 1,000 € per resident)",
    )
    outreach_per_eur: float = Field(
        0.05,
        ge=0,
        le=1,
        description="relative rise of young inactive people's search per € per resident of youth projects "
        "in the last year (no evaluation: assumption; range 0-0.1)",
    )
    capital_life_years: float = Field(
        20.0,
        gt=0,
        le=100,
        description="mean life of public-space and mobility works: they depreciate at 1/life a year "
        "(assumption: landscaping and street furniture)",
    )
    outreach_life_years: float = Field(
        1.0,
        gt=0,
        le=20,
        description="mean time the outreach of youth projects lasts after their spending (assumption)",
    )

    default_zones: ClassVar[tuple[int, ...]] = (13203, 13077)  # Belle de Mai (3rd), Port-de-Bouc
    budget_is_lever: ClassVar[bool] = True  # the envelope pays for the works and the outreach

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
        """The envelope is the programme's budget when none is given: € per resident x residents x
        years of the schedule, so that its spending is always on the accounts."""
        super().setup(model)
        c = self.config
        self.residents = float(model.territory.population[self.zones].sum())
        if self.budget_eur is None:
            self.budget_eur = c.eur_per_resident * self.residents * self.active_months / 12
        self.stock = {channel: np.zeros(self.zones.size) for channel in CHANNELS}  # € per resident in place
        self.applied = {channel: np.zeros(self.zones.size) for channel in CHANNELS}  # effect applied

    def apply(self, model: AMPModel) -> None:
        """Spend and invest while the schedule runs; the works and outreach depreciate every month,
        during the schedule and after it."""
        super().apply(model)
        if model.month > self.last_month:
            self._update(model, 0.0)

    def act(self, model: AMPModel) -> None:
        envelope = min(self.config.eur_per_resident * self.residents / 12, self.budget_eur - self.spent_total)
        self.spend(envelope)
        self._update(model, self.spent_this_month / self.residents if self.residents else 0.0)

    def _update(self, model: AMPModel, spent_per_resident: float) -> None:
        """Depreciate each channel's stock, add the month's projects, and move its lever by the
        change of its effect."""
        c = self.config
        shares = {"amenity": c.greenery_share, "transit": c.mobility_share, "outreach": c.youth_share}
        effect_per_eur = {
            "amenity": c.amenity_per_eur,
            "transit": c.transit_bonus_per_eur,
            "outreach": c.outreach_per_eur,
        }
        for channel in CHANNELS:
            life = c.outreach_life_years if channel == "outreach" else c.capital_life_years
            self.stock[channel] = (
                self.stock[channel] * (1 - 1 / (12 * life)) + shares[channel] * spent_per_resident
            )
            effect = effect_per_eur[channel] * self.stock[channel]
            change = effect - self.applied[channel]
            self.applied[channel] = effect
            if channel == "amenity":
                model.housing.add_amenity(self.zones, change)  # amenity starts at 1: relative
            elif channel == "transit":
                model.commuting.add_transit_bonus(self.zones, change)
            else:
                model.lifecourse.raise_youth_activation(self.zones, change)


CHANNELS = ("amenity", "transit", "outreach")
