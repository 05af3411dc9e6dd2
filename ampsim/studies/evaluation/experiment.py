"""A virtual experiment: a programme run beside the baseline, the outcomes it is judged on
(`Check`: an outcome at a horizon, held to an evaluation), and how the model measures them;
`run_experiment` measures every check over replicates and states the verdict."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from ampsim.model import RunSettings
from ampsim.scenarios.loading import load_scenario
from ampsim.scenarios.scenario import Scenario
from ampsim.studies.evaluation.evidence import EffectKind, Evidence, Measurement

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"

# measure(baseline, scenario, settings) -> one replicate's Measurement of each check, by key
Measure = Callable[[Scenario, Scenario, RunSettings], Mapping[str, Measurement]]


@dataclass(frozen=True)
class Check:
    """One outcome at one horizon, held to one evaluation."""

    key: str  # identifier, e.g. "youth_training.employment_16m"
    outcome: str  # what is measured, on whom
    horizon: str  # when, e.g. "16 months after entry"
    kind: EffectKind
    unit: str  # of the effect: "points", "ratio"...
    evidence: Evidence


@dataclass(frozen=True)
class VirtualExperiment:
    """A programme evaluated as its evaluations did: same participants, outcomes and horizons."""

    name: str  # identifier, e.g. "youth_training"
    programme: str  # label in the table
    scenario_file: str  # the scenario whose programme is evaluated (in scenarios/)
    programme_type: str  # the intervention type it evaluates (`compare` measures it on participants)
    months: int  # months to simulate: entries plus the longest horizon
    checks: tuple[Check, ...]
    measure: Measure
    scale: float | None = None  # a scale of its own (None: the evaluation's default)

    def scenario(self) -> Scenario:
        return load_scenario(SCENARIOS / self.scenario_file)


@dataclass(frozen=True)
class CheckResult:
    """The model's effect over replicates beside the evaluation's."""

    experiment: VirtualExperiment
    check: Check
    effect: float
    low: float
    high: float
    participants: int  # over all replicates
    replicates: tuple[Measurement, ...]

    @property
    def inside(self) -> bool:
        return self.check.evidence.contains(self.effect)

    @property
    def verdict(self) -> str:
        return self.check.evidence.verdict(self.effect)


def baseline_of(scenario: Scenario) -> Scenario:
    """The scenario without its programmes: same parameters, settings and seed."""
    return scenario.model_copy(update={"name": "baseline", "interventions": []})


def experiment_settings(experiment: VirtualExperiment, settings: RunSettings, replicate: int) -> RunSettings:
    """The run settings of one replicate: the evaluation's, with the experiment's months and scale."""
    values = {**settings.model_dump(), "months": experiment.months, "replicate": replicate}
    if experiment.scale is not None:
        values["scale"] = experiment.scale
    return RunSettings.model_validate(values)


def run_experiment(
    experiment: VirtualExperiment, settings: RunSettings, replicates: int
) -> list[CheckResult]:
    """Measure every check of the experiment in `replicates` paired runs."""
    scenario = experiment.scenario()
    baseline = baseline_of(scenario)
    measured = [
        experiment.measure(baseline, scenario, experiment_settings(experiment, settings, r))
        for r in range(replicates)
    ]
    return [summarise(experiment, check, [m[check.key] for m in measured]) for check in experiment.checks]


def summarise(experiment: VirtualExperiment, check: Check, measured: Sequence[Measurement]) -> CheckResult:
    """The effect on the pooled participants of all replicates, with a 95 % interval: from the
    participants' paired differences for a difference of means, from the spread of the replicates'
    own effects otherwise."""
    pooled = Measurement(
        sum(m.treated for m in measured),
        sum(m.control for m in measured),
        sum(m.participants for m in measured),
        sum(m.squares for m in measured),
    )
    effect = pooled.effect(check.kind)
    if check.kind == "difference" and np.isfinite(pooled.paired_standard_error()):
        half = 1.96 * pooled.paired_standard_error()
        return CheckResult(
            experiment, check, effect, effect - half, effect + half, pooled.participants, tuple(measured)
        )
    per_replicate = np.array([m.effect(check.kind) for m in measured], dtype=float)
    per_replicate = per_replicate[np.isfinite(per_replicate)]
    half = float("nan")
    if per_replicate.size >= 2:
        spread = per_replicate.std(ddof=1) / math.sqrt(per_replicate.size)
        half = float(stats.t.ppf(0.975, per_replicate.size - 1) * spread)
    return CheckResult(
        experiment, check, effect, effect - half, effect + half, pooled.participants, tuple(measured)
    )
