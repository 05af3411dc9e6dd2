"""Low-emission zone: fewer and cleaner vehicles in the target zones.

Road emissions in the zones fall by `road_emission_cut` (older vehicles banned, fleet renewed),
phased in over `phase_in_months`; commuting by car to or from the zones becomes less attractive
(`car_penalty` on the car's utility), so some workers switch mode. Marseille's ZFE-m (order
22-131-CM, 2022) covers all motor vehicles, 24/7. The budget (enforcement) is spent evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from ampsim.interventions.base import Intervention, InterventionConfig

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class LowEmissionZoneConfig(InterventionConfig):
    """A low-emission zone."""

    type: Literal["low_emission_zone"] = "low_emission_zone"
    road_emission_cut: float = Field(0.2, ge=0, le=1, description="share of road emissions removed")
    car_penalty: float = Field(
        0.3, ge=0, le=5, description="fall of the car's logit utility for trips to or from the zone"
    )
    phase_in_months: int = Field(12, ge=1, le=240, description="months to reach the full effect")

    default_zones: ClassVar[tuple[int, ...]] = (13055,)  # Marseille: its 16 arrondissements

    def build(self) -> LowEmissionZone:
        return LowEmissionZone(self)


class LowEmissionZone(Intervention):
    config: LowEmissionZoneConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.applied = 0.0  # share of the full effect in place

    def act(self, model: AMPModel) -> None:
        c = self.config
        target = min((model.month - self.first_month + 1) / c.phase_in_months, 1.0)
        self._set(model, target)
        self.spend_evenly()

    def _set(self, model: AMPModel, level: float) -> None:
        """Move the zone's levers from the current level of the effect to `level`."""
        c = self.config
        pollution, commuting = model.pollution, model.commuting
        old_factor = 1 - c.road_emission_cut * self.applied
        new_factor = 1 - c.road_emission_cut * level
        pollution.scale_road_emissions(self.zones, new_factor / old_factor)
        commuting.penalise_car(self.zones, c.car_penalty * (level - self.applied))
        self.applied = level

    def finish(self, model: AMPModel) -> None:
        self._set(model, 0.0)  # the zone is lifted after its end
