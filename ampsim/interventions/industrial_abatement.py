"""Industrial abatement: emission cuts at named point sources (filters, electrification, shore
power), phased in over the schedule.

The named sources' emissions are multiplied by 1 - reduction x progress. Source names are those of
ampsim/data/pollution_sources.csv. The budget is spent evenly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from ampsim.interventions.base import Intervention, InterventionConfig
from ampsim.world.territory import read_data_csv

if TYPE_CHECKING:
    from ampsim.model import AMPModel


def source_names() -> list[str]:
    return read_data_csv("pollution_sources.csv")["name"].tolist()


class IndustrialAbatementConfig(InterventionConfig):
    """Emission cuts at industrial and port sources."""

    type: Literal["industrial_abatement"] = "industrial_abatement"
    sources: list[str] = Field(..., min_length=1, max_length=100, description="names of the sources to abate")
    reduction: float = Field(0.3, ge=0, le=1, description="share of the sources' emissions removed")

    @field_validator("sources")
    @classmethod
    def _check_sources(cls, value: list[str]) -> list[str]:
        known = source_names()
        for name in value:
            if name not in known:
                raise ValueError(f"unknown source {name!r}; expected one of: {', '.join(known)}")
        return value

    def build(self) -> IndustrialAbatement:
        return IndustrialAbatement(self)


class IndustrialAbatement(Intervention):
    config: IndustrialAbatementConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.factor = 1.0  # the share of emissions this abatement currently leaves

    def act(self, model: AMPModel) -> None:
        factor = 1 - self.config.reduction * self.progress(model.month)
        for name in self.config.sources:  # relative, so that several abatements combine
            model.pollution.scale_point_source(name, factor / self.factor)
        self.factor = factor
        self.spend_evenly()
