"""Low-emission zone: older cars banned by Crit'Air class, on exhaust only, and fewer car commutes.

Cars of Crit'Air class `banned_from_class` and worse may no longer drive in the zones. A share
`compliance` of their vehicle-km is driven by allowed cars instead (the fleet renewed, in
proportion to the allowed classes), the rest as before (fraud, exemptions); the zone's fleet then
emits the NOx of its new class mix, and the exhaust part of its PM: brake, tyre and road wear do
not depend on the class (`ampsim/submodels/pollution/parameters.py`: the fleet by class, SDES
2022). The effect is phased in over `phase_in_months`. Commuting by car to or from the zones
becomes less attractive (`car_penalty` on the car's utility), so some workers switch mode.
Marseille's ZFE-m (order 22-131-CM, 2022) covers all motor vehicles, 24/7: Crit'Air 5 and
unclassified banned from September 2022, 4 from September 2023; the ban of Crit'Air 3 was
postponed in February 2024. The budget (enforcement) is spent evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from ampsim.interventions.base import Intervention, InterventionConfig
from ampsim.submodels.pollution import PollutionParameters

if TYPE_CHECKING:
    from ampsim.model import AMPModel

CRITAIR_CLASSES = ("0-1", "2", "3", "4", "5+")  # the classes of the fleet tables, in order


class LowEmissionZoneConfig(InterventionConfig):
    """A low-emission zone."""

    type: Literal["low_emission_zone"] = "low_emission_zone"
    banned_from_class: int = Field(
        3,
        ge=2,
        le=5,
        description="Crit'Air class from which cars are banned (3: classes 3, 4, 5 and unclassified, the "
        "ban Marseille postponed; 4: Marseille's since September 2023)",
    )
    compliance: float = Field(
        0.8,
        ge=0,
        le=1,
        description="share of the banned cars' vehicle-km driven by allowed cars instead (modelling "
        "assumption, range 0.5-1: no enforcement by camera yet)",
    )
    car_penalty: float = Field(
        0.3, ge=0, le=5, description="fall of the car's logit utility for trips to or from the zone"
    )
    phase_in_months: int = Field(12, ge=1, le=240, description="months to reach the full effect")

    default_zones: ClassVar[tuple[int, ...]] = (13055,)  # Marseille: its 16 arrondissements

    def build(self) -> LowEmissionZone:
        return LowEmissionZone(self)


def fleet_factors(params: PollutionParameters, banned_from_class: int, renewed: float) -> tuple[float, float]:
    """NOx and exhaust PM emitted per vehicle-km by a zone's fleet relative to the metro fleet's,
    when a share `renewed` of the banned classes' vehicle-km is driven by allowed cars instead
    (brake, tyre and road wear do not change: the pollution model keeps them apart)."""
    share = np.asarray(params.critair_fleet_share, dtype=float)
    nox = np.asarray(params.critair_nox_g_per_km, dtype=float)
    exhaust = np.asarray(params.critair_exhaust_pm10_g_per_km, dtype=float)
    banned = np.arange(len(CRITAIR_CLASSES)) >= banned_from_class - 1  # class 2 is the second entry
    allowed = share * ~banned
    mix = share * np.where(banned, 1 - renewed, 1.0) + allowed / allowed.sum() * renewed * share[banned].sum()
    nox_factor = float(mix @ nox / (share @ nox))
    return nox_factor, float(mix @ exhaust / (share @ exhaust))


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
        old_nox, old_exhaust = fleet_factors(
            pollution.params, c.banned_from_class, c.compliance * self.applied
        )
        new_nox, new_exhaust = fleet_factors(pollution.params, c.banned_from_class, c.compliance * level)
        pollution.scale_fleet_emissions(self.zones, new_nox / old_nox, new_exhaust / old_exhaust)
        commuting.penalise_car(self.zones, c.car_penalty * (level - self.applied))
        self.applied = level

    def finish(self, model: AMPModel) -> None:
        self._set(model, 0.0)  # the zone is lifted after its end
