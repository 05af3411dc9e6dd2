"""A policy scenario: the simulated period, the scale, replicates and seed, parameter overrides
and interventions, validated (see `loading` for how files become scenarios)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic.fields import FieldInfo

from ampsim.interventions import Intervention, InterventionSpec
from ampsim.model import (
    DEFAULT_SETTINGS,
    MAX_REPLICATES,
    MONTH_PATTERN,
    ModelParameters,
    RunSettings,
    make_parameters,
)

NAME_PATTERN = r"^[A-Za-z0-9_-]+$"
MONTH_OR_DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$"  # what an editor may accept in a file


def _setting(name: str) -> FieldInfo:
    """A field with the default, bounds and description of a run setting (`RunSettings`)."""
    return copy.deepcopy(RunSettings.model_fields[name])


class Horizon(BaseModel):
    """The simulated period: a first month and a number of months."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    start: str = Field(
        DEFAULT_SETTINGS.start,
        description="first simulated month, YYYY-MM",
        json_schema_extra={"pattern": MONTH_OR_DATE_PATTERN},
    )
    months: int = _setting("months")

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        """Refuse anything but YYYY-MM."""
        if not re.match(MONTH_PATTERN, value):
            raise ValueError(f"expected a month as YYYY-MM (e.g. 2026-01), got {value!r}")
        return value


class Scenario(BaseModel):
    """A policy scenario: settings, parameter overrides and interventions, validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = Field(
        ...,
        pattern=NAME_PATTERN,
        max_length=80,
        description="short identifier of the scenario: letters, digits, _ and - (never inherited)",
    )
    description: str = Field(
        "", max_length=5000, description="one or two sentences for reports (never inherited)"
    )
    horizon: Horizon = Field(default_factory=Horizon, description="simulated period")
    scale: float = _setting("scale")
    replicates: int = Field(1, ge=1, le=MAX_REPLICATES, description="runs with different random streams")
    seed: int = _setting("seed")
    spin_up_months: int = _setting("spin_up_months")
    cell_km: float = _setting("cell_km")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of the model's parameters, as nested mappings or dotted paths",
    )
    interventions: list[InterventionSpec] = Field(
        default_factory=list,
        max_length=100,
        description="the policies, each a mapping with a `type`; replaces the parent's list (at most 100)",
    )

    _sources: tuple[Path, ...] = PrivateAttr(())
    _contents: tuple[bytes, ...] = PrivateAttr(())  # the sources' bytes, as read when loading
    _overrides: tuple[str, ...] = PrivateAttr(())

    @field_validator("description")
    @classmethod
    def _strip_description(cls, value: str) -> str:
        """Drop the newline YAML's folded texts end with."""
        return value.strip()

    @field_validator("parameters")
    @classmethod
    def _check_parameters(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Overrides must make a valid parameter tree (for scenarios built in code)."""
        make_parameters(value)  # raises InputError (a ValueError) naming the first bad parameter
        return value

    @property
    def sources(self) -> tuple[Path, ...]:
        """The files the scenario was built from: the file itself first, then its parents."""
        return self._sources

    @property
    def source_contents(self) -> tuple[bytes, ...]:
        """The bytes of each source file as it was read when the scenario was loaded (what the
        provenance of a result records, even if a file changes or goes away during the run)."""
        return self._contents

    @property
    def overrides(self) -> tuple[str, ...]:
        """The `--set PATH=VALUE` overrides applied after the files."""
        return self._overrides

    def model_parameters(self) -> ModelParameters:
        """The model's parameter tree: defaults with this scenario's overrides, validated."""
        return make_parameters(self.parameters)

    def build_interventions(self) -> list[Intervention]:
        """Fresh runtime interventions (one set per run: they keep state)."""
        return [config.build() for config in self.interventions]

    def run_settings(self, replicate: int = 0) -> RunSettings:
        """How replicate `replicate` of this scenario runs, by the scenario's own settings."""
        return RunSettings(
            scale=self.scale,
            seed=self.seed,
            replicate=replicate,
            start=self.horizon.start,
            months=self.horizon.months,
            spin_up_months=self.spin_up_months,
            cell_km=self.cell_km,
        )

    def with_settings(self, settings: RunSettings) -> Scenario:
        """The scenario as it was run with `settings` (what a result records, so that re-running
        its resolved file reproduces it)."""
        changed = self.model_copy(
            update={
                "horizon": Horizon(start=settings.start, months=settings.months),
                "scale": settings.scale,
                "seed": settings.seed,
                "spin_up_months": settings.spin_up_months,
                "cell_km": settings.cell_km,
            }
        )
        changed._sources, changed._contents = self._sources, self._contents
        changed._overrides = self._overrides
        return changed

    def resolved(self) -> dict[str, Any]:
        """The scenario as one self-contained document (no extends), ready for YAML or JSON."""
        return self.model_dump(mode="json")
