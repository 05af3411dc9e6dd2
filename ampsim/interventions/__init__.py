"""The metropolis's programmes as interventions, one module each, selected by `type`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ampsim.interventions.base import Intervention, InterventionConfig
from ampsim.interventions.incubator import IncubatorConfig
from ampsim.interventions.industrial_abatement import IndustrialAbatementConfig
from ampsim.interventions.low_emission_zone import LowEmissionZoneConfig
from ampsim.interventions.participatory_budget import ParticipatoryBudgetConfig
from ampsim.interventions.science_park import ScienceParkConfig
from ampsim.interventions.seed_fund import SeedFundConfig
from ampsim.interventions.sensor_rollout import SensorRolloutConfig
from ampsim.interventions.transit_improvement import TransitImprovementConfig
from ampsim.interventions.urban_renewal import UrbanRenewalConfig
from ampsim.interventions.youth_training import YouthTrainingConfig

CONFIG_CLASSES: tuple[type[InterventionConfig], ...] = (
    UrbanRenewalConfig,
    SensorRolloutConfig,
    ParticipatoryBudgetConfig,
    YouthTrainingConfig,
    IncubatorConfig,
    SeedFundConfig,
    ScienceParkConfig,
    LowEmissionZoneConfig,
    TransitImprovementConfig,
    IndustrialAbatementConfig,
)
INTERVENTION_TYPES: dict[str, type[InterventionConfig]] = {
    cls.model_fields["type"].default: cls for cls in CONFIG_CLASSES
}
InterventionSpec = Annotated[
    UrbanRenewalConfig
    | SensorRolloutConfig
    | ParticipatoryBudgetConfig
    | YouthTrainingConfig
    | IncubatorConfig
    | SeedFundConfig
    | ScienceParkConfig
    | LowEmissionZoneConfig
    | TransitImprovementConfig
    | IndustrialAbatementConfig,
    Field(discriminator="type"),
]

__all__ = ["INTERVENTION_TYPES", "Intervention", "InterventionConfig", "InterventionSpec"]
