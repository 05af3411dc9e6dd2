"""The Python interface for notebooks and scripts: load a scenario, run it, compare scenarios, sweep.

    import ampsim

    base = ampsim.load_scenario("scenarios/baseline.yaml")
    euromed = ampsim.load_scenario("scenarios/euromediterranee.yaml")
    run = ampsim.run(euromed, scale=0.01, months=24)          # a RunResult: pandas tables
    run.metro[["date", "unemployment_rate", "no2_popweighted"]]
    comparison = ampsim.compare(base, euromed, replicates=4, scale=0.01, months=24)
    comparison.summary                                         # differences with 95 % intervals
    table = ampsim.sweep("experiments/diams_grid.yaml", "results/sweep-diams")

Everything here goes through the same functions as the command line (`studies.runner`,
`studies.replicates`, `studies.compare`, `studies.sweep`), so a notebook and `ampsim run` give the
same numbers for the same scenario and settings.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ampsim.model import AMPModel, ModelParameters, RunSettings
from ampsim.scenarios.loading import load_scenario as _load_scenario
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.compare import Comparison
from ampsim.studies.compare import compare as _compare
from ampsim.studies.replicates import run_study, study_settings
from ampsim.studies.runner import RunResult, baseline_scenario, run_scenario

__all__ = [
    "AMPModel",
    "Comparison",
    "ModelParameters",
    "RunResult",
    "RunSettings",
    "Scenario",
    "compare",
    "load_scenario",
    "run",
    "sweep",
]

ScenarioLike = Scenario | str | os.PathLike


def load_scenario(path: str | os.PathLike, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario file, merged over the files it extends, with `--set`-style overrides
    ("parameters.labour.matching_elasticity=0.55"), validated."""
    return _load_scenario(path, overrides)


def run(scenario: ScenarioLike | None = None, **settings: Any) -> RunResult:
    """One run of a scenario (a Scenario or a file; the built-in baseline if None). Keyword
    arguments override the scenario's settings: scale, seed, replicate, months, start,
    spin_up_months, cell_km. The result's tables are pandas DataFrames (`metro`, `zones`,
    `stations`, `startups`)."""
    return run_scenario(_as_scenario(scenario), **settings)


def compare(
    base: ScenarioLike,
    *others: ScenarioLike,
    replicates: int | None = None,
    workers: int = 1,
    participants: bool = False,
    **settings: Any,
) -> Comparison:
    """Paired replicates of `others` against `base` (common random numbers), summarised as
    differences with 95 % intervals by indicator (`summary`), month (`series`) and zone
    (`zones`), and the cost per outcome (`costs`); with `participants`, the programmes' effects on
    their participants too (`participants`, as `ampsim compare` gives them). Settings default to
    the base scenario's."""
    from ampsim.studies.participants import participant_effects

    scenarios = [_as_scenario(s) for s in (base, *others)]
    if not others:
        raise ValueError("compare needs at least one scenario besides the baseline")
    study = study_settings(scenarios[0], replicates, **settings)
    runs = run_study(scenarios, study, workers)
    effects = (
        participant_effects(scenarios[0], scenarios[1:], study.run, study.replicates, workers)
        if participants
        else None
    )
    return _compare(runs, base=scenarios[0].name, participants=effects)


def sweep(experiment: str | os.PathLike, directory: str | os.PathLike, **options: Any) -> pd.DataFrame:
    """Run an experiment file (grid, Latin hypercube or Sobol design) into `directory`, resumable
    with resume=True, on `workers` local processes or a Dask `scheduler`; returns its tidy table
    (one row per point, replicate and kept month)."""
    from ampsim.studies.experiment import load_experiment
    from ampsim.studies.sweep import load_results, run_sweep

    run_sweep(load_experiment(experiment), directory, **options)
    return load_results(directory)


def _as_scenario(scenario: ScenarioLike | None) -> Scenario:
    if scenario is None:
        return baseline_scenario()
    if isinstance(scenario, Scenario):
        return scenario
    return _load_scenario(Path(scenario))
