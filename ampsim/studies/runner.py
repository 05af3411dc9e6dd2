"""The one way from a scenario to a run (`run_scenario`), and what a run produced (`RunResult`).

A `RunResult` holds four tidy tables — the metropolis by month, the zones by month, the monitoring
stations by month and one row per startup — plus the run's metadata. `write` stores them as
Parquet beside a JSON manifest (parameters, seed entropy, version, git commit), in a staging folder
renamed into place at the end, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ampsim.core.errors import InputError
from ampsim.core.io import staged_directory
from ampsim.core.version import __version__
from ampsim.indicators import ZONE_NAMES
from ampsim.model import AMPModel, RunSettings
from ampsim.scenarios.scenario import Scenario

TABLES = ("metro", "zones", "stations", "startups")


@dataclass
class RunResult:
    """The tables of one run and what is needed to reproduce it."""

    metro: pd.DataFrame
    zones: pd.DataFrame
    stations: pd.DataFrame
    startups: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: str | os.PathLike) -> Path:
        """Write the Parquet tables and the manifest into `directory`, replacing it only once
        everything is written; `directory` must be new, empty or an earlier run's (see
        `core.io.staged_directory`)."""
        with staged_directory(directory, "run") as staging:
            self.write_into(staging)
        return Path(directory)

    def write_into(self, folder: Path) -> None:
        """Write the Parquet tables and the manifest into an existing folder."""
        for name in TABLES:
            getattr(self, name).to_parquet(folder / f"{name}.parquet", index=False)
        (folder / "manifest.json").write_text(json.dumps(self.metadata, indent=2, default=str) + "\n")

    @classmethod
    def read(cls, directory: str | os.PathLike) -> RunResult:
        """Load a run written by `write`."""
        directory = Path(directory)
        tables = {name: pd.read_parquet(directory / f"{name}.parquet") for name in TABLES}
        metadata = json.loads((directory / "manifest.json").read_text())
        return cls(**tables, metadata=metadata)


def baseline_scenario() -> Scenario:
    """The built-in baseline: today's policies and the default settings (when no file is given)."""
    return Scenario(
        name="baseline",
        description="The metropolis with today's policies and no new programme.",
    )


def settings_for(scenario: Scenario, replicate: int = 0, **overrides: Any) -> RunSettings:
    """The scenario's run settings, with the overrides that are not None (the command line's)."""
    unknown = sorted(set(overrides) - set(RunSettings.model_fields))
    if unknown:
        raise TypeError(f"unknown run settings: {', '.join(unknown)}")
    values = {**scenario.run_settings(replicate).model_dump(), **_given(overrides)}
    try:
        return RunSettings.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "value_error":  # the message says what was expected and what was given
            raise InputError(f"{first['loc'][0]}: {first['ctx']['error']}") from None
        raise InputError(f"{first['loc'][0]}: {first['msg'].lower()}, got {first['input']!r}") from None


def build_model(scenario: Scenario, settings: RunSettings) -> AMPModel:
    """The model of one run of a scenario: its parameters and fresh interventions, the settings."""
    return AMPModel(
        scenario.model_parameters(),
        scale=settings.scale,
        seed=settings.seed,
        replicate=settings.replicate,
        months=settings.months,
        start=settings.start,
        cell_km=settings.cell_km,
        calibration_months=settings.spin_up_months,
        interventions=scenario.build_interventions(),
    )


def run_scenario(
    scenario: Scenario | None = None,
    settings: RunSettings | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    **overrides: Any,
) -> RunResult:
    """The one way from a scenario to a run: build the model with the scenario's settings (or
    `settings`), overridden by any of `scale`, `seed`, `replicate`, `months`, `start`,
    `spin_up_months`, `cell_km`; run every month; collect the tables. The metadata records the
    scenario as it was run. `progress(month, months)` is called after each month."""
    scenario = scenario or baseline_scenario()
    if settings is None:
        settings = settings_for(scenario, **overrides)
    elif _given(overrides):
        settings = RunSettings.model_validate({**settings.model_dump(), **_given(overrides)})
    model = build_model(scenario, settings)
    try:
        while model.running:
            model.step()
            if progress is not None:
                progress(model.month, settings.months)
        result = collect_result(model)
    finally:
        model.close()
    result.metadata["scenario"] = scenario.with_settings(settings).resolved()
    return result


def _given(overrides: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in overrides.items() if value is not None}


def collect_result(model: AMPModel) -> RunResult:
    """The tidy tables of a model that has run."""
    metrics = model.metrics
    metro = pd.DataFrame(metrics.metro_rows)
    territory = model.territory
    blocks = []
    for row, table in zip(metrics.metro_rows, metrics.zone_rows, strict=True):
        block = pd.DataFrame(table, columns=list(ZONE_NAMES))
        block.insert(0, "zone", territory.names)
        block.insert(0, "code", territory.codes)
        block.insert(0, "date", row["date"])
        block.insert(0, "month", row["month"])
        blocks.append(block)
    zones = pd.concat(blocks, ignore_index=True)
    stations = pd.DataFrame(metrics.station_rows)
    registry = pd.DataFrame(model.startups.registry[model.startups.registry_start :])
    return RunResult(
        metro=metro,
        zones=zones,
        stations=stations,
        startups=_startup_table(registry),
        metadata=run_metadata(model),
    )


def _startup_table(registry: pd.DataFrame) -> pd.DataFrame:
    columns = ["number", "zone", "sector", "founded_month", "end_month", "end", "ever_incubated", "max_stage"]
    if registry.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    for column in columns:
        if column not in registry:
            registry[column] = np.nan
    table = registry[columns].copy()
    table["end"] = table["end"].fillna("alive").astype(str)
    table["ever_incubated"] = table["ever_incubated"].astype("boolean")
    return table


def run_metadata(model: AMPModel) -> dict[str, Any]:
    """What is needed to reproduce a run."""
    return {
        "ampsim_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "seed_entropy": model.seed_plan.entropy,
        "replicate": model.seeds.replicate,
        "scale": model.scale,
        "residents": model.residents.n,
        "people_per_resident": model.residents.weight,
        "months": model.months,
        "start": f"{model.start_year}-{model.start_month:02d}",
        "calibrated": {
            "matching_efficiency": model.labour.matching_efficiency,
            "job_loss_rate": model.labour.job_loss_rate,
            "car_intercept": model.commuting.intercept,
        },
        "interventions": [_describe(intervention) for intervention in model.interventions],
        "parameters": model.params.model_dump(mode="json"),
    }


def _describe(intervention: Any) -> Any:
    describe = getattr(intervention, "describe", None)
    return describe() if callable(describe) else repr(intervention)


def git_commit() -> str | None:
    """The commit of the source tree ampsim runs from, with '-dirty' if it has changes."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")
