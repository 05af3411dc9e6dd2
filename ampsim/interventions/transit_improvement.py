"""Public transport improvement in the target zones: more frequent, faster, extended lines.

It lowers the car's utility for residents of the zones by `transit_bonus` (logit units) once
complete, phased in over the schedule, so that workers who reconsider their mode switch more often
to transit; road traffic, and with it NO2 and PM, falls accordingly. The budget is spent evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from ampsim.interventions.base import Intervention, InterventionConfig

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class TransitImprovementConfig(InterventionConfig):
    """An improvement of public transport."""

    type: Literal["transit_improvement"] = "transit_improvement"
    transit_bonus: float = Field(
        0.4, ge=0, le=5, description="fall of the car's logit utility for residents of the zones"
    )

    default_zones: ClassVar[tuple[int, ...]] = (13055, 13001)  # Marseille and Aix-en-Provence

    def build(self) -> TransitImprovement:
        return TransitImprovement(self)


class TransitImprovement(Intervention):
    config: TransitImprovementConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.applied = 0.0

    def act(self, model: AMPModel) -> None:
        level = self.progress(model.month)
        model.commuting.add_transit_bonus(self.zones, self.config.transit_bonus * (level - self.applied))
        self.applied = level
        self.spend_evenly()
