"""A new incubator, or more places in an existing one.

A new incubator opens at the centre of its (single) target zone with its capacity, intake cycle,
programme length and sector focus, and then selects and supports startups like the ecosystem's
real incubators (see the incubators submodel); being near incubators also raises the founding
rate of a zone. Expanding an existing incubator (`expands`, by name) adds places to it. The
budget is spent evenly.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from ampsim.interventions.base import Intervention, InterventionConfig, known_sectors
from ampsim.submodels.incubators import Incubator
from ampsim.world.territory import load_territory, read_data_csv

if TYPE_CHECKING:
    from ampsim.model import AMPModel


class IncubatorConfig(InterventionConfig):
    """A new or expanded incubator."""

    type: Literal["incubator"] = "incubator"
    expands: str | None = Field(None, max_length=200, description="name of an existing incubator to expand")
    capacity: int = Field(
        20,
        ge=1,
        le=1_000,
        description="places (startups in residence), or places added (at most 1,000, as the largest "
        "campuses in Europe)",
    )
    cohort_months: int = Field(6, ge=1, le=24, description="months between intakes")
    programme_months: int = Field(12, ge=1, le=48, description="months a startup stays")
    sectors: list[str] = Field(
        default_factory=list, max_length=50, description="sector focus (empty: all sectors)"
    )

    @field_validator("sectors")
    @classmethod
    def _check_sectors(cls, value: list[str]) -> list[str]:
        return known_sectors(value)

    @field_validator("expands")
    @classmethod
    def _check_expands(cls, value: str | None) -> str | None:
        names = read_data_csv("incubators.csv")["name"].tolist()
        if value is not None and value not in names:
            raise ValueError(f"unknown incubator {value!r}; expected one of: {', '.join(names)}")
        return value

    @model_validator(mode="after")
    def _check_location(self) -> IncubatorConfig:
        if self.expands is None and (len(self.zones) != 1 or self.zone_indices().size != 1):
            raise ValueError("a new incubator needs exactly one zone in `zones` (where it opens)")
        return self

    def build(self) -> NewIncubator:
        return NewIncubator(self)


class NewIncubator(Intervention):
    config: IncubatorConfig

    def setup(self, model: AMPModel) -> None:
        super().setup(model)
        self.incubator: Incubator | None = None

    def act(self, model: AMPModel) -> None:
        if model.month == self.first_month:
            self._open(model)
        self.spend_evenly()

    def _open(self, model: AMPModel) -> None:
        c = self.config
        network = model.incubators
        if c.expands is not None:
            incubator = next(i for i in network.agents if i.name == c.expands)
            incubator.capacity += c.capacity
            self.incubator = incubator
            return
        zone = int(self.zones[0])
        territory = load_territory()
        row = SimpleNamespace(
            name=self.name,
            insee_code=int(territory.codes[zone]),
            lat=float(territory.zones["lat"].iloc[zone]),
            lon=float(territory.zones["lon"].iloc[zone]),
            capacity=c.capacity,
            cohort_months=c.cohort_months,
            programme_months=c.programme_months,
            sectors=",".join(c.sectors),
        )
        number = max(i.number for i in network.agents) + 1
        self.incubator = Incubator(model, row, network.params, number)
        network.add(self.incubator)
